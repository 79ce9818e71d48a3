"""Search terms never leave the page that answers them: not in a URL on the results page, not
in the app's log, the SQL log, the development server's request log or the audit log."""

from __future__ import annotations

import http.client
import io
import logging
import re
import threading
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

TERM = "Leavingsoonzq"  # in a shared note, so the search finds it and shows it


@pytest.fixture
def noted(org, make_session):
    return make_session(org.eng, org.lead, shared=f"Says {TERM} (shared)", private=f"{TERM} too")


def _variants(term: str) -> list[str]:
    return [term, term.lower(), quote(term), quote(term.lower()), urlencode({"q": term})]


def test_the_results_page_holds_the_term_in_no_url(client_as, noted):
    r = client_as("lead").form("/search", {"q": TERM})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Location" not in r.headers  # answered, not redirected
    assert f"<mark>{TERM}</mark>" in html  # the positive control: the term is on the page
    urls = re.findall(r'(?:href|src|action|formaction)="([^"]*)"', html, re.I)
    assert urls and f'/sessions/{noted.id}"' in html
    for url in urls:
        assert not any(v.lower() in url.lower() for v in _variants(TERM)), url
    for name, value in r.headers.items():
        assert TERM.lower() not in value.lower(), name


def test_the_term_reaches_no_log_record(app, client_as, noted, caplog, db):
    """The app's and werkzeug's loggers and SQLAlchemy's statement log (parameters hidden),
    for a search that finds, one that is refused and one whose CSRF token is bad."""
    from tracker.auditing import AuditEvent

    client = client_as("lead")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement logged
    assert client.form("/search", {"q": TERM}).status_code == 200
    assert client.form("/search", {"q": TERM + "\x07"}).status_code == 400
    assert client.form("/search", {"q": TERM * 10}).status_code == 400
    forged = client.post("/search", data={"q": TERM, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert any("SELECT" in r.getMessage() for r in caplog.records), "the SQL log ran"
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    for variant in _variants(TERM):
        assert variant.lower() not in logged.lower()
    # The refused POST left its audit row, naming the route and never the term.
    rows = db.scalars(select(AuditEvent)).all()
    assert any("search.index" in e.summary for e in rows)
    for e in rows:
        assert TERM.lower() not in f"{e.summary} {e.object_type} {e.actor}".lower()


def _request(port: int, method: str, path: str, cookies: SimpleCookie, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    data = response.read().decode()
    conn.close()
    return response.status, data


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_the_development_servers_request_log_holds_no_term(app, noted):
    """The real request log of `flask run`: a login, then a search, through a real socket."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    log = logging.getLogger("werkzeug")
    log.addHandler(handler)
    old_level = log.level
    log.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port, cookies = server.server_port, SimpleCookie()
    try:
        _status, page = _request(port, "GET", "/login", cookies)
        login = {"email": "lead@example.com", "password": PASSWORD, "csrf_token": _token(page)}
        assert _request(port, "POST", "/login", cookies, login)[0] == 302
        _status, page = _request(port, "GET", "/search", cookies)
        status, page = _request(
            port, "POST", "/search", cookies, {"q": TERM, "csrf_token": _token(page)}
        )
        assert status == 200 and f"<mark>{TERM}</mark>" in page
    finally:
        server.shutdown()
        thread.join()
        log.removeHandler(handler)
        log.setLevel(old_level)
    written = out.getvalue()
    assert '"POST /search HTTP/1.1" 200' in written  # the line is there, without the term
    for variant in _variants(TERM):
        assert variant.lower() not in written.lower()
