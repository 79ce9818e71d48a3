"""Login sessions kept on the server: each login is a row, and its cookies name that row.

The Flask-Login id in both the session cookie and the remember cookie is
"user:session_token:key:issued": the user's session token (changed by a password change, a role
change, deactivation, archiving and "log out everywhere", which end every login at once), a
random key whose SHA-256 is the row's `key_digest`, and the row's issue time. A cookie is
refused once its row is revoked (logout, "end session"), past its lifetime (counted from the
issue time, on the server, whatever the cookie says) or when its issue time is not the row's.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    ForeignKey,
    String,
    delete,
    event,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from tracker.auth.models import User
from tracker.db import Base, utcnow, write_apart
from tracker.security import token_digest

# "Last seen" is written at most this often per session: a page view stays a read.
TOUCH_EVERY = timedelta(minutes=5)
KEEP_ENDED = timedelta(days=30)  # ended logins stay listed in the table this long, then go
COOKIE_ID = re.compile(r"([0-9]{1,10}):([0-9a-f]{1,64}):([A-Za-z0-9_-]{43}):([0-9]{1,12})")


class LoginSession(Base):
    """One login: what its cookies name, until it is revoked or its lifetime ends."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # the issue time, whole seconds
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    def is_live(self, now: datetime) -> bool:
        """Not revoked and within its lifetime."""
        return self.revoked_at is None and now < self.expires_at and now < _deadline(self)


def _lifetime(remember: bool) -> timedelta:
    cfg = current_app.config
    return cfg["REMEMBER_COOKIE_DURATION"] if remember else cfg["SESSION_ABSOLUTE_LIFETIME"]


def _deadline(row: LoginSession) -> datetime:
    # The lifetime as configured now, so that shortening it applies to existing logins too.
    return row.created_at + _lifetime(row.remember)


def _issued(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp())


# Called with (connection, user ids) whenever every session of those users ends, in the same
# transaction: other features end their own credentials (the calendar feed) without auth
# importing them.
END_ALL_HOOKS: list[Callable[[Connection, list[int]], None]] = []


def on_end_all(hook: Callable[[Connection, list[int]], None]):
    """Register `hook` to run whenever all of a user's sessions end (once per hook)."""
    if hook not in END_ALL_HOOKS:
        END_ALL_HOOKS.append(hook)
    return hook


@event.listens_for(User, "after_update")
def _token_changed(_mapper, connection: Connection, user: User) -> None:
    # A new session token ends every login of the user: their rows say so too (the account
    # page lists live ones only), and the hooks end what else the account holds.
    state = inspect(user)
    if not state.attrs.session_token.history.has_changes():
        return
    now = utcnow()
    table = LoginSession.__table__
    connection.execute(
        update(table)
        .where(table.c.user_id == user.id, table.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if state.session is not None:  # rows this session holds say so too
        for obj in list(state.session.identity_map.values()):
            if isinstance(obj, LoginSession) and obj.user_id == user.id and not obj.revoked_at:
                set_committed_value(obj, "revoked_at", now)
    for hook in END_ALL_HOOKS:
        hook(connection, [user.id])


def start(db: Session, user: User, remember: bool, address: str, user_agent: str) -> str:
    """Record a new login of `user`; returns the Flask-Login id its cookies carry."""
    key = secrets.token_urlsafe(32)
    now = utcnow().replace(microsecond=0)
    row = LoginSession(
        user_id=user.id,
        key_digest=token_digest(key),
        created_at=now,
        last_seen_at=now,
        expires_at=now + _lifetime(remember),
        remember=bool(remember),
        address=(address or "unknown")[:64],
        user_agent=(user_agent or "")[:200],
    )
    db.add(row)
    # The user's logins that ended long ago are dropped as we go: the table stays small.
    db.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id,
            or_(
                LoginSession.expires_at < now - KEEP_ENDED,
                LoginSession.revoked_at < now - KEEP_ENDED,
            ),
        )
    )
    db.flush()
    user.login_id = f"{user.id}:{user.session_token}:{key}:{_issued(now)}"
    user.login_session_id = row.id
    return user.login_id


def load(db: Session, cookie_id: str) -> User | None:
    """The user whose live login `cookie_id` names, or None (one query)."""
    match = COOKIE_ID.fullmatch(cookie_id)
    if match is None:
        return None
    user_id, token, key, issued = match.groups()
    found = db.execute(
        select(User, LoginSession)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.key_digest == token_digest(key))
    ).first()
    if found is None:
        return None
    user, row = found
    now = utcnow()
    if (
        user.id != int(user_id)
        or not user.active
        or not secrets.compare_digest(user.session_token, token)
        or _issued(row.created_at) != int(issued)
        or not row.is_live(now)
    ):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        table = LoginSession.__table__
        write_apart(update(table).where(table.c.id == row.id).values(last_seen_at=now))
    user.login_id = cookie_id
    user.login_session_id = row.id
    return user


def revoke_apart(session_id: int) -> None:
    """End one login after the request (a session that timed out during a read)."""
    table = LoginSession.__table__
    write_apart(
        update(table)
        .where(table.c.id == session_id, table.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_expired_login() -> ResponseReturnValue | None:
    """Before any view: a login older than its absolute lifetime ends, whatever its activity.

    It loads the user (Flask-Login loads on first use of `current_user`), so it comes after
    everything that must run before that (tracker/requests.py)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    raw = session.get("login_at")
    now = utcnow()
    if raw is None:
        session["login_at"] = now.isoformat()  # restored from a remember-me cookie
        return None
    if now - datetime.fromisoformat(raw) > current_app.config["SESSION_ABSOLUTE_LIFETIME"]:
        if current_user.login_session_id:  # its cookies are cleared; a copy must die too
            revoke_apart(current_user.login_session_id)
        logout_user()
        session.clear()
        session["_remember"] = "clear"  # and the remember cookie (clear() forgot logout's ask)
        flash("Your session has expired. Please log in again.", "info")
        return redirect(url_for("auth.login", next=request.full_path))
    return None


def live_sessions(db: Session, user: User) -> list[LoginSession]:
    """The user's live logins, newest first."""
    now = utcnow()
    rows = db.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
        )
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
    )
    return [row for row in rows if row.is_live(now)]


def end_session(db: Session, user: User, session_id: int | None) -> LoginSession | None:
    """End one of the user's own live logins; None when it is not one."""
    row = db.get(LoginSession, session_id) if session_id is not None else None
    if row is None or row.user_id != user.id or not row.is_live(utcnow()):
        return None
    row.revoked_at = utcnow()
    db.flush()
    return row


def end_other_sessions(db: Session, user: User, keep_id: int | None) -> int:
    """End every live login of the user but `keep_id`; returns how many."""
    ended = [row for row in live_sessions(db, user) if row.id != keep_id]
    for row in ended:
        row.revoked_at = utcnow()
    db.flush()
    return len(ended)


def describe(row: LoginSession) -> str:
    """A short, note-free label of a login for the audit log."""
    return f"session #{row.id} from {row.address}, {browser(row.user_agent)}"


def browser(user_agent: str) -> str:
    """A readable browser name from a User-Agent header (best effort)."""
    for name in ("Edg", "OPR", "Firefox", "Chrome", "Safari"):
        if name + "/" in user_agent:
            label = {"Edg": "Edge", "OPR": "Opera"}.get(name, name)
            system = next(
                (
                    s
                    for s in ("Windows", "Android", "iPhone", "iPad", "Mac OS", "Linux")
                    if s in user_agent
                ),
                "",
            )
            return f"{label} on {system.replace('Mac OS', 'macOS')}" if system else label
    return user_agent[:60] or "unknown browser"


def end_every_login(db: Session) -> tuple[int, int]:
    """End every user's logins (and, through the hooks, calendar feeds) and close every unused
    one-time link; return (users, links). For a restored backup: what was ended or used after
    it was taken must not come back to life."""
    from tracker.auth.models import AccountLink

    users = list(db.scalars(select(User)))
    for user in users:
        user.end_all_sessions()
    now = utcnow()
    links = list(db.scalars(select(AccountLink).where(AccountLink.used_at.is_(None))))
    for link in links:
        link.used_at = now
    db.flush()
    return len(users), len(links)
