"""Notices to an account's owner about what was done to their account (resets, new passwords):
a banner on every page until dismissed, and a list of recent security events."""

from __future__ import annotations

from datetime import datetime

from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker import localtime
from tracker.auth.models import AccountNotice, User
from tracker.db import get_db, utcnow

RECENT = 10


def when(moment: datetime, db: Session, user: User) -> str:
    """A (stored, UTC) time as the notice's reader `user` reads it: in their zone, named."""
    tz = localtime.zone_for(db, user)
    return f"{localtime.format_at(moment, tz)} ({tz})"


def notify(db: Session, user_id: int, text: str) -> None:
    """Tell the owner of `user_id` something at their next page view."""
    db.add(AccountNotice(user_id=user_id, text=text[:500], created_at=utcnow()))


def unseen(db: Session, user_id: int) -> list[AccountNotice]:
    """The notices the owner has not dismissed yet, newest first."""
    return list(
        db.scalars(
            select(AccountNotice)
            .where(AccountNotice.user_id == user_id, AccountNotice.seen_at.is_(None))
            .order_by(AccountNotice.id.desc())
        )
    )


def recent(db: Session, user_id: int, limit: int = RECENT) -> list[AccountNotice]:
    """The owner's latest notices, dismissed or not, newest first."""
    return list(
        db.scalars(
            select(AccountNotice)
            .where(AccountNotice.user_id == user_id)
            .order_by(AccountNotice.id.desc())
            .limit(limit)
        )
    )


def dismiss(db: Session, user_id: int) -> None:
    """Mark every unseen notice of `user_id` seen (they stay listed as recent events)."""
    db.execute(
        update(AccountNotice)
        .where(AccountNotice.user_id == user_id, AccountNotice.seen_at.is_(None))
        .values(seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def context() -> dict:
    """Template globals: the banner's notices, and the account page's recent events."""
    if not current_user or not current_user.is_authenticated:
        return {"account_notices": []}
    user_id = current_user.id
    # The flag comes with the user's own row: no query at all while there is nothing new.
    shown = unseen(get_db(), user_id) if current_user.has_unseen_notices else []
    return {"account_notices": shown, "security_events": lambda: recent(get_db(), user_id)}
