"""Online backup and checked restore of a SQLite database (PostgreSQL: pg_dump/pg_restore).

Backups use SQLite's online backup API, so they are consistent while the app runs (never a
file copy, which can catch a half-written page or miss the WAL). A restore first checks the
file: it must be a SQLite database that passes `PRAGMA integrity_check`, carries this app's
tables and a migration revision this version knows; only then is it copied over the live
database, again through the backup API, in one step.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url

from tracker.db import Base


class BackupError(RuntimeError):
    """A backup or restore was refused; the message says why."""


def sqlite_path(engine: Engine) -> Path:
    """The database file behind `engine`, or an error for other engines."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "This database is PostgreSQL: back it up with pg_dump and restore with pg_restore "
            "(see README, 'Backups')."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to `target` (a new file); return its size in bytes."""
    source = sqlite_path(engine)
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file name.")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target.stat().st_size


def check(candidate: Path, script: ScriptDirectory) -> str:
    """Check that `candidate` is a sound backup of this app; return its migration revision."""
    if not candidate.is_file():
        raise BackupError(f"{candidate} is not a file.")
    with candidate.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{candidate} is not a SQLite database.")
    conn = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{candidate} is damaged: {result}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = sorted(set(Base.metadata.tables) - tables)
        if "alembic_version" not in tables:
            raise BackupError(f"{candidate} is not a Team Tracker database (no migration record).")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{candidate} cannot be read as a database: {exc}") from exc
    finally:
        conn.close()
    if revision is None:
        raise BackupError(f"{candidate} has no migration revision.")
    known = {rev.revision for rev in script.walk_revisions()}
    if revision[0] not in known:
        raise BackupError(
            f"{candidate} is at migration {revision[0]}, which this version does not know "
            "(a backup from a newer version?)."
        )
    if missing and revision[0] == script.get_current_head():
        raise BackupError(f"{candidate} lacks tables: {', '.join(missing)}.")
    return revision[0]


def restore(engine: Engine, candidate: Path, script: ScriptDirectory) -> str:
    """Replace the live database with `candidate` after checking it; return its revision."""
    target = sqlite_path(engine)
    revision = check(candidate, script)
    engine.dispose()  # no pooled connection may keep reading the old pages
    src = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return revision
