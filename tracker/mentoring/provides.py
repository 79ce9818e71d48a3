"""What mentoring gives the features before it, through their hooks: its meetings as evidence
(tracker/competencies/evidence.py) and their authors as accounts holding private notes
(tracker/auth/protection.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker.mentoring.models import Meeting


def member_meetings(
    db: Session, member_id: int, held_before: datetime | None, limit: int | None
) -> Sequence[Meeting]:
    """The member's meetings, newest first (held by `held_before`, at most `limit`)."""
    query = (
        select(Meeting)
        .where(Meeting.member_id == member_id)
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    )
    if held_before is not None:
        query = query.where(Meeting.held_at <= held_before)
    if limit is not None:
        query = query.limit(limit)
    return db.scalars(query).all()


def wrote_meetings(db: Session, user_id: int) -> bool:
    """True when the account wrote a meeting (its private notes are for its eyes only)."""
    return bool(db.scalar(select(exists().where(Meeting.mentor_id == user_id))))
