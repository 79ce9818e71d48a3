"""Team and roster rules, and the loaders that decide who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort
from sqlalchemy import SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session, selectinload

from tracker.auth.models import User
from tracker.db import same_name, utcnow
from tracker.errors import RuleError
from tracker.team.hooks import frameworks
from tracker.team.models import LEVELS, Member, Team, team_lead


class TeamError(RuleError):
    """A roster rule was broken; the message names what is wrong."""


# --- who may see what -------------------------------------------------------------------


def can_manage_team(user: User, team: Team) -> bool:
    """Admins manage every team; a lead manages the teams they lead (and only while their
    role is lead: the role is checked too, not just the team's list of leads)."""
    return user.is_admin or (user.is_lead and any(lead.id == user.id for lead in team.leads))


def _team_query():
    return select(Team).options(selectinload(Team.leads))


def get_team_for(db: Session, user: User, team_id: int) -> Team:
    """The team, if `user` may manage it; otherwise 404 (a stranger's IDs reveal nothing)."""
    team = db.scalar(_team_query().where(Team.id == team_id))
    if team is None or not can_manage_team(user, team):
        abort(404)
    return team


def get_member_for(db: Session, user: User, member_id: int, *, manage: bool = False) -> Member:
    """The member, if `user` may see it (or manage it, with `manage`); otherwise 404 or 403.

    Admins and the member's team leads see and manage; the person linked to the record may
    see it but not manage it (403); anyone else gets 404.
    """
    member = db.scalar(
        select(Member)
        .options(selectinload(Member.team).selectinload(Team.leads), selectinload(Member.user))
        .where(Member.id == member_id)
    )
    if member is None:
        abort(404)
    if can_manage_team(user, member.team):
        return member
    if member.user_id == user.id:
        if manage:
            abort(403)
        return member
    abort(404)


def manageable_teams(db: Session, user: User) -> list[Team]:
    """Teams `user` may manage, by name."""
    query = _team_query().order_by(Team.name)
    if not user.is_admin:
        query = query.join(team_lead, team_lead.c.team_id == Team.id).where(
            team_lead.c.user_id == user.id
        )
    return list(db.scalars(query))


@dataclass
class TeamSummary:
    team: Team
    active: int
    archived: int


def team_summaries(db: Session, user: User) -> list[TeamSummary]:
    """Manageable teams with their active and archived head counts (two queries in all)."""
    teams = manageable_teams(db, user)
    counts = dict.fromkeys([t.id for t in teams], (0, 0))
    if teams:
        rows = db.execute(
            select(
                Member.team_id,
                func.sum(case((Member.archived.is_(False), 1), else_=0)),
                func.sum(case((Member.archived.is_(True), 1), else_=0)),
            )
            .where(Member.team_id.in_(counts))
            .group_by(Member.team_id)
        )
        counts.update({team_id: (int(a), int(b)) for team_id, a, b in rows})
    return [TeamSummary(t, *counts[t.id]) for t in teams]


def lead_candidates(db: Session) -> list[User]:
    """Active users with the lead role, who can be made a team's lead."""
    return list(
        db.scalars(
            select(User).where(User.role == "lead", User.active.is_(True)).order_by(User.name)
        )
    )


# --- teams ------------------------------------------------------------------------------


def _check_team_name(db: Session, name: str, team_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise TeamError("Team name is required.", "name")
    clash = same_name(db, Team.id, Team.name, name)
    if clash is not None and clash != team_id:
        raise TeamError(f"A team called {name!r} already exists.", "name")
    return name


def _resolve_leads(db: Session, lead_ids: list[int]) -> list[User]:
    leads = list(db.scalars(select(User).where(User.id.in_(lead_ids)))) if lead_ids else []
    if not leads:
        raise TeamError("A team needs at least one lead.", "leads")
    for lead in leads:
        if lead.role != "lead" or not lead.active:
            raise TeamError(f"{lead.name} is not an active lead.", "leads")
    return leads


def _check_framework(db: Session, framework_id: int | None) -> int | None:
    if not framework_id:
        return None  # the organisation's default
    if not frameworks().exists(db, framework_id):
        raise TeamError("That framework does not exist.", "framework_id")
    return framework_id


def _check_sprint_length(days: int | None) -> int:
    if days is None or not 1 <= days <= 60:
        raise TeamError("A sprint lasts between 1 and 60 days.", "sprint_length_days")
    return days


def create_team(
    db: Session,
    name: str,
    lead_ids: list[int],
    framework_id: int | None = None,
    sprint_length_days: int | None = None,
) -> Team:
    """Create a team led by the given lead users (framework None: the default)."""
    team = Team(
        name=_check_team_name(db, name),
        leads=_resolve_leads(db, lead_ids),
        framework_id=_check_framework(db, framework_id),
        sprint_length_days=_check_sprint_length(
            14 if sprint_length_days is None else sprint_length_days
        ),
    )
    db.add(team)
    db.flush()
    return team


def update_team(
    db: Session,
    team: Team,
    name: str,
    lead_ids: list[int],
    framework_id: int | None = None,
    sprint_length_days: int | None = None,
) -> None:
    """Rename a team, set its leads, its framework and (when given) its sprint length."""
    team.name = _check_team_name(db, name, team.id)
    team.leads = _resolve_leads(db, lead_ids)
    team.framework_id = _check_framework(db, framework_id)
    if sprint_length_days is not None:
        team.sprint_length_days = _check_sprint_length(sprint_length_days)
    db.flush()


def level_choices(db: Session, team_id: int) -> list[str]:
    """Career levels a member of the team can have: the framework's, or the defaults."""
    return frameworks().level_names(db, team_id) or list(LEVELS)


# --- members ----------------------------------------------------------------------------


@dataclass
class MemberData:
    """What a form or command says about a member."""

    name: str
    email: str
    job_title: str
    level: str
    start_date: date | None
    cadence_days: int
    team_id: int


SORTS = {
    "name": (Member.name,),
    "level": (),  # the team's framework order: built in list_members
    "title": (Member.job_title, Member.name),
    "start": (Member.start_date, Member.name),
    "cadence": (Member.cadence_days, Member.name),
}
STATUSES = ("active", "archived", "all")


def list_members(
    db: Session,
    team: Team,
    *,
    sort: str = "name",
    desc: bool = False,
    level: str | None = None,
    status: str = "active",
    levels: list[str] | None = None,
) -> list[Member]:
    """A team's members, filtered and sorted, in one query (accounts loaded with them).

    Sorting by level follows `levels` (the team's framework, lowest first); levels the
    framework lacks sort after them.
    """
    query = select(Member).options(selectinload(Member.user)).where(Member.team_id == team.id)
    if status == "active":
        query = query.where(Member.archived.is_(False))
    elif status == "archived":
        query = query.where(Member.archived.is_(True))
    if level:
        query = query.where(Member.level == level)
    columns: tuple[SQLColumnExpression[Any], ...] = SORTS.get(sort, SORTS["name"])
    if sort == "level":
        order = {lvl: i for i, lvl in enumerate(levels or LEVELS)}
        columns = (case(order, value=Member.level, else_=len(order)), Member.name)
    query = query.order_by(*(c.desc() if desc else c for c in columns), Member.id)
    return list(db.scalars(query))


def _apply(db: Session, member: Member, data: MemberData, allowed_team_ids: set[int]) -> None:
    email = data.email.strip().lower()
    levels = level_choices(db, data.team_id)
    # A level the framework lacks may be kept as it is (never silently changed), not chosen.
    unchanged = (
        member.id is not None and data.level == member.level and (data.team_id == member.team_id)
    )
    if data.level not in levels and not unchanged:
        raise TeamError(
            f"Unknown level {data.level!r}: choose one of {', '.join(levels)}.", "level"
        )
    if not 1 <= data.cadence_days <= 365:
        raise TeamError("The 1:1 cadence must be between 1 and 365 days.", "cadence_days")
    if data.team_id not in allowed_team_ids:
        raise TeamError("You can only put members on teams you lead.", "team_id")
    clash = db.scalar(
        select(Member.id).where(Member.team_id == data.team_id, Member.email == email)
    )
    if clash is not None and clash != member.id:
        raise TeamError(f"{email} is already on this team's roster.", "email")
    if not data.name.strip():
        raise TeamError("Name is required.", "name")
    member.name = data.name.strip()
    member.email = email
    member.job_title = data.job_title.strip()
    member.level = data.level
    member.start_date = data.start_date
    member.cadence_days = data.cadence_days
    member.team_id = data.team_id


def create_member(db: Session, data: MemberData, allowed_team_ids: set[int]) -> Member:
    """Add a member to a team."""
    member = Member()
    _apply(db, member, data, allowed_team_ids)
    db.add(member)
    db.flush()
    return member


def update_member(
    db: Session, member: Member, data: MemberData, allowed_team_ids: set[int]
) -> None:
    """Edit a member's details (moving them only between teams the editor manages)."""
    _apply(db, member, data, allowed_team_ids)
    db.flush()


def set_archived(member: Member, archived: bool) -> str:
    """Archive (hide from active lists, keep every record) or restore a member; returns what
    happened to their account, for the message.

    Archiving deactivates an engineer's account (someone who left should not keep logging in).
    Restoring never reactivates one: a lead must not be able to undo an admin's deactivation,
    so an admin reactivates it. Accounts above engineer are the admin's alone."""
    member.archived = archived
    member.archived_at = utcnow() if archived else None
    user = member.user
    if user is None or user.role != "engineer":
        return ""
    if archived and user.active:
        user.active = False
        user.end_all_sessions()
        return " Their account is deactivated."
    if not archived and not user.active:
        return " Their account stays deactivated: an admin can reactivate it."
    return ""
