"""Starting and closing a sprint: an active sprint has begun; at close what was planned, done
and left, carry-over or drop, each recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker import localtime
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.sprints.models import Milestone, MilestoneMove, Sprint
from tracker.sprints.services import (
    SprintData,
    SprintError,
    check_sprint,
    create_sprint,
    propose_next_sprint,
    record_move,
)


def active_sprint(db: Session, team_id: int) -> Sprint | None:
    """The team's active sprint, if any."""
    return db.scalar(select(Sprint).where(Sprint.team_id == team_id, Sprint.state == "active"))


def _dates_from(sprint: Sprint, today: date) -> tuple[date, date]:
    """The dates a sprint started on `today` runs: its own when they contain today, else from
    today for its planned length (as Jira's start dialog does), so an active sprint has begun."""
    if sprint.start_date <= today <= sprint.end_date:
        return sprint.start_date, sprint.end_date
    return today, today + (sprint.end_date - sprint.start_date)


def _make_room(db: Session, team_id: int, start: date, sprint_name: str) -> None:
    """Closed sprints still dated past `start` (closed early) end the day before it."""
    for closed in db.scalars(
        select(Sprint).where(
            Sprint.team_id == team_id, Sprint.state == "closed", Sprint.end_date >= start
        )
    ):
        if closed.start_date >= start:
            raise SprintError(
                f"{closed.name} ran until today: start {sprint_name} tomorrow.", "start_date"
            )
        closed.end_date = start - timedelta(days=1)


def start_sprint(db: Session, sprint: Sprint, today: date | None = None) -> bool:
    """Make a planned sprint the team's active one (at most one is active), starting no later
    than `today`; returns whether its dates moved."""
    today = today or localtime.today()
    if sprint.state != "planned":
        raise SprintError(f"{sprint.name} is {sprint.state}: only a planned sprint can start.")
    current = active_sprint(db, sprint.team_id)
    if current is not None:
        raise SprintError(
            f"{current.name} is already the active sprint: close it before starting "
            f"{sprint.name} (a team has at most one active sprint).",
            "state",
        )
    start, end = _dates_from(sprint, today)
    moved = (start, end) != (sprint.start_date, sprint.end_date)
    if moved:
        _make_room(db, sprint.team_id, start, sprint.name)
        check_sprint(db, sprint.team_id, SprintData(sprint.name, start, end), sprint.id)
        sprint.start_date, sprint.end_date = start, end
    sprint.state = "active"
    db.flush()
    return moved


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


def moved_out_of(db: Session, sprint: Sprint) -> list[Milestone]:
    """Milestones planned in a sprint that have since moved to another (still planned in it)."""
    moved_from = select(MilestoneMove.milestone_id).where(MilestoneMove.from_sprint_id == sprint.id)
    return list(
        db.scalars(
            select(Milestone)
            .where(Milestone.id.in_(moved_from), Milestone.sprint_id.is_distinct_from(sprint.id))
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
    today = today or localtime.today()
    if sprint.start_date <= today < sprint.end_date:
        sprint.end_date = today  # closed early: it ran until today, not to its planned end
    sprint.state, sprint.closed_at = "closed", utcnow()
    db.flush()  # closed before the next one starts: the one-active index holds at every step
    if start_next and target is not None:
        try:
            start_sprint(db, target, today)
        except SprintError as exc:  # shown beside the box that asked for it
            raise SprintError(str(exc), "start_next") from exc
    return target
