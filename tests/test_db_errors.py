"""A failed statement's error names the SQL, never the values bound to it: error messages and
the server's log must not hold what users typed (names, notes, e-mails)."""

from __future__ import annotations

import logging
import traceback
import uuid
from datetime import date

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tracker.auth.models import User
from tracker.db import get_db
from tracker.team.models import Member


def _canary() -> str:
    return f"canary-{uuid.uuid4().hex}"


def _duplicate_email(db, canary):
    db.add(User(email="dup@example.com", name="First", role="lead"))
    db.flush()
    db.add(User(email="dup@example.com", name=canary, role="lead"))
    db.flush()


def _missing_team(db, canary):
    db.add(
        Member(
            team_id=2_000_000_000,
            name=canary,
            email="m@example.com",
            job_title=canary,
            level="Mid",
            start_date=date(2024, 1, 1),
        )
    )
    db.flush()


def _bulk_duplicates(db, canary):
    rows = [
        {"email": "bulk@example.com", "name": f"{canary}-{i}", "role": "lead"} for i in range(3)
    ]
    db.execute(insert(User), rows)


def _duplicate_canary_email(db, canary):
    db.add(User(email=f"{canary}@example.com", name="First", role="lead"))
    db.flush()
    db.add(User(email=f"{canary}@example.com", name="Second", role="lead"))
    db.flush()


def _unmarked_lead(db, canary):
    # A check constraint: PostgreSQL's DETAIL would show the whole failing row.
    db.execute(insert(User), [{"email": f"{canary}@x.com", "name": canary, "role": "lead"}])


@pytest.mark.parametrize(
    "provoke",
    [_duplicate_email, _missing_team, _bulk_duplicates, _duplicate_canary_email, _unmarked_lead],
)
def test_integrity_errors_carry_no_bound_values(app, provoke):
    canary = _canary()
    with app.app_context():
        db = get_db()
        with pytest.raises(IntegrityError) as caught:
            provoke(db, canary)
        db.rollback()
    shown = "".join(traceback.format_exception(caught.value))
    assert canary not in shown
    assert "parameters hidden" in str(caught.value)


def test_a_value_the_database_cannot_read_is_not_quoted(app):
    """A data error (a value of the wrong type or shape) names the problem, not the value."""
    canary = _canary()
    with app.app_context():
        db = get_db()
        with pytest.raises(DBAPIError) as caught:
            db.execute(text("SELECT CAST(:v AS integer) + 1 WHERE :v <> ''"), {"v": canary})
            if db.get_bind().dialect.name == "sqlite":
                pytest.skip("SQLite reads any text as a number")
        db.rollback()
    shown = "".join(traceback.format_exception(caught.value))
    assert canary not in shown
    assert "invalid input syntax" in shown  # the problem itself is still said


def test_the_server_log_of_a_failed_write_carries_no_bound_values(app, client, caplog):
    """Through a request, as a bug would fail in production: a 500 page, and a log line with
    the statement but not the name that was being saved."""
    canary = _canary()

    def fails():
        _duplicate_email(get_db(), canary)
        return "unreachable"

    fails.access = ("public",)  # type: ignore[attr-defined]  (a view without a rule is refused)
    app.add_url_rule("/_fails", "fails", fails)
    app.testing = False  # log the error and answer 500, as a server does
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        r = client.get("/_fails")
    assert r.status_code == 500 and canary not in r.get_data(as_text=True)
    logged = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert "IntegrityError" in logged and "INSERT INTO" in logged
    assert canary not in logged
