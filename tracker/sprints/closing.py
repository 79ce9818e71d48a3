"""Closing a sprint: what was planned, done and left; carry-over or drop, each recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.sprints.models import Milestone, Sprint
from tracker.sprints.services import (
    SprintError,
    create_sprint,
    propose_next_sprint,
    record_move,
    start_sprint,
)


def next_sprint_after(db: Session, sprint: Sprint) -> Sprint | None:
    """The team's first planned sprint after `sprint`."""
    return db.scalar(
        select(Sprint)
        .where(
            Sprint.team_id == sprint.team_id,
            Sprint.state == "planned",
            Sprint.start_date > sprint.end_date,
        )
        .order_by(Sprint.start_date)
        .limit(1)
    )


def sprint_milestones(db: Session, sprint: Sprint) -> list[Milestone]:
    """The milestones planned for a sprint, with their project and owner."""
    return list(
        db.scalars(
            select(Milestone)
            .options(joinedload(Milestone.project), joinedload(Milestone.owner))
            .where(Milestone.sprint_id == sprint.id)
            .order_by(Milestone.due_date, Milestone.id)
        )
    )


@dataclass
class Decision:
    """What to do with an unfinished milestone when its sprint closes."""

    action: str  # "carry" or "drop"
    reason: str = ""


def close_sprint(
    db: Session,
    sprint: Sprint,
    user: User,
    decisions: dict[int, Decision],
    *,
    start_next: bool = False,
    today: date | None = None,
) -> Sprint | None:
    """Close the sprint: carry unfinished milestones to the next sprint (each move recorded)
    or drop them with a reason. Returns the next sprint (created when needed)."""
    if sprint.state != "active":
        raise SprintError(f"{sprint.name} is {sprint.state}: only the active sprint can close.")
    unfinished = [m for m in sprint_milestones(db, sprint) if m.is_open]
    for m in unfinished:
        decision = decisions.get(m.id)
        if decision is None or decision.action not in ("carry", "drop"):
            raise SprintError(f"Choose what happens to {m.title}.", f"action_{m.id}")
        if decision.action == "drop" and not decision.reason.strip():
            raise SprintError(f"Give a reason for dropping {m.title}.", f"reason_{m.id}")
    target = next_sprint_after(db, sprint)
    carry = [m for m in unfinished if decisions[m.id].action == "carry"]
    if target is None and (carry or start_next):
        target = create_sprint(db, sprint.team, propose_next_sprint(db, sprint.team, today))
    for m in unfinished:
        decision = decisions[m.id]
        if decision.action == "carry":
            record_move(db, m, target, user, decision.reason, carried_over=True)
        else:
            m.status, m.drop_reason = "dropped", decision.reason.strip()
    sprint.state, sprint.closed_at = "closed", utcnow()
    db.flush()  # closed before the next one starts: the one-active index holds at every step
    if start_next and target is not None:
        start_sprint(db, target)
    return target
