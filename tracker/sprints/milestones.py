"""Milestones: create and edit; a change of sprint records the move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tracker import localtime
from tracker.auth.models import User
from tracker.sprints.models import MILESTONE_STATUSES, Milestone, Project, Sprint
from tracker.sprints.services import SprintError, check_owner, record_move
from tracker.text import status_label


@dataclass
class MilestoneData:
    title: str
    description: str = ""
    owner_id: int | None = None
    due_date: date | None = None
    sprint_id: int | None = None
    status: str = "planned"
    done_date: date | None = None
    drop_reason: str = ""


def _apply_milestone(
    db: Session,
    project: Project,
    milestone: Milestone,
    data: MilestoneData,
    user: User,
    move_reason: str,
    today: date,
) -> None:
    title = data.title.strip()
    if not title:
        raise SprintError("A milestone needs a title.", "title")
    if data.status not in MILESTONE_STATUSES:
        raise SprintError(f"Unknown status {data.status!r}.", "status")
    owner = check_owner(db, project.team, data.owner_id, milestone.owner_id)
    sprint = db.get(Sprint, data.sprint_id) if data.sprint_id else None
    if data.sprint_id and (sprint is None or sprint.team_id != project.team_id):
        raise SprintError(f"Choose one of {project.team.name}'s sprints.", "sprint_id")
    moving = (sprint.id if sprint else None) != milestone.sprint_id
    if moving and sprint is not None and sprint.state == "closed" and milestone.id:
        raise SprintError(
            f"{sprint.name} is closed: plan the milestone for a later one.", "sprint_id"
        )
    done_date = None
    if data.status == "done":
        done_date = data.done_date or today
        if done_date > today:
            raise SprintError("The done date cannot be in the future.", "done_date")
    if data.status == "dropped" and not data.drop_reason.strip():
        raise SprintError("Say why the milestone is dropped.", "drop_reason")
    milestone.title, milestone.description = title, data.description.strip()
    milestone.owner, milestone.due_date = owner, data.due_date
    milestone.status, milestone.done_date = data.status, done_date
    milestone.drop_reason = data.drop_reason.strip() if data.status == "dropped" else ""
    if milestone.id is None:
        milestone.sprint_id, milestone.sprint = data.sprint_id or None, sprint
    elif moving:
        record_move(db, milestone, sprint, user, move_reason)


def create_milestone(
    db: Session, project: Project, data: MilestoneData, user: User, today: date | None = None
) -> Milestone:
    """Add a milestone to a project."""
    milestone = Milestone(project_id=project.id)  # added once valid: no half-made row
    _apply_milestone(db, project, milestone, data, user, "", today or localtime.today())
    db.add(milestone)
    db.flush()
    return milestone


def update_milestone(
    db: Session,
    milestone: Milestone,
    data: MilestoneData,
    user: User,
    move_reason: str = "",
    today: date | None = None,
) -> None:
    """Edit a milestone; a new sprint records the move (from, to, who, when, why)."""
    _apply_milestone(
        db, milestone.project, milestone, data, user, move_reason, today or localtime.today()
    )
    db.flush()


def move_on_board(
    db: Session,
    milestone: Milestone,
    status: str | None,
    sprint_id: int | None,
    user: User,
    reason: str = "",
    today: date | None = None,
) -> list[str]:
    """The board's one-step move: a new status and/or another sprint (None: unchanged), through
    the same rules as the edit page (a sprint change records the move with `reason`; done takes
    today's date; dropping needs `reason`). Returns what changed, in words ([] when nothing)."""
    status = status or milestone.status
    target = milestone.sprint_id if sprint_id is None else sprint_id
    changed = []
    if status != milestone.status:
        changed.append(f"now {status_label(status)}")
    if target != milestone.sprint_id:
        sprint = db.get(Sprint, target) if target else None
        changed.append(f"moved to {sprint.name}" if sprint else "moved")
    if not changed:
        return []
    newly_dropped = status == "dropped" and milestone.status != "dropped"
    data = MilestoneData(
        title=milestone.title,
        description=milestone.description,
        owner_id=milestone.owner_id,
        due_date=milestone.due_date,
        sprint_id=target,
        status=status,
        done_date=milestone.done_date if milestone.status == "done" else None,
        drop_reason=reason if newly_dropped else milestone.drop_reason,
    )
    update_milestone(db, milestone, data, user, "" if newly_dropped else reason, today)
    sprint = milestone.sprint
    if (
        sprint is not None
        and milestone.is_open
        and milestone.due_date
        and milestone.due_date < sprint.start_date
    ):
        changed.append(f"still due {milestone.due_date}, before {sprint.name} starts")
    return changed
