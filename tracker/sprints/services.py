"""Project, sprint and milestone rules, and the loaders that decide who may see what.

Services flush and never commit: the request or the command owns the one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tracker import localtime
from tracker.auth.models import User
from tracker.db import same_name
from tracker.errors import RuleError
from tracker.sprints.models import (
    OPEN_STATUSES,
    PROJECT_STATUSES,
    Milestone,
    MilestoneMove,
    Project,
    Sprint,
)
from tracker.team.models import Member, Team
from tracker.team.services import manageable_teams

MAX_NAME = 120  # project.name and sprint.name


class SprintError(RuleError):
    """A delivery rule was broken; the message says what, `field` says where."""


# --- shared checks ----------------------------------------------------------------------


def check_owner(db: Session, team: Team, owner_id: int | None, current_id: int | None = None):
    if not owner_id:
        return None
    member = db.get(Member, owner_id)
    if member is None or member.team_id != team.id:
        raise SprintError(f"The owner must be a member of {team.name}.", "owner_id")
    if member.archived and member.id != current_id:
        raise SprintError(f"{member.name} has left the team (archived).", "owner_id")
    return member


def team_members(db: Session, team: Team) -> list[Member]:
    """Active members of the team, by name: who can own a project or a milestone."""
    return list(
        db.scalars(
            select(Member)
            .where(Member.team_id == team.id, Member.archived.is_(False))
            .order_by(Member.name)
        )
    )


def team_sprints(db: Session, team_id: int) -> list[Sprint]:
    """The team's sprints, oldest first."""
    return list(
        db.scalars(select(Sprint).where(Sprint.team_id == team_id).order_by(Sprint.start_date))
    )


def team_projects(db: Session, team: Team) -> list[Project]:
    """The team's projects, by name, with their owners."""
    return list(
        db.scalars(
            select(Project)
            .options(joinedload(Project.owner))
            .where(Project.team_id == team.id)
            .order_by(Project.name)
        )
    )


# --- projects ---------------------------------------------------------------------------


@dataclass
class ProjectData:
    name: str
    description: str = ""
    status: str = "active"
    owner_id: int | None = None
    start_date: date | None = None
    target_date: date | None = None


def _apply_project(db: Session, team: Team, project: Project, data: ProjectData) -> None:
    name = data.name.strip()
    if not name:
        raise SprintError("A project needs a name.", "name")
    if len(name) > MAX_NAME:
        raise SprintError(f"A project's name has at most {MAX_NAME} characters.", "name")
    clash = same_name(db, Project.id, Project.name, name, Project.team_id == team.id)
    if clash is not None and clash != project.id:
        raise SprintError(f"{team.name} already has a project called {name!r}.", "name")
    if data.status not in PROJECT_STATUSES:
        raise SprintError(f"Unknown status {data.status!r}.", "status")
    if data.start_date and data.target_date and data.target_date < data.start_date:
        raise SprintError("The target date is before the start date.", "target_date")
    project.owner = check_owner(db, team, data.owner_id, project.owner_id)
    project.name, project.description = name, data.description.strip()
    project.status, project.start_date = data.status, data.start_date
    project.target_date = data.target_date


def create_project(db: Session, team: Team, data: ProjectData) -> Project:
    """Add a project to the team."""
    project = Project(team_id=team.id, team=team)
    _apply_project(db, team, project, data)
    db.add(project)
    db.flush()
    return project


def update_project(db: Session, project: Project, data: ProjectData) -> None:
    """Edit a project."""
    _apply_project(db, project.team, project, data)
    db.flush()


# --- sprints ----------------------------------------------------------------------------


@dataclass
class SprintData:
    name: str
    start_date: date
    end_date: date
    goal: str = ""


def check_sprint(db: Session, team_id: int, data: SprintData, sprint_id: int | None) -> str:
    """The sprint's cleaned name once its name and dates pass the team's rules."""
    name = data.name.strip()
    if not name:
        raise SprintError("A sprint needs a name.", "name")
    if len(name) > MAX_NAME:
        raise SprintError(f"A sprint's name has at most {MAX_NAME} characters.", "name")
    if data.start_date is None:
        raise SprintError("A sprint needs a start date.", "start_date")
    if data.end_date is None:
        raise SprintError("A sprint needs an end date.", "end_date")
    if data.end_date < data.start_date:
        raise SprintError(
            f"The sprint ends ({data.end_date}) before it starts ({data.start_date}).", "end_date"
        )
    clash = same_name(db, Sprint.id, Sprint.name, name, Sprint.team_id == team_id)
    if clash is not None and clash != sprint_id:
        raise SprintError(f"The team already has a sprint called {name!r}.", "name")
    other = db.scalar(
        select(Sprint)
        .where(
            Sprint.team_id == team_id,
            Sprint.id != (sprint_id or 0),
            Sprint.start_date <= data.end_date,
            Sprint.end_date >= data.start_date,
        )
        .order_by(Sprint.start_date)
        .limit(1)
    )
    if other is not None:
        raise SprintError(
            f"These dates overlap {other.name} ({other.start_date} to {other.end_date}): "
            "a team's sprints cannot overlap.",
            "start_date",
        )
    return name


def create_sprint(db: Session, team: Team, data: SprintData) -> Sprint:
    """Plan a sprint for the team."""
    name = check_sprint(db, team.id, data, None)
    sprint = Sprint(
        team_id=team.id,
        name=name,
        start_date=data.start_date,
        end_date=data.end_date,
        goal=data.goal.strip(),
        state="planned",
    )
    db.add(sprint)
    db.flush()
    return sprint


def update_sprint(db: Session, sprint: Sprint, data: SprintData, today: date | None = None) -> None:
    """Rename, re-date or re-goal a sprint; an active sprint keeps a start on or before today."""
    name = check_sprint(db, sprint.team_id, data, sprint.id)
    if sprint.state == "active" and data.start_date > (today or localtime.today()):
        raise SprintError(
            f"{sprint.name} is active: it has started, so its start cannot be after today.",
            "start_date",
        )
    sprint.name = name
    sprint.start_date, sprint.end_date = data.start_date, data.end_date
    sprint.goal = data.goal.strip()
    db.flush()


def _next_name(name: str | None, count: int) -> str:
    text = name or ""
    match = re.search(r"(\d+)\s*$", text)
    if match:
        following = text[: match.start(1)] + str(int(match.group(1)) + 1)
        if len(following) <= MAX_NAME:  # "Sprint 99…9" can grow past the column
            return following
    return f"Sprint {count + 1}"


def propose_next_sprint(db: Session, team: Team, today: date | None = None) -> SprintData:
    """The next sprint's name and dates: right after the team's last sprint, one length long."""
    sprints = team_sprints(db, team.id)
    last = max(sprints, key=lambda s: s.end_date) if sprints else None
    start = last.end_date + timedelta(days=1) if last else (today or localtime.today())
    return SprintData(
        name=_next_name(last.name if last else None, len(sprints)),
        start_date=start,
        end_date=start + timedelta(days=team.sprint_length_days - 1),
    )


# --- moves and owners -------------------------------------------------------------------


def record_move(
    db: Session,
    milestone: Milestone,
    to: Sprint | None,
    user: User | None,
    reason: str,
    *,
    carried_over: bool = False,
) -> None:
    db.add(
        MilestoneMove(
            milestone=milestone,
            from_sprint_id=milestone.sprint_id,
            to_sprint_id=to.id if to else None,
            moved_by_id=user.id if user else None,
            reason=reason.strip(),
            carried_over=carried_over,
        )
    )
    milestone.sprint_id = to.id if to else None
    milestone.sprint = to


MINE_SHOWN = 10  # open milestones on the engineer's home
MINE_PAGE = 50  # open milestones per page of "My milestones"


def _owned(member: Member, include_closed: bool) -> list:
    where = [Milestone.owner_id == member.id]
    if not include_closed:
        where.append(Milestone.status.in_(OPEN_STATUSES))
    return where


def milestones_owned(
    db: Session,
    member: Member,
    include_closed: bool = False,
    *,
    limit: int | None = None,
    offset: int = 0,
):
    """The milestones `member` owns (open ones unless asked), soonest due first; `limit` of
    them from `offset` when given (one query)."""
    query = (
        select(Milestone)
        .options(joinedload(Milestone.project), joinedload(Milestone.sprint))
        .where(*_owned(member, include_closed))
        .order_by(Milestone.due_date.is_(None), Milestone.due_date, Milestone.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.scalars(query))


def count_owned(db: Session, member: Member, include_closed: bool = False) -> int:
    """How many milestones `member` owns (open ones unless asked; one query)."""
    query = select(func.count()).select_from(Milestone).where(*_owned(member, include_closed))
    return db.scalar(query) or 0


@dataclass
class TeamDelivery:
    """One team's line on the lead's dashboard."""

    team: Team
    sprint: Sprint | None
    days_left: int | None
    due_this_sprint: list[Milestone]
    overdue: list[Milestone]
    timing: str = ""  # Sprint.timing: the board and the dashboard say the same words


def dashboard_summary(db: Session, user: User, today: date | None = None) -> list[TeamDelivery]:
    """Per team `user` manages: the active sprint, its days left, the open milestones due in
    it and the overdue ones (four queries whatever the number of teams)."""
    return team_deliveries(db, manageable_teams(db, user), today)


def team_deliveries(db: Session, teams: list[Team], today: date | None = None):
    """The dashboard lines of `teams` (two queries)."""
    today = today or localtime.today()
    ids = [t.id for t in teams]
    active = {
        s.team_id: s
        for s in db.scalars(select(Sprint).where(Sprint.team_id.in_(ids), Sprint.state == "active"))
    }
    horizon = max([s.end_date for s in active.values()] + [today])
    open_due = db.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .options(joinedload(Milestone.project), joinedload(Milestone.owner))
        .where(
            Project.team_id.in_(ids),
            Milestone.status.in_(OPEN_STATUSES),
            Milestone.due_date <= horizon,
        )
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    lines = []
    for team in teams:
        sprint = active.get(team.id)
        mine = [m for m in open_due if m.project.team_id == team.id]
        lines.append(
            TeamDelivery(
                team,
                sprint,
                sprint.days_left(today) if sprint else None,
                [m for m in mine if sprint and sprint.contains(m.due_date)],
                # The query left out milestones without a due date; the type does not know.
                [m for m in mine if m.due_date is not None and m.due_date < today],
                sprint.timing(today) if sprint else "",
            )
        )
    return lines
