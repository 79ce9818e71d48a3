"""The published demo password never logs anyone in on a production server: not at start-up
(whatever the entry point: gunicorn with wsgi:app or the app factory, `flask run`), and not
later, for any account, however it got that password back (reactivated, restored, written by
hand). `deactivate-demo-logins` removes the password too, so reactivating needs a reset."""

from __future__ import annotations

import html
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, login
from tracker import create_app
from tracker.auditing import AuditEvent
from tracker.auth.models import User
from tracker.auth.services import PUBLISHED_LOGIN_REFUSED
from tracker.security import DEMO_PASSWORD, hash_password
from tracker.seed.guard import demo_addresses

ROOT = Path(__file__).resolve().parents[2]
SECRET = secrets.token_hex(32)
BIN = Path(sys.executable).parent


@pytest.fixture
def production(app, db, database_url, tmp_path, monkeypatch):
    """The app as a production server builds it (SECRET_KEY set), on the test database."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    prod = create_app(
        {"ENV_NAME": "production", "DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    )
    # The test client speaks plain HTTP (production's `__Host-` cookies are tested in
    # test_production_cookies.py), and hashes fast.
    prod.config.update(
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        SESSION_COOKIE_NAME="tracker_session",
        REMEMBER_COOKIE_NAME="tracker_remember",
        PASSWORD_HASH_PARAMS=app.config["PASSWORD_HASH_PARAMS"],
    )
    prod.test_client_class = app.test_client_class
    prod.extensions["tests.session"] = db  # the test sees what its requests commit
    yield prod
    prod.extensions.pop("tests.session", None)
    prod.extensions["tracker.engine"].dispose()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _give(app, db, user: User, password: str) -> None:
    with app.app_context():
        user.password_hash = hash_password(password)
    db.commit()


# Demo addresses, the scale seed's, and ordinary ones of every role: the password decides.
ACCOUNTS = [
    ("admin", "admin@example.com"),
    ("lead", "dana.lead@example.com"),
    ("engineer", "priya@example.com"),
    ("lead", "lead07@scale.example.com"),
    ("engineer", "eng0042@scale.example.com"),
    ("admin", "ops@company.example"),
    ("lead", "real.lead@company.example"),
    ("engineer", "someone@elsewhere.example"),
]


@pytest.mark.parametrize(("role", "email"), ACCOUNTS, ids=[e for _r, e in ACCOUNTS])
def test_production_refuses_the_published_password_for_any_account(
    app, db, production, make_user, role, email
):
    """The account got the demo password after the server started (as a reactivation or a
    restore would give it back): the login is refused, saying to set a new password."""
    user = make_user(role, email=email)
    _give(app, db, user, DEMO_PASSWORD)
    client = production.test_client()
    r = login(client, email, DEMO_PASSWORD)
    assert r.status_code == 401 and PUBLISHED_LOGIN_REFUSED in _text(r)
    assert client.get("/account").status_code == 302  # not logged in
    # Typed differently, it is simply not the password.
    for variant in (DEMO_PASSWORD.upper(), f" {DEMO_PASSWORD}", DEMO_PASSWORD + "!"):
        r = login(client, email, variant)
        assert r.status_code == 401 and PUBLISHED_LOGIN_REFUSED not in _text(r)
    refused = db.scalar(select(AuditEvent).where(AuditEvent.action == "login refused"))
    assert refused.object_id == user.id and "published demo password" in refused.summary
    db.expire_all()
    assert db.get(User, user.id).last_login_at is None
    # With a password of its own, the same account logs in.
    _give(app, db, user, PASSWORD)
    assert login(production.test_client(), email, PASSWORD).status_code == 302


@pytest.mark.parametrize("env", ["development", "testing"])
def test_outside_production_the_demo_password_still_logs_in(
    app, db, database_url, tmp_path, monkeypatch, env
):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    other = create_app({"ENV_NAME": env, "DATABASE_URL": database_url})
    other.config["PASSWORD_HASH_PARAMS"] = app.config["PASSWORD_HASH_PARAMS"]
    other.test_client_class = app.test_client_class
    r = other.test_cli_runner().invoke(args=["tracker", "seed-demo", "--password", DEMO_PASSWORD])
    assert r.exit_code == 0, r.output
    for email in ("admin@example.com", "dana.lead@example.com", "priya@example.com"):
        assert login(other.test_client(), email, DEMO_PASSWORD).status_code == 302
    other.extensions["tracker.engine"].dispose()


DEMO_ACCOUNTS = [
    ("lead", "dana.lead@example.com"),
    ("admin", "sam.lead@example.com"),
    ("engineer", "mei@example.com"),
    ("lead", "lead03@scale.example.com"),
]


@pytest.mark.parametrize(("role", "email"), DEMO_ACCOUNTS, ids=[e for _r, e in DEMO_ACCOUNTS])
def test_deactivating_demo_logins_removes_the_password_so_reactivation_needs_a_reset(
    app, db, org, production, make_user, role, email
):
    user = make_user(role, email=email)
    _give(app, db, user, DEMO_PASSWORD)
    r = production.test_cli_runner().invoke(args=["tracker", "deactivate-demo-logins"])
    assert r.exit_code == 0 and email in r.output and "removed their password" in r.output
    db.expire_all()
    stored = db.get(User, user.id)
    assert stored.active is False and stored.password_hash is None
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "password removed", AuditEvent.object_id == user.id
        )
    )
    # An admin reactivates it: the published password opens nothing, in production or not.
    admin = production.test_client()
    assert login(admin, org.admin.email).status_code == 302
    r = admin.form(f"/admin/users/{user.id}/reactivate", follow_redirects=True)
    assert "is reactivated" in _text(r), _text(r)
    db.expire_all()
    assert db.get(User, user.id).active
    for client in (production.test_client(), app.test_client()):
        assert login(client, email, DEMO_PASSWORD).status_code == 401


# --- the start-up check, whatever the entry point ---------------------------------------------


def _env(database_url: str, tmp_path: Path) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRACKER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "TRACKER_INSTANCE_PATH": str(tmp_path / "server-instance"),
        "PYTHONUNBUFFERED": "1",
    }


def _gunicorn(env: dict, target: str) -> subprocess.CompletedProcess:
    """gunicorn loads the app as its workers do, then exits."""
    return subprocess.run(
        [str(BIN / "gunicorn"), "--check-config", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _flask(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _flask_run_serves(env: dict, app_path: str) -> tuple[bool, str]:
    """Start `flask --app APP run` on a free port: (True once it serves) or (False, output)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", app_path, "run", "--port", "0", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 120  # a guard against a hung test, not a measurement
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:  # it exited
                proc.wait(timeout=30)
                return False, "".join(seen)
            seen.append(line)
            if "Running on" in line:
                return True, "".join(seen)
        raise AssertionError("flask run neither served nor exited: " + "".join(seen))
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
        proc.stdout.close()


ENTRY_POINTS = [
    ("gunicorn", "wsgi:app"),
    ("gunicorn", "tracker:create_app()"),
    ("flask run", "wsgi"),
    ("flask run", "tracker:create_app()"),
    ("flask run", "tracker"),
]


@pytest.mark.parametrize(("server", "target"), ENTRY_POINTS)
def test_every_entry_point_refuses_to_serve_a_published_login_until_fixed(
    app, db, database_url, tmp_path, make_user, server, target
):
    env = _env(database_url, tmp_path)
    demo = demo_addresses()
    user = make_user("lead", email=demo[1])
    _give(app, db, user, DEMO_PASSWORD)
    if server == "gunicorn":
        refused = _gunicorn(env, target)
        assert refused.returncode != 0
        output = refused.stderr
    else:
        served, output = _flask_run_serves(env, target)
        assert not served
    assert "Refusing to serve" in output and demo[1] in output
    assert "deactivate-demo-logins" in output
    # The command line stays usable in production, while the server is refused.
    assert _flask(env, "--app", target, "db", "upgrade").returncode == 0
    made = _flask(
        env,
        "--app",
        target,
        "tracker",
        "create-user",
        "ops@company.example",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    fix = _flask(env, "--app", target, "tracker", "deactivate-demo-logins")
    assert fix.returncode == 0 and demo[1] in fix.stdout, fix.stderr
    if server == "gunicorn":
        assert _gunicorn(env, target).returncode == 0
    else:
        served, output = _flask_run_serves(env, target)
        assert served, output


def test_an_unmigrated_database_is_refused_with_how_to_migrate(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
    refused = _gunicorn(env, "tracker:create_app()")
    assert refused.returncode != 0 and "db upgrade" in refused.stderr
    assert re.search(r"could not read the\s+database", refused.stderr)
