"""`tracker restore` accepts only the schema the migrations make at the backup's revision: a
backup carrying a trigger, view, virtual table, extra table or index, a changed column, or a
missing object is refused, naming it, and the live database is left as it was. Honest
backups at every revision restore. (SQLite only: PostgreSQL is restored with pg_restore.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from tracker import create_app
from tracker.cli import alembic_config
from tracker.db import get_engine

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite backups; PostgreSQL uses pg_dump"
)
MARKER = "keep-me@example.com"


def _migrated_app(path: Path, revision: str = "head"):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": f"sqlite:///{path}"})
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, revision)
        get_engine().dispose()
    return app


@pytest.fixture
def live(tmp_path):
    """An app on its own SQLite file at head, with one account to prove nothing changed."""
    app = _migrated_app(tmp_path / "live.db")
    args = ["tracker", "create-user", MARKER, "--name", "Keep", "--role", "admin"]
    r = app.test_cli_runner().invoke(
        args=[*args, "--password-stdin"], input="a-long-admin-passphrase\n"
    )
    assert r.exit_code == 0, r.output
    yield app
    with app.app_context():
        get_engine().dispose()


@pytest.fixture
def honest(live, tmp_path) -> Path:
    """A backup of the live database, as `tracker backup` makes it."""
    out = tmp_path / "honest.db"
    r = live.test_cli_runner().invoke(args=["tracker", "backup", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _live_accounts(live) -> list[str]:
    conn = sqlite3.connect(live.config["DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        return [r[0] for r in conn.execute('SELECT email FROM "user" ORDER BY email')]
    finally:
        conn.close()


def _schema(live) -> list[tuple]:
    conn = sqlite3.connect(live.config["DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master"))
    finally:
        conn.close()


def _tampered(honest: Path, tmp_path: Path, *statements: str, writable: bool = False) -> Path:
    bad = tmp_path / "tampered.db"
    shutil.copy(honest, bad)
    conn = sqlite3.connect(bad)
    conn.isolation_level = None
    if writable:
        conn.execute("PRAGMA writable_schema=ON")
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return bad


def _user_sql(honest: Path) -> str:
    conn = sqlite3.connect(honest)
    try:
        return conn.execute("SELECT sql FROM sqlite_master WHERE name = 'user'").fetchone()[0]
    finally:
        conn.close()


TABLES = ["mentoring_session", "user", "rating", "action_item", "member", "audit_event"]
TAMPERINGS = {
    # The review's attack: new private notes copied into shared notes, where the engineer reads.
    "the review's trigger": (
        [
            "CREATE TRIGGER copy_private AFTER INSERT ON mentoring_session BEGIN "
            "UPDATE mentoring_session SET shared_notes = NEW.private_notes WHERE id = NEW.id; END"
        ],
        'trigger "copy_private" on "mentoring_session"',
    ),
    **{
        f"a trigger on {table}": (
            [f'CREATE TRIGGER "t_{table}" {when} ON "{table}" BEGIN SELECT 1; END'],
            f'trigger "t_{table}" on "{table}"',
        )
        for table, when in zip(
            TABLES,
            [
                "AFTER INSERT",
                "BEFORE UPDATE",
                "AFTER DELETE",
                "AFTER UPDATE OF done",
                "BEFORE INSERT",
                "AFTER INSERT",
            ],
            strict=True,
        )
    },
    "a trigger on the migration record": (
        ["CREATE TRIGGER t_version AFTER UPDATE ON alembic_version BEGIN SELECT 1; END"],
        'trigger "t_version" on "alembic_version"',
    ),
    "a view": (
        ["CREATE VIEW notes AS SELECT private_notes FROM mentoring_session"],
        'view "notes"',
    ),
    "a view with an INSTEAD OF trigger": (
        [
            "CREATE VIEW v AS SELECT id, shared_notes FROM mentoring_session",
            "CREATE TRIGGER tv INSTEAD OF UPDATE ON v BEGIN SELECT 1; END",
        ],
        'trigger "tv" on "v"',
    ),
    "an extra table": (["CREATE TABLE stash (x TEXT)"], 'table "stash"'),
    "an extra index": (["CREATE INDEX ix_extra ON member (name)"], 'index "ix_extra" on "member"'),
    "an extra unique index": (
        ['CREATE UNIQUE INDEX ux_extra ON "user" (name)'],
        'index "ux_extra" on "user"',
    ),
    "an fts5 virtual table": (
        ["CREATE VIRTUAL TABLE search USING fts5(body)"],
        'virtual table "search"',
    ),
    "an rtree virtual table": (
        ["CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1)"],
        'virtual table "boxes"',
    ),
    "an added column": (
        ['ALTER TABLE "user" ADD COLUMN backdoor TEXT'],
        'defines table "user" differently',
    ),
    "a renamed column": (
        ["ALTER TABLE member RENAME COLUMN job_title TO title"],
        'defines table "member" differently',
    ),
    "a dropped index": (["DROP INDEX ix_team_lead_user_id"], 'lacks index "ix_team_lead_user_id"'),
    "a name with control characters": (
        ['CREATE TRIGGER "evil\x1b[2J\nname" AFTER INSERT ON team BEGIN SELECT 1; END'],
        'trigger "evil\\x1b[2J\\nname" on "team"',
    ),
    "two migration records": (
        ["INSERT INTO alembic_version VALUES ('0001')"],
        "has 2 migration revisions",
    ),
    "rows referring to nothing": (
        ["PRAGMA foreign_keys=OFF", "INSERT INTO team_lead (team_id, user_id) VALUES (999, 998)"],
        "refer to missing rows (in: team_lead)",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERINGS))
def test_a_tampered_backup_is_refused_naming_what_is_wrong(live, honest, tmp_path, case):
    statements, named = TAMPERINGS[case]
    bad = _tampered(honest, tmp_path, *statements)
    before = _schema(live)
    r = live.test_cli_runner().invoke(args=["tracker", "restore", str(bad), "--yes"])
    assert r.exit_code == 1, r.output
    assert named in r.output, r.output
    assert "\x1b" not in r.output
    assert _schema(live) == before and _live_accounts(live) == [MARKER]


@pytest.mark.parametrize(
    ("case", "change", "named"),
    [
        ("a widened CHECK", ("'engineer')", "'engineer', 'root')"), 'defines table "user"'),
        ("a dropped NOT NULL", ("name VARCHAR(120) NOT NULL", "name VARCHAR(120)"), 'table "user"'),
        ("a new DEFAULT", ("active BOOLEAN", "active BOOLEAN DEFAULT 1"), 'table "user"'),
        ("a changed type", ("role VARCHAR(16)", "role BLOB"), 'table "user"'),
    ],
)
def test_a_column_or_constraint_edited_in_place_is_refused(
    live, honest, tmp_path, case, change, named
):
    """Definitions edited in sqlite_master directly (as a hand-made file could be)."""
    old, new = change
    sql = _user_sql(honest)
    assert old in sql, (case, sql)
    edited = sql.replace(old, new)
    bad = _tampered(
        honest,
        tmp_path,
        f"UPDATE sqlite_master SET sql = '{edited.replace(chr(39), chr(39) * 2)}' "
        "WHERE name = 'user'",
        writable=True,
    )
    r = live.test_cli_runner().invoke(args=["tracker", "restore", str(bad), "--yes"])
    assert r.exit_code == 1 and named in r.output, r.output
    assert _live_accounts(live) == [MARKER]


def test_an_honest_backup_at_head_restores(live, honest, tmp_path):
    before = _schema(live)
    r = live.test_cli_runner().invoke(args=["tracker", "restore", str(honest), "--yes"])
    assert r.exit_code == 0, r.output
    assert "older version" not in r.output
    assert _schema(live) == before and _live_accounts(live) == [MARKER]


def _revisions() -> list[str]:
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in script.walk_revisions()]


@pytest.mark.parametrize("revision", _revisions()[1:])  # every revision older than head
def test_an_honest_backup_at_an_older_revision_restores_and_upgrades(live, tmp_path, revision):
    old = _migrated_app(tmp_path / "old.db", revision)
    backup = tmp_path / f"at-{revision}.db"
    assert old.test_cli_runner().invoke(args=["tracker", "backup", str(backup)]).exit_code == 0
    with old.app_context():
        get_engine().dispose()
    runner = live.test_cli_runner()
    r = runner.invoke(args=["tracker", "restore", str(backup), "--yes"])
    assert r.exit_code == 0, r.output
    assert f"migration {revision}" in r.output and "db upgrade" in r.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    r = runner.invoke(args=["db", "check"])
    assert r.exit_code == 0, r.output


def test_the_bytes_checked_are_the_bytes_restored(live, honest, tmp_path):
    """A file swapped after the check (here: while the user confirms) changes nothing."""
    from tracker import backup as ops

    candidate = tmp_path / "candidate.db"
    shutil.copy(honest, candidate)
    evil = _tampered(honest, tmp_path, "CREATE TABLE stash (x TEXT)")

    def swap(_revision: str) -> None:
        shutil.copy(evil, candidate)

    with live.app_context():
        ops.restore(get_engine(), candidate, alembic_config(), confirm=swap)
    names = [row[1] for row in _schema(live)]
    assert "stash" not in names and _live_accounts(live) == [MARKER]
