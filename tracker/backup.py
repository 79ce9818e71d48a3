"""Online backup and checked restore of a SQLite database (PostgreSQL: pg_dump/pg_restore).

Backups use SQLite's online backup API, so they are consistent while the app runs (never a
file copy, which can catch a half-written page or miss the WAL); the file is created
owner-only. A restore first copies the file somewhere private (so the bytes checked are the
bytes restored) and checks the copy: a SQLite database that passes `PRAGMA integrity_check`
and `PRAGMA foreign_key_check`, at a migration revision this version knows, whose schema is
exactly what the migrations make at that revision (tracker/backup_schema.py: no trigger,
view, extra table or index, no changed column). Only then is it copied over the live
database, again through the backup API, in one step.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, make_url

from tracker.backup_schema import schema_problems
from tracker.files import create_new_private_file


class BackupError(RuntimeError):
    """A backup or restore was refused; the message says why."""


def sqlite_path(engine: Engine) -> Path:
    """The database file behind `engine`, or an error for other engines."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "This database is PostgreSQL: back it up with pg_dump and restore with pg_restore "
            "(see docs/operations.md, 'Backups and restore')."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return Path(url.database)


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to `target` (a new owner-only file); return its size in bytes."""
    source = sqlite_path(engine)
    try:
        create_new_private_file(target)
    except FileExistsError:
        raise BackupError(f"{target} exists already; choose a new file name.") from None
    except OSError as exc:
        raise BackupError(f"Cannot create {target}: {exc.strerror}.") from exc
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
    except BaseException:
        target.unlink(missing_ok=True)  # never leave half a backup behind
        raise
    return target.stat().st_size


def _private_copy(candidate: Path, copy: Path) -> None:
    """Copy `candidate` to the new owner-only file `copy`, checking the header first.

    Through SQLite's backup API, not byte by byte: a file whose last transactions still sit
    in a `-wal` beside it is copied whole (the API copies pages; it runs nothing of the file's
    schema)."""
    if not candidate.is_file():
        raise BackupError(f"{candidate} is not a file.")
    with candidate.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{candidate} is not a SQLite database.")
    create_new_private_file(copy)
    try:
        src = sqlite3.connect(candidate.resolve().as_uri() + "?mode=ro", uri=True)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{candidate} cannot be read as a database: {exc}") from exc


def check(candidate: Path, cfg: AlembicConfig, *, shown: Path | None = None) -> str:
    """Check that `candidate` is a sound backup of this app; return its migration revision.

    `shown` is the name to use in messages (the user's file, when `candidate` is a copy)."""
    shown = shown or candidate
    script = ScriptDirectory.from_config(cfg)
    conn = sqlite3.connect(candidate)
    try:
        # The file is untrusted: SQL functions named in its schema must not run here.
        conn.execute("PRAGMA trusted_schema=OFF")
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{shown} is damaged: {result}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{shown} is not a Team Tracker database (no migration record).")
        revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise BackupError(f"{shown} has {len(revisions)} migration revisions, not one.")
        revision = revisions[0]
        known = {rev.revision for rev in script.walk_revisions()}
        if revision not in known:
            raise BackupError(
                f"{shown} is at migration {revision}, which this version does not know "
                "(a backup from a newer version?)."
            )
        problems = schema_problems(conn, cfg, revision)
        if problems:
            raise BackupError(
                f"{shown} was refused: its schema is not the one migration {revision} makes. "
                + " ".join(problems)
            )
        dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            where = ", ".join(sorted({row[0] for row in dangling}))
            raise BackupError(f"{shown} has rows that refer to missing rows (in: {where}).")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown} cannot be read as a database: {exc}") from exc
    finally:
        conn.close()
    return revision


def restore(
    engine: Engine,
    candidate: Path,
    cfg: AlembicConfig,
    confirm: Callable[[str], None] | None = None,
) -> str:
    """Replace the live database with `candidate` after checking it; return its revision.

    `confirm(revision)` runs after the check and before anything is replaced (it may raise
    to stop)."""
    target = sqlite_path(engine)
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as folder:  # mode 0700
        copy = Path(folder) / "candidate.db"
        _private_copy(candidate, copy)
        revision = check(copy, cfg, shown=candidate)
        if confirm is not None:
            confirm(revision)
        engine.dispose()  # no pooled connection may keep reading the old pages
        src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    return revision
