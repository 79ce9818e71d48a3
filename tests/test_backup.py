"""`tracker backup` and `tracker restore`: a round trip of a seeded database, and refusals."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import select, text

from tracker.auth.models import User
from tracker.db import Base

on_postgres = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(on_postgres, reason="SQLite backup API; PostgreSQL uses pg_dump")


def snapshot(db) -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        order = [c for c in table.primary_key.columns] or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.execute(select(table).order_by(*order))]
    return rows


@sqlite_only
def test_backup_and_restore_round_trip_every_table(runner, db, tmp_path):
    assert runner.invoke(args=["tracker", "seed-demo"]).exit_code == 0
    before = snapshot(db)
    assert sum(len(v) for v in before.values()) > 1000
    out = tmp_path / "backup.db"
    r = runner.invoke(args=["tracker", "backup", str(out)])
    assert r.exit_code == 0, r.output
    # Change things after the backup: they must be gone after the restore.
    db.execute(text("DELETE FROM rating WHERE id % 2 = 0"))
    db.add(User(email="late@example.com", name="Late", role="lead"))
    db.commit()
    assert snapshot(db) != before
    r = runner.invoke(args=["tracker", "restore", str(out), "--yes"])
    assert r.exit_code == 0, r.output
    db.rollback()
    after = snapshot(db)
    # A restore ends every login, calendar feed and unused link on purpose
    # (tests/test_restore_logins.py): those credentials differ, and the audit log says so.
    assert _without_credentials(after) == _without_credentials(before)
    assert [r for r in after["audit_event"] if r[4] == "end all logins"]


CREDENTIALS = {"login_session", "calendar_feed", "account_link", "audit_event", "data_version"}


def _without_credentials(rows: dict[str, list]) -> dict[str, list]:
    """`rows` without what a restore ends (logins, feeds, links, session tokens) or writes
    in doing so (its audit row, the page-cache version)."""
    token = [c.name for c in Base.metadata.tables["user"].columns].index("session_token")
    kept = {name: table for name, table in rows.items() if name not in CREDENTIALS}
    kept["user"] = [r[:token] + r[token + 1 :] for r in rows["user"]]
    return kept


@sqlite_only
def test_backup_refuses_to_overwrite(runner, tmp_path):
    out = tmp_path / "exists.db"
    out.write_bytes(b"keep me")
    r = runner.invoke(args=["tracker", "backup", str(out)])
    assert r.exit_code == 1 and "exists already" in r.output
    assert out.read_bytes() == b"keep me"


@sqlite_only
def test_restore_refuses_bad_files_and_changes_nothing(runner, db, tmp_path, make_user):
    make_user("admin", email="keep@example.com")
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    r = runner.invoke(args=["tracker", "restore", str(not_db), "--yes"])
    assert r.exit_code == 1 and "is not a SQLite database" in r.output
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    r = runner.invoke(args=["tracker", "restore", str(foreign), "--yes"])
    assert r.exit_code == 1 and "not a Team Tracker database" in r.output
    good = tmp_path / "good.db"
    assert runner.invoke(args=["tracker", "backup", str(good)]).exit_code == 0
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # wreck a page
    damaged.write_bytes(bytes(data))
    r = runner.invoke(args=["tracker", "restore", str(damaged), "--yes"])
    assert r.exit_code == 1 and ("damaged" in r.output or "cannot be read" in r.output)
    assert runner.invoke(args=["tracker", "restore", str(tmp_path / "nope.db"), "--yes"]).exit_code
    assert db.scalar(select(User.email)) == "keep@example.com"


@sqlite_only
def test_restore_asks_before_replacing(runner, tmp_path):
    good = tmp_path / "good.db"
    runner.invoke(args=["tracker", "backup", str(good)])
    r = runner.invoke(args=["tracker", "restore", str(good)], input="n\n")
    assert r.exit_code == 1 and "Aborted" in r.output


@pytest.mark.skipif(not on_postgres, reason="only on PostgreSQL")
def test_postgres_points_to_pg_dump(runner, tmp_path):
    r = runner.invoke(args=["tracker", "backup", str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "pg_dump" in r.output
