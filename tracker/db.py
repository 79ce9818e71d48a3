"""Database plumbing: the declarative Base, one engine per app, one session per request."""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from flask import Flask, current_app, g, request
from sqlalchemy import Executable, MetaData, String, Table, create_engine, event, select
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement

from tracker.files import create_private_file, tighten_sqlite_files

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite transactions that will write start as BEGIN IMMEDIATE, so two writers queue on the
# busy timeout instead of failing with "database is locked" when a read lock is upgraded.
# Reads (GET/HEAD requests) start deferred and never block writers under WAL.
_immediate: ContextVar[bool] = ContextVar("tracker_sqlite_immediate", default=True)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so constraints migrate on both engines."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # Declared by each model, read by core (tracker/auditing.py, tracker/cache.py), which
    # imports no feature: the name the audit log gives the model's rows (None: not audited),
    # whether the log may show their values (False: it names changed fields only), and
    # whether writing them makes cached pages stale.
    audit_as: ClassVar[str | None] = None
    audit_values: ClassVar[bool] = True
    invalidates_pages: ClassVar[bool] = True

    def audit_created(self) -> str | None:
        """What the audit log says of this new row instead of its fields (None: its fields)."""
        return None

    if TYPE_CHECKING:
        # Every model here maps a Table (SQLAlchemy types it as any FromClause), so Core
        # update()/delete() accept Model.__table__.
        __table__: ClassVar[Table]


def utcnow() -> datetime:
    """The current time in UTC, without tzinfo (stored naive, always UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def fold(name: str) -> str:
    """A name's case-insensitive key. Compared in Python: SQLite's lower() folds ASCII only."""
    return " ".join(name.split()).casefold()


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class Folded(FunctionElement):
    """`lower(x)` that folds every letter, not only ASCII: PostgreSQL's own lower(); on SQLite
    (whose lower() folds ASCII only) Python's str.lower, registered on each connection as
    `unicode_lower`. Compare it with a term lower-cased in Python (tracker/search)."""

    type = String()
    inherit_cache = True


@compiles(Folded)
def _folded_default(element, compiler, **kw) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "sqlite")
def _folded_sqlite(element, compiler, **kw) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


class _AsciiFolded(Folded):
    """`Folded`, for comparing with an ASCII-only term by LIKE: SQLite's LIKE ignores the case
    of ASCII letters by itself, so the column is compared as it is (no call per row)."""

    inherit_cache = True


@compiles(_AsciiFolded, "sqlite")
def _ascii_folded_sqlite(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape character: backslash) matching `term` anywhere, its own `%`,
    `_` and backslashes taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_folded(column, term: str):
    """`column` holds `term`, letter case aside (any letter, on both engines), and LIKE's
    wildcards in `term` taken literally."""
    folded = _AsciiFolded(column) if term.isascii() else Folded(column)
    return folded.like(like_pattern(term.lower()), escape="\\")


def same_name(db: Session, id_column, name_column, name: str, *where) -> int | None:
    """The id of the row (among those `where` selects) whose name folds to `name`'s key.

    Names are few per scope (a team's projects and sprints, the teams), so this reads them."""
    key = fold(name)
    rows = db.execute(select(id_column, name_column).where(*where))
    return next((row_id for row_id, other in rows if fold(other) == key), None)


_QUOTED_VALUE = re.compile(r':\s*".*\Z', re.S)


def _server_message_only(context: ExceptionContext) -> None:
    """A PostgreSQL error keeps only its primary message: the server's DETAIL and CONTEXT
    quote the row's values ("Key (email)=(...) already exists", "Failing row contains
    (...)"), and a data error's message quotes the value it could not read."""
    error = context.original_exception
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary:
        return
    if (getattr(diag, "sqlstate", None) or "").startswith("22"):  # data exceptions
        primary = _QUOTED_VALUE.sub(": (the value is not shown)", primary)
    full = str(error)
    error.args = (primary,)
    wrapped = context.sqlalchemy_exception  # its message was made from the full text
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].replace(full, primary), *wrapped.args[1:])


def make_engine(url: str, echo: bool = False, *, deferred_only: bool = False) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL, a busy timeout and explicit BEGINs.

    `deferred_only` makes every SQLite transaction start deferred (for read-mostly tools
    such as the test suite's own session, which must never hold the write lock while idle).
    """
    parsed = make_url(url)
    # Errors name the statement, never its values: a log must not hold notes or e-mails.
    if parsed.get_backend_name() != "sqlite":
        server = create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)
        event.listen(server, "handle_error", _server_message_only)
        return server

    in_memory = parsed.database in (None, "", ":memory:")
    if parsed.database and not in_memory and not parsed.query.get("uri"):
        create_private_file(parsed.database)
        tighten_sqlite_files(parsed.database)  # made readable by others by an older version
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # `Folded(...)` (above): lower() for every letter, as on PostgreSQL.
        dbapi_conn.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = _immediate.get() and not deferred_only
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to `app` (its hooks: tracker/requests.py)."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)


def choose_begin() -> None:
    """Before the request's first statement: its SQLite transaction starts IMMEDIATE when it
    may write (any method but GET, HEAD and OPTIONS, or a view marked `writes`)."""
    view = current_app.view_functions.get(request.endpoint or "")
    _immediate.set(
        request.method not in ("GET", "HEAD", "OPTIONS") or getattr(view, "writes", False)
    )


def writes(view):
    """Mark a GET view that writes (an export it logs): its SQLite transaction starts
    IMMEDIATE, so it never fails upgrading a read lock under concurrent writers. A mark, not a
    wrapper: it works above or below `@bp.route`."""
    view.writes = True
    return view


def get_engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["tracker.engine"]


def get_db() -> Session:
    """The session of the current request or CLI command (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tracker.sessionmaker"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """At the end of the request or command: close its session, rolling back what is left."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything not committed


APART = "tracker.apart"


def write_apart(statement: Executable) -> None:
    """Run a Core statement (a refusal's audit row, a session's "last seen") after the request,
    in its own short transaction on its own connection: the request's transaction may be
    rolled back or, on SQLite, a GET's read that must never upgrade to a write. Core, not the
    ORM: no flush listener sees it, so the page cache's data version stays as it is."""
    g.setdefault(APART, []).append(statement)


def run_apart(_exc: BaseException | None = None) -> None:
    """After the request: run what `write_apart` queued, in one short transaction of its own."""
    statements = g.pop(APART, None)
    if not statements:
        return
    close_session()  # first: on SQLite the request's session may hold the write lock
    immediate = _immediate.set(True)
    try:
        with get_engine().begin() as conn:
            for statement in statements:
                conn.execute(statement)
    except SQLAlchemyError:  # the response is made: a lost "last seen" must not break it
        current_app.logger.exception("A write after the request failed")
    finally:
        _immediate.reset(immediate)
