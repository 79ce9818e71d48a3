"""Demo accounts never in production: `seed-demo` is refused there whatever its options, a
password is never defaulted outside development, and a production server refuses to start
while an account with a demo address still has the published demo password."""

from __future__ import annotations

import itertools
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from tests.conftest import count_queries, login
from tracker import create_app
from tracker.auth.models import User
from tracker.db import Base, get_db
from tracker.security import DEMO_PASSWORD, hash_password
from tracker.seed.guard import demo_addresses, refuse_production_demo_logins

ROOT = Path(__file__).resolve().parents[2]
SECRET = secrets.token_urlsafe(48)
OPTIONS = [
    ["--if-empty"],
    ["--password", "a-chosen-passphrase-9"],
    ["--scale", "org"],
    ["--teams", "2"],
    ["--members", "5"],
    ["--weeks", "1"],
    ["--seed", "3"],
]
# Every combination of the options, from none to all seven.
COMBINATIONS = [
    [arg for option in chosen for arg in option]
    for n in range(len(OPTIONS) + 1)
    for chosen in itertools.combinations(OPTIONS, n)
]
SCALE_ADDRESSES = [
    "lead01@scale.example.com",
    "lead50@scale.example.com",
    "eng0001@scale.example.com",
    "eng1999@scale.example.com",
]


@pytest.fixture
def production(app, database_url, tmp_path, monkeypatch):
    """The app as production builds it, on the test database."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    prod = create_app(
        {"ENV_NAME": "production", "DATABASE_URL": database_url, "SECRET_KEY": SECRET}
    )
    yield prod
    with prod.app_context():
        prod.extensions["tracker.engine"].dispose()


def _counts(db) -> dict[str, int]:
    db.commit()
    return {
        t.name: db.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables
    }


def test_seed_demo_is_refused_in_production_with_every_option_combination(production, db):
    assert len(COMBINATIONS) == 128
    before = _counts(db)
    runner = production.test_cli_runner()
    for args in COMBINATIONS:
        r = runner.invoke(args=["tracker", "seed-demo", *args])
        assert r.exit_code != 0, args
        assert "refused in production" in r.output and "create-user" in r.output, args
        assert DEMO_PASSWORD not in r.output
    assert _counts(db) == before  # nothing written: no account, no framework, no audit row


def test_seed_demo_help_promises_no_default_password_outside_development(runner):
    r = runner.invoke(args=["tracker", "seed-demo", "--help"])
    assert "teamtracker-demoindevelopment,elsewhereanewrandomone" in "".join(r.output.split())


def _printed_password(output: str) -> str:
    return re.search(r"\(password: (\S+)\)", output).group(1)


def test_outside_development_a_random_password_is_printed_and_works(app, runner, client, db):
    r = runner.invoke(args=["tracker", "seed-demo"])
    assert r.exit_code == 0, r.output
    password = _printed_password(r.output)
    assert password != DEMO_PASSWORD and len(password) >= 20
    assert login(client, "dana.lead@example.com", DEMO_PASSWORD).status_code != 302
    assert login(client, "dana.lead@example.com", password).status_code == 302
    # Run again: a new password is printed, but the accounts there already keep theirs.
    again = runner.invoke(args=["tracker", "seed-demo"])
    assert _printed_password(again.output) != password
    assert "existed already: its password is unchanged" in again.output
    other = app.test_client()
    assert login(other, "priya@example.com", password).status_code == 302


def test_outside_development_the_scale_seed_prints_a_random_password_that_works(runner, client):
    args = ["--teams", "1", "--members", "3", "--weeks", "1"]
    r = runner.invoke(args=["tracker", "seed-demo", *args])
    assert r.exit_code == 0, r.output
    password = _printed_password(r.output)
    assert password != DEMO_PASSWORD
    assert login(client, "lead01@scale.example.com", password).status_code == 302


def test_development_keeps_the_documented_demo_password(database_url, app, db, tmp_path):
    dev = create_app({"ENV_NAME": "development", "DATABASE_URL": database_url})
    dev.config["PASSWORD_HASH_PARAMS"] = app.config["PASSWORD_HASH_PARAMS"]  # fast hashing
    r = dev.test_cli_runner().invoke(args=["tracker", "seed-demo", "--if-empty"])
    assert r.exit_code == 0, r.output
    assert f"(password: {DEMO_PASSWORD})" in r.output
    client = app.test_client()
    assert login(client, "admin@example.com", DEMO_PASSWORD).status_code == 302
    with dev.app_context():
        dev.extensions["tracker.engine"].dispose()


# --- the start-up check ------------------------------------------------------------------------


def _account(app, db, email: str, password: str, active: bool = True) -> User:
    with app.app_context():
        hashed = hash_password(password)
    user = User(email=email, name="Demo Person", role="lead", password_hash=hashed, active=active)
    db.add(user)
    db.commit()
    return user


@pytest.mark.parametrize("email", demo_addresses() + SCALE_ADDRESSES)
def test_production_refuses_to_start_with_any_demo_address_on_the_demo_password(
    app, db, production, email
):
    _account(app, db, email, DEMO_PASSWORD)
    with pytest.raises(RuntimeError) as refused:
        refuse_production_demo_logins(production)
    message = str(refused.value)
    assert email in message and "tracker deactivate-demo-logins" in message


@pytest.mark.parametrize(
    ("email", "password", "active"),
    [
        ("admin@example.com", "a-new-admin-passphrase-7", True),  # password changed
        ("lead07@scale.example.com", "another-passphrase-42", True),
        ("admin@example.com", DEMO_PASSWORD, False),  # deactivated
        ("eng0042@scale.example.com", DEMO_PASSWORD, False),
        ("admin@company.example", DEMO_PASSWORD, True),  # not a demo address
        ("lead01@scale.example.com.evil", DEMO_PASSWORD, True),
        ("someone@scale.example.com", DEMO_PASSWORD, True),  # no address the seed makes
    ],
)
def test_production_starts_when_no_published_login_works(
    app, db, production, email, password, active
):
    _account(app, db, email, password, active)
    refuse_production_demo_logins(production)  # no error


def test_the_check_is_one_indexed_query_without_demo_addresses(app, db, production, make_user):
    from tracker.seed.guard import published_logins

    for i in range(5):
        make_user("lead", email=f"lead{i}@company.example")
    engine = production.extensions["tracker.engine"]
    seen = []

    def _keep(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", _keep)
    try:
        with production.app_context(), count_queries(production) as n:
            assert published_logins(get_db()) == []
    finally:
        event.remove(engine, "before_cursor_execute", _keep)
    assert n() == 1
    if engine.dialect.name == "sqlite":  # PostgreSQL would scan a table this small anyway
        statement, parameters = next((s, p) for s, p in seen if "FROM user" in s)
        with engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        steps = [row[-1] for row in plan]
        assert not any(step.startswith("SCAN user") for step in steps), steps
        assert any("USING INDEX" in step for step in steps), steps


def test_every_account_the_seeds_make_is_found(app, runner, db, production):
    """The check's address ranges cover every login both seeds create."""
    assert runner.invoke(args=["tracker", "seed-demo", "--password", DEMO_PASSWORD]).exit_code == 0
    args = ["--teams", "3", "--members", "20", "--weeks", "1", "--password", DEMO_PASSWORD]
    assert runner.invoke(args=["tracker", "seed-demo", *args]).exit_code == 0
    emails = set(db.scalars(select(User.email)))
    with production.app_context():
        from tracker.seed.guard import published_logins

        assert set(published_logins(get_db())) == emails


def _server_env(database_url: str, tmp_path: Path) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRACKER_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "TRACKER_INSTANCE_PATH": str(tmp_path / "server-instance"),
    }


def _gunicorn_loads(env: dict) -> subprocess.CompletedProcess:
    """gunicorn imports wsgi:app as it does for its workers, then exits."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.run(
        [str(gunicorn), "--check-config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gunicorn_refuses_then_serves_once_the_cli_deactivated_them(
    app, db, database_url, tmp_path
):
    env = _server_env(database_url, tmp_path)
    assert _gunicorn_loads(env).returncode == 0  # nothing to refuse
    _account(app, db, "admin@example.com", DEMO_PASSWORD)
    _account(app, db, "eng0003@scale.example.com", DEMO_PASSWORD)
    refused = _gunicorn_loads(env)
    assert refused.returncode != 0
    assert "admin@example.com" in refused.stderr and "eng0003@scale.example.com" in refused.stderr
    assert "flask --app wsgi tracker deactivate-demo-logins" in refused.stderr
    # The command line is not refused, in production, and fixes it.
    fix = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "tracker", "deactivate-demo-logins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fix.returncode == 0, fix.stderr
    assert "Deactivated 2 demo account(s)" in fix.stdout
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) == 0
    assert _gunicorn_loads(env).returncode == 0


def test_gunicorn_serves_once_the_demo_password_was_changed(app, db, database_url, tmp_path):
    user = _account(app, db, "sam.lead@example.com", DEMO_PASSWORD)
    env = _server_env(database_url, tmp_path)
    assert _gunicorn_loads(env).returncode != 0
    with app.app_context():
        user.password_hash = hash_password("sam-chose-a-new-passphrase")
    db.commit()
    assert _gunicorn_loads(env).returncode == 0
