"""Rendered pages, cached per user and invalidated exactly, by a data version.

Every transaction that changes anything (an ORM flush with changes, or a bulk ORM insert,
update or delete) sets a new random token in the one-row table `data_version` as its last
statement before COMMIT (last, so that the row's lock is held only for the commit and never
taken before another row's: no new deadlocks). A cached page is kept under the token read at the
very start of its request, before the user or anything else is loaded, so on PostgreSQL too
(READ COMMITTED) everything the page shows is at least as new as its token: any write, by any
worker or any command, makes every cached page a miss. A restored backup brings the token that
belongs to its data.

The key also holds the user, their session's CSRF secret (the HTML holds forms and their
tokens), the page's arguments and the minute: pages that compare with the clock ("overdue",
"scheduled") are at most a minute behind it, never behind the data. A page with a message to
flash is rendered, not cached. Each worker keeps its own small LRU (`PAGE_CACHE_SIZE`
entries, at most `PAGE_CACHE_BYTES` of HTML; a size of 0 turns caching off). Views normalise
each argument to the values it can take before they call `render_cached` (an unknown sort
is the default sort, a page past the last is the last), so junk in a query string reuses
the real page's entry instead of adding one.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base, get_db, utcnow


class DataVersion(Base):
    """One row: a token that changes with every write transaction."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def _bump(db: Session) -> None:
    # Core on the connection: no ORM events, so neither listener below runs again.
    db.connection().execute(
        update(DataVersion.__table__)
        .where(DataVersion.__table__.c.id == 1)
        .values(token=secrets.token_hex(8))
    )


WROTE = "tracker.wrote"


def _after_flush(db: Session, _context) -> None:
    # Each model declares whether its rows are on any page (Base.invalidates_pages). The login
    # throttle's counters are written as Core statements besides, which no ORM event sees:
    # anonymous failed logins do not keep every cache cold (tracker/auth/throttle.py).
    if any(type(obj).invalidates_pages for obj in (*db.new, *db.dirty, *db.deleted)):
        db.info[WROTE] = True


def _after_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        mapper = state.bind_mapper
        if mapper is None or mapper.class_.invalidates_pages:
            state.session.info[WROTE] = True


def _before_commit(db: Session) -> None:
    db.flush()  # what is pending first: it may be the transaction's only write
    if db.info.pop(WROTE, False):
        _bump(db)


def _after_rollback(db: Session) -> None:
    db.info.pop(WROTE, None)


def install() -> None:
    """Listen to every session's writes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _after_bulk)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def page_cached(view):
    """Mark a GET view that calls `render_cached`: its request reads the token first of all.
    A mark, not a wrapper: it works above or below `@bp.route`."""
    view.page_cached = True
    return view


def read_token() -> None:
    """Before anything loads the user: the data version a cached page of this request is kept
    under (only for a GET of a view marked `page_cached`, when the cache is on)."""
    view = current_app.view_functions.get(request.endpoint or "")
    pages: PageCache = current_app.extensions["tracker.pages"]
    if request.method == "GET" and getattr(view, "page_cached", False) and pages.size:
        g.page_token = current_token(get_db())


def current_token(db: Session) -> str | None:
    return db.scalar(select(DataVersion.token).where(DataVersion.id == 1))


DEFAULT_BYTES = 32 * 1024 * 1024
ENTRY_OVERHEAD = 400  # the key's tuple and strings, the dict slot: roughly, per entry


class PageCache:
    """An LRU of rendered HTML, bounded by entries (`size`) and by bytes (`max_bytes`): a
    matrix page can weigh megabytes, so a count alone would not bound a worker's memory."""

    def __init__(self, size: int, max_bytes: int = DEFAULT_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[Hashable, tuple[str, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._pages.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, html: str) -> None:
        cost = sys.getsizeof(html) + ENTRY_OVERHEAD  # what the string really holds in memory
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if cost > self.max_bytes:
                return  # larger than the whole budget: rendered each time, never kept
            self._pages[key] = (html, cost)
            self.bytes += cost
            while len(self._pages) > self.size or self.bytes > self.max_bytes:
                _key, (_html, freed) = self._pages.popitem(last=False)
                self.bytes -= freed


def init_app(app) -> None:
    """Listen to writes and give `app` its page cache (`read_token` runs: tracker/requests.py)."""
    install()
    app.extensions["tracker.pages"] = PageCache(
        app.config.get("PAGE_CACHE_SIZE", 256), app.config.get("PAGE_CACHE_BYTES", DEFAULT_BYTES)
    )


def render_cached(name: str, args: tuple, render: Callable[[], str]) -> str:
    """The page `render()` makes for the current user, from the cache when nothing has been
    written since (see the module's docstring for what the key holds)."""
    cache: PageCache = current_app.extensions["tracker.pages"]
    if not cache.size or session.get("_flashes"):
        return render()
    generate_csrf()  # the session's CSRF secret now, so that the page's forms are signed with it
    secret = session[current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")]
    token = g.get("page_token")
    if token is None:  # not read first (an unmarked view), or no version row: no proof
        return render()
    minute = utcnow().strftime("%Y-%m-%dT%H:%M")
    key = (name, args, current_user.get_id(), secret, minute, token)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.put(key, html)
    return html
