"""Evidence a rating or a growth goal can cite from later features: a member's 1:1 meetings
(mentoring provides them in its init_app; competencies imports no later feature). Delivered
milestones come from sprints, which stands before competencies, directly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

# (db, member_id, held_before, limit) -> the member's meetings, newest first.
MeetingSource = Callable[[Session, int, datetime | None, int | None], Sequence[Any]]
_meetings: MeetingSource = lambda db, member_id, held_before, limit: []  # noqa: E731


def provide_meetings(source: MeetingSource) -> None:
    """Set where `meetings` reads from (mentoring does, in its init_app)."""
    global _meetings
    _meetings = source


def meetings(
    db: Session, member_id: int, *, held_before: datetime | None = None, limit: int | None = None
) -> list[Any]:
    """The member's meetings, newest first (only those held by `held_before`, at most `limit`)."""
    return list(_meetings(db, member_id, held_before, limit))
