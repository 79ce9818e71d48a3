"""No log line holds a one-time link's token, a calendar feed's token or a search term: gunicorn's
real logger class (as gunicorn.conf.py names it), the development server's request log and the
app's own log are run on many shapes and encodings of each."""

from __future__ import annotations

import http.client
import io
import logging
import os
import runpy
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest
from gunicorn.config import Config
from gunicorn.util import load_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.serving import make_server

from tracker import ROOT
from tracker.logs import scrub

URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TOKENS = [
    secrets.token_urlsafe(32),
    secrets.token_urlsafe(16),
    secrets.token_urlsafe(8),  # short: still redacted where a token belongs
    secrets.token_urlsafe(64),
    secrets.token_hex(16),
    secrets.token_hex(32),
    "-" + secrets.token_urlsafe(20),
    "_" + secrets.token_urlsafe(20) + "-",
    "abcdefghijklmnopqrstuvwxyzabcdef",  # all lower-case letters: no digit to give it away
]
TERMS = ["leavingsoon", "salary negotiation", "Zoë's burnout", "q=inner&x", "50% raise?"]


def _plain(text: str) -> str:
    for _ in range(5):
        text = unquote(text)
    return text


def _encodings(token: str) -> list[str]:
    every = "".join(f"%{ord(c):02X}" for c in token)
    return [
        token,
        every,
        every.lower(),
        quote(every),  # double-encoded
        "".join(f"%{ord(c):02x}" if i % 2 else c for i, c in enumerate(token)),
    ]


def _token_paths(token: str) -> list[str]:
    paths = []
    for t in _encodings(token):
        paths += [
            f"/welcome/{t}",
            f"//welcome/{t}",
            f"/welcome/{t}/",
            f"/welcome/{t}?x=1",
            f"/welcome/{t};jsessionid=1",
            f"/WELCOME/{t}",
            f"/%77elcome/{t}",
            f"/x/../welcome/{t}",
            f"/calendar/{t}.ics",
            f"/calendar/{t}",
            f"/calendar/{t}.ics?v=2",
            f"/login?next=/welcome/{t}",
            f"/login?next=%2Fwelcome%2F{t}",
        ]
    if len(token) >= 16 and not token.isalpha():
        # Anywhere else, a token-shaped segment (a long run with digits or capitals) is dropped.
        paths += [f"/members/1/{t}" for t in _encodings(token)]
    return paths


def _term_paths(term: str) -> list[str]:
    q = quote(term, safe="")
    return [
        f"/members/3/sessions?q={q}",
        f"/members/3/sessions?page=2&q={q}&kind=",
        f"/members/3/sessions?Q={q}",
        f"/members/3/sessions%3Fq%3D{q}",
        f"/members/3/sessions%253Fq%253D{q}",
        f"/login?next=/members/3/sessions%3Fq%3D{q}",
        f"/members/3/sessions#q={q}",
        f"/members/3/sessions?{q}",
    ]


def _cases() -> list[tuple[str, str]]:
    cases = [(t, p) for t in TOKENS for p in _token_paths(t)]
    return cases + [(term, p) for term in TERMS for p in _term_paths(term)]


def _gunicorn_logger(access_log_format: str | None = None):
    """The logger class gunicorn.conf.py names, set up as gunicorn would, writing to memory."""
    settings_file = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("logger_class", "accesslog"):
        cfg.set(name, settings_file[name])
    if access_log_format:
        cfg.set("access_log_format", access_log_format)
    logger = load_class(cfg.logger_class)(cfg)
    out = io.StringIO()
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
        log.addHandler(logging.StreamHandler(out))
    return logger, out


EVERYTHING = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(U)s ?%(q)s '
    "%({location}o)s %({referer}i)s %({raw_uri}e)s %({query_string}e)s %({path_info}e)s "
    "%({cookie}i)s"
)


def _access(logger, path: str) -> None:
    raw_path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": _plain(raw_path),
        "QUERY_STRING": query,
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": f"https://tracker.example.com{path}",
        "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)",
    }
    req = SimpleNamespace(
        headers=[
            ("REFERER", environ["HTTP_REFERER"]),
            ("COOKIE", f"tracker_session={secrets.token_urlsafe(24)}"),
        ]
    )
    resp = SimpleNamespace(
        status="302 FOUND", sent=189, headers=[("Location", f"http://tracker.test{path}")]
    )
    logger.access(resp, req, environ, timedelta(microseconds=1500))
    logger.exception("Error handling request %s", path)
    logger.warning("Invalid request from ip=10.0.0.7: Invalid HTTP request line: 'GET %s'", path)


def _assert_clean(secret: str, output: str) -> None:
    assert output.strip(), "nothing was logged: the test would prove nothing"
    for text in (output, _plain(output)):
        assert secret not in text, output


def test_gunicorn_conf_names_the_scrubbing_logger():
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logger_class"] == (
        "tracker.logs.GunicornLogger"
    )


@pytest.mark.parametrize("fmt", [None, EVERYTHING], ids=["default format", "every atom"])
def test_gunicorn_logger_drops_tokens_and_search_terms(fmt):
    logger, out = _gunicorn_logger(fmt)
    for secret, path in _cases():
        out.seek(0)
        out.truncate()
        _access(logger, path)
        _assert_clean(secret, out.getvalue())


def test_gunicorn_logger_keeps_what_an_operator_needs():
    logger, out = _gunicorn_logger()
    _access(logger, "/members/12/sessions?q=secret")
    line = out.getvalue().splitlines()[0]
    assert (
        line.startswith("10.0.0.7 ")
        and '"GET /members/12/sessions?[redacted] HTTP/1.1" 302' in line
    )
    assert "Mozilla/5.0 (X11; Linux x86_64)" in line


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    token=st.text(alphabet=URLSAFE, min_size=6, max_size=90),
    term=st.text(min_size=1, max_size=40),
    encode=st.integers(min_value=0, max_value=4),
)
def test_any_token_and_any_search_term_are_scrubbed(token, term, encode):
    for path in (
        f"/welcome/{_encodings(token)[encode]}",
        f"/calendar/{_encodings(token)[encode]}.ics",
    ):
        _assert_clean(token, scrub(f'10.0.0.7 - - "GET {path} HTTP/1.1" 302 "https://h{path}"'))
    secret = "zq" + term
    for path in _term_paths(secret):
        line = scrub(f'"GET {path} HTTP/1.1" 200 "http://h{path}"')
        _assert_clean(secret, line)


@pytest.fixture
def dev_server_log(app):
    """The development server (werkzeug) serving the app, and what its request log wrote."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    log = logging.getLogger("werkzeug")
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def get(path: str) -> str:
        out.seek(0)
        out.truncate()
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        conn.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        conn.getresponse().read()
        conn.close()
        return out.getvalue()

    yield get
    server.shutdown()
    thread.join()
    log.removeHandler(handler)
    log.setLevel(old_level)


def test_development_server_log_drops_tokens_and_search_terms(dev_server_log, org):
    # Every kind of token and term, in a few shapes each (the family is in the tests above).
    cases = [(t, p) for t in TOKENS for p in _token_paths(t)[::5]]
    cases += [(term, p) for term in TERMS for p in _term_paths(term)]
    for secret, path in cases:
        if " " in path:
            continue
        _assert_clean(secret, dev_server_log(path))


def test_the_app_log_of_a_failing_request_holds_no_token(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/welcome/<token>/boom")
    def boom(token):  # a route added only in this test
        raise RuntimeError("boom")

    boom.access = ("public",)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    app.logger.addHandler(handler)
    try:
        token = secrets.token_urlsafe(32)
        assert client.get(f"/welcome/{token}/boom?q=leavingsoon").status_code == 500
    finally:
        app.logger.removeHandler(handler)
    assert "Exception on /welcome/[redacted]" in out.getvalue()
    _assert_clean(token, out.getvalue())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_gunicorn_writes_no_token_or_term_to_its_access_log(database_url, tmp_path):
    """gunicorn itself, started with gunicorn.conf.py as `make serve` does."""
    port = _free_port()
    env = {
        **os.environ,
        "TRACKER_ENV": "testing",
        "DATABASE_URL": database_url,
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_BIND": f"127.0.0.1:{port}",
        "TRACKER_WORKERS": "1",
    }
    log_file = tmp_path / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log_file, "w") as log:
        proc = subprocess.Popen(
            [str(gunicorn), "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    token, term = secrets.token_urlsafe(32), "leavingsoon"
    paths = [f"/welcome/{token}", f"/calendar/{token}.ics", f"/members/1/sessions?q={term}"]
    try:
        deadline = time.monotonic() + 60  # start-up on a busy machine; not a measurement
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/login")
                conn.getresponse().read()
                break
            except OSError:
                assert proc.poll() is None, log_file.read_text()
                assert time.monotonic() < deadline, log_file.read_text()
                time.sleep(0.2)
        for path in paths:
            conn.request("GET", path, headers={"Referer": f"http://127.0.0.1:{port}{path}"})
            conn.getresponse().read()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    output = log_file.read_text()
    assert output.count('"GET ') >= len(paths) + 1, output
    assert "/welcome/[redacted]" in output and "sessions?[redacted]" in output
    for secret in (token, term):
        _assert_clean(secret, output)
