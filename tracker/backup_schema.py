"""A backup's schema, compared with exactly what the migrations make at its revision.

The reference is made by running the migrations up to that revision on an empty SQLite file
(once per revision and process), then every entry of `sqlite_master` (type, name, table,
definition) is compared: a trigger, view, virtual table, extra table or index, or a changed
column or constraint is named and refused. Definitions are compared with their whitespace
folded only, as SQLAlchemy versions lay DDL out differently.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

# Written by SQLite itself on ANALYZE: planner statistics, with no code and no app data.
SQLITE_STATS = {
    "sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
    "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
}
SHOWN = 12  # objects named per kind of problem; the rest are counted

Key = tuple[str, str]  # (type, name)
Schema = dict[Key, tuple[str, str | None]]  # -> (table, definition)

_references: dict[tuple[str, str], Schema] = {}
_lock = threading.Lock()


CONSTRAINT = re.compile(r"(CONSTRAINT|PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)\b", re.I)


def _fold(sql: str | None) -> str | None:
    if sql is None:
        return None
    folded = re.sub(r"\s*([(),])\s*", r"\1", " ".join(sql.split()))
    return _table_in_order(folded) if folded.upper().startswith("CREATE TABLE") else folded


def _top_level(sql: str) -> tuple[list[int], list[int]]:
    """Where the outermost parentheses open and close, and the commas directly inside them."""
    bounds, commas, depth, quote = [], [], 0, None
    for i, ch in enumerate(sql):
        if quote:
            quote = None if ch == quote else quote  # a doubled quote reopens at once
        elif ch in "'\"`":
            quote = ch
        elif ch == "[":
            quote = "]"
        elif ch == "(":
            depth += 1
            if depth == 1:
                bounds.append(i)
        elif ch == ")":
            depth -= 1
            if depth == 0:
                bounds.append(i)
        elif ch == "," and depth == 1:
            commas.append(i)
    return bounds, commas


def _table_in_order(sql: str) -> str:
    """A CREATE TABLE with its columns in order and its table constraints sorted: batch
    migrations rebuild tables with the constraints in no fixed order."""
    bounds, commas = _top_level(sql)
    if len(bounds) < 2:
        return sql
    start, end = bounds[0], bounds[1]
    cuts = [start, *(c for c in commas if c < end), end]
    items = [sql[a + 1 : b] for a, b in zip(cuts, cuts[1:], strict=False)]
    columns = [item for item in items if not CONSTRAINT.match(item)]
    constraints = sorted(item for item in items if CONSTRAINT.match(item))
    return sql[: start + 1] + ",".join(columns + constraints) + sql[end:]


def schema_of(conn: sqlite3.Connection) -> tuple[Schema, list[Key]]:
    """Every schema object of the database (SQLite's statistics aside), and any key that
    appears more than once (only a hand-edited file has those)."""
    schema: Schema = {}
    repeated = []
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    for kind, name, table, sql in rows:
        if kind == "table" and name in SQLITE_STATS and _fold(sql) == _fold(SQLITE_STATS[name]):
            continue
        if (kind, name) in schema:
            repeated.append((kind, name))
        schema[(kind, name)] = (table, _fold(sql))
    return schema, repeated


def reference(cfg: AlembicConfig, revision: str) -> Schema:
    """The schema the migrations in `cfg`'s script folder make at `revision`."""
    key = (str(cfg.get_main_option("script_location")), revision)
    with _lock:
        if key not in _references:
            _references[key] = _build(cfg, revision)
        return _references[key]


def _build(cfg: AlembicConfig, revision: str) -> Schema:
    with tempfile.TemporaryDirectory(prefix="tracker-schema-") as folder:
        path = Path(folder) / "reference.db"
        ref = AlembicConfig(cfg.config_file_name)
        ref.set_main_option("script_location", str(cfg.get_main_option("script_location")))
        ref.attributes.update(database_url=f"sqlite:///{path}", skip_logging=True)
        command.upgrade(ref, revision)
        conn = sqlite3.connect(path)
        try:
            return schema_of(conn)[0]
        finally:
            conn.close()


def _name(text: str) -> str:
    # Names come from an untrusted file: no control characters reach the terminal.
    return '"' + text.encode("unicode_escape").decode("ascii") + '"'


def _describe(key: Key, entry: tuple[str, str | None]) -> str:
    kind, name = key
    table, sql = entry
    if kind == "table" and (sql or "").upper().startswith("CREATE VIRTUAL TABLE"):
        kind = "virtual table"
    if kind in ("index", "trigger") and table:
        return f"{kind} {_name(name)} on {_name(table)}"
    return f"{kind} {_name(name)}"


def _listed(items: list[str]) -> str:
    more = len(items) - SHOWN
    return ", ".join(items[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def schema_problems(conn: sqlite3.Connection, cfg: AlembicConfig, revision: str) -> list[str]:
    """Sentences naming each way the database's schema differs from the migrations' one."""
    found, repeated = schema_of(conn)
    expected = reference(cfg, revision)
    extra = [_describe(k, found[k]) for k in sorted(found.keys() - expected.keys())]
    missing = [_describe(k, expected[k]) for k in sorted(expected.keys() - found.keys())]
    changed = [
        _describe(k, found[k])
        for k in sorted(found.keys() & expected.keys())
        if found[k] != expected[k]
    ]
    problems = []
    if extra:
        problems.append(f"It carries {_listed(extra)}, which the migrations do not create.")
    if changed:
        problems.append(f"It defines {_listed(changed)} differently from the migrations.")
    if missing:
        problems.append(f"It lacks {_listed(missing)}.")
    if repeated:
        problems.append(f"It lists {_listed([_describe(k, found[k]) for k in repeated])} twice.")
    return problems
