"""One-time account links: an admin's resets (a second admin approves those of accounts that
hold what an admin must not read), the operator's resets, opening a link once and using it.

The rule: no single admin ever holds a working credential for an account that is, or may
hold, someone else's private notes: a lead's, an admin's, anyone who has written a 1:1, or
anyone who ever was a lead or an admin (tracker/auth/protection.py).
Every step is audited and told to the account's owner.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, Result, func, select, update
from sqlalchemy.orm import Session

from tracker.auditing import record
from tracker.auth.models import AccountLink, User
from tracker.auth.notices import notify, when
from tracker.auth.protection import needs_second_admin
from tracker.auth.services import (
    ADMIN_BY_OPERATOR,
    NEUTRAL_INVITE_ERROR,
    AccountError,
    create_user,
    normalise_email,
    set_password,
)
from tracker.db import utcnow
from tracker.security import new_token, token_digest

# Once opened, a link must be used soon, in the browser that opened it.
OPENED_LIFETIME = timedelta(hours=1)
CLI_RESET = "flask --app wsgi tracker reset-link EMAIL"


class LinkRefused(AccountError):
    """The link was closed because it may no longer be used (the view commits that)."""


def audit(db: Session, action: str, user_id: int | None, summary: str = "") -> None:
    """An audit row about an account (skipped where the session has auditing off: seeding)."""
    if db.info.get("audit") is not False:
        record(db, action, "user", user_id, summary)


def _rowcount(result: Result[Any]) -> int:
    # Session.execute is typed as returning a Result; an UPDATE's is always a CursorResult.
    return cast("CursorResult[Any]", result).rowcount


def _lifetime() -> timedelta:
    return current_app.config["INVITATION_LIFETIME"]


def close_links(db: Session, *where) -> None:
    """Close every unused link (or request) matching `where`: only the newest one works."""
    db.execute(
        update(AccountLink)
        .where(AccountLink.used_at.is_(None), *where)
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def new_link(db: Session, kind: str, acting: User | None, **fields) -> tuple[AccountLink, str]:
    """A link with a fresh token (only its digest is stored)."""
    token = new_token()
    now = utcnow()
    link = AccountLink(
        kind=kind,
        token_digest=token_digest(token),
        created_by_id=acting.id if acting else None,
        created_at=now,
        expires_at=now + _lifetime(),
        **fields,
    )
    db.add(link)
    db.flush()
    return link, token


def create_account(db: Session, email: str, name: str, role: str, acting: User):
    """An admin creates an account and gets its first one-time link (it holds nothing yet)."""
    if role == "admin":
        raise AccountError(ADMIN_BY_OPERATOR, "role")
    user = create_user(db, email, name, role, None)
    link, token = new_link(db, "reset", acting, user_id=user.id)
    audit(db, "account link issued", user.id, f"first password link for {user.email}")
    return user, token


def reset(db: Session, user: User, acting: User) -> str | None:
    """An admin resets `user`'s password: the link's token, or None for a waiting request."""
    now = utcnow()
    close_links(db, AccountLink.user_id == user.id)
    if not needs_second_admin(db, user):
        _link, token = new_link(db, "reset", acting, user_id=user.id)
        audit(db, "reset link issued", user.id, f"for {user.email}, by one admin")
        notify(
            db,
            user.id,
            f"{acting.name} issued a password-reset link for you at {when(now, db, user)}.",
        )
        return token
    others = db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != acting.id)
    )
    if not others:
        raise AccountError(
            f"Resetting {user.name}'s password needs a second admin to approve it, and you are "
            "the only active admin. Whoever runs the server can issue a one-time link instead "
            f"(they hold the database already): {CLI_RESET.replace('EMAIL', user.email)}"
        )
    db.add(
        AccountLink(
            kind="reset",
            user_id=user.id,
            created_by_id=acting.id,
            created_at=now,
            expires_at=now + _lifetime(),
            needs_approval=True,
        )
    )
    audit(db, "reset requested", user.id, f"for {user.email}; waits for a second admin")
    notify(
        db,
        user.id,
        f"{acting.name} asked at {when(now, db, user)} for your password to be reset; "
        "another admin must approve it.",
    )
    return None


def requests(db: Session) -> list[AccountLink]:
    """Open reset requests and approved links not used yet, newest first."""
    return list(
        db.scalars(
            select(AccountLink)
            .where(
                AccountLink.kind == "reset",
                AccountLink.needs_approval.is_(True),
                AccountLink.used_at.is_(None),
                AccountLink.expires_at > utcnow(),
            )
            .order_by(AccountLink.id.desc())
        )
    )


def get_request(db: Session, link_id: int) -> AccountLink | None:
    """The reset request `link_id`, or None."""
    link = db.get(AccountLink, link_id)
    return link if link is not None and link.needs_approval else None


def approve(db: Session, link: AccountLink, acting: User) -> str:
    """A second admin approves a reset request: the link's token, shown to them only."""
    requester = link.created_by
    if link.created_by_id == acting.id:
        raise AccountError("You asked for this reset: another admin must approve it.")
    if requester is None or not requester.active or not requester.is_admin:
        raise AccountError("Whoever asked for this reset is no longer an active admin.")
    token, now = new_token(), utcnow()
    done = db.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.approved_at.is_(None),
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > now,
        )
        .values(
            approved_at=now,
            approved_by_id=acting.id,
            token_digest=token_digest(token),
            expires_at=now + _lifetime(),
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(done) != 1:  # approved, cancelled or expired meanwhile: one approval only
        raise AccountError("This request is no longer waiting for approval.")
    db.expire(link)
    user = link.user
    assert user is not None  # a reset request names its account
    audit(db, "reset approved", user.id, f"asked by {requester.email}")
    notify(
        db,
        user.id,
        f"{acting.name} approved at {when(now, db, user)} the reset of your password "
        f"asked by {requester.name}.",
    )
    return token


def cancel(db: Session, link: AccountLink, acting: User) -> None:
    """Cancel a request, or an approved link not used yet."""
    if link.used_at is not None:
        raise AccountError("This reset is closed already.")
    close_links(db, AccountLink.id == link.id)
    db.expire(link)
    assert link.user_id is not None  # a reset request names its account
    audit(db, "reset cancelled", link.user_id, f"by {acting.email}")
    notify(db, link.user_id, f"{acting.name} cancelled the reset of your password.")


def operator_reset(db: Session, email: str) -> str:
    """The server's operator (the CLI) issues a reset link; no approval needed."""
    user = db.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"No account has the email {normalise_email(email)}.")
    now = utcnow()
    close_links(db, AccountLink.user_id == user.id)
    _link, token = new_link(db, "reset", None, user_id=user.id, approved_at=now)
    audit(db, "reset link issued", user.id, f"for {user.email}, on the command line")
    notify(
        db,
        user.id,
        f"A password-reset link for you was issued on the server at {when(now, db, user)}.",
    )
    return token


# --- opening and using a link -----------------------------------------------------------------


def open_link(db: Session, token: str) -> tuple[int, str] | None:
    """Exchange a link's URL token, once, for (link id, nonce) to keep in the opener's session."""
    # From then on the nonce is the only secret that unlocks the link: the URL is dead.
    now = utcnow()
    link = db.scalar(select(AccountLink).where(AccountLink.token_digest == token_digest(token)))
    if link is None or link.opened_at is not None or not link.is_usable(now):
        return None
    nonce = new_token()
    done = db.execute(
        update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.opened_at.is_(None),
            AccountLink.used_at.is_(None),
        )
        .values(
            opened_at=now,
            token_digest=token_digest(nonce),
            expires_at=min(link.expires_at, now + OPENED_LIFETIME),
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(done) != 1:  # another request opened it first
        return None
    audit(db, "link opened", link.user_id, f"{link.kind} link #{link.id}")
    return link.id, nonce


def bound_link(db: Session, binding) -> AccountLink | None:
    """The usable link that this session opened, or None."""
    if not (isinstance(binding, list) and len(binding) == 2):
        return None
    link_id, nonce = binding
    if not isinstance(link_id, int) or not isinstance(nonce, str):
        return None
    link = db.get(AccountLink, link_id)
    if link is None or link.opened_at is None or not link.is_usable(utcnow()):
        return None
    if not secrets.compare_digest(link.token_digest or "", token_digest(nonce)):
        return None
    return link


def _issued_by(link: AccountLink) -> str:
    if link.created_by_id is None:
        return "issued on the server"
    by = link.created_by.name if link.created_by else "a former account"
    if link.approved_by is not None:
        return f"issued by {by}, approved by {link.approved_by.name}"
    return f"issued by {by}"


def use_link(db: Session, link: AccountLink, password: str) -> User:
    """Use an opened link: an invitation creates the engineer's account, a reset sets a password."""
    # LinkRefused (committed by the view) when the account now needs an approval the link lacks.
    now = utcnow()
    closed = db.execute(
        update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(closed) != 1:
        raise LinkRefused("This link is no longer valid.")
    if link.kind == "invite":
        member = link.member
        assert member is not None
        taken = db.scalar(select(User.id).where(User.email == normalise_email(member.email)))
        if member.user_id is not None or member.archived or taken:
            raise LinkRefused(NEUTRAL_INVITE_ERROR)
        created = create_user(db, member.email, member.name, "engineer", None)
        set_password(created, password)
        created.password_from_link = True  # the inviting lead held the link
        member.user = created
        audit(db, "invitation used", created.id, f"{created.email}, invited by {_issued_by(link)}")
        return created
    user = link.user
    assert user is not None
    if link.approved_at is None and needs_second_admin(db, user):
        audit(db, "reset link refused", user.id, f"needs a second admin; {_issued_by(link)}")
        raise LinkRefused(
            "This link can no longer be used: resetting this account's password now needs a "
            "second admin's approval. Ask an admin for a new reset."
        )
    first = user.password_hash is None
    set_password(user, password)
    # Only a link a second admin or the operator approved was out of its issuer's hands.
    user.password_from_link = link.approved_at is None
    how = _issued_by(link)
    if first:
        audit(db, "password set", user.id, f"first password, with a link {how}")
    else:
        audit(db, "password reset", user.id, f"with a link {how}")
        notify(db, user.id, f"Your password was reset at {when(now, db, user)} with a link {how}.")
    return user
