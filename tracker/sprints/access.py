"""The loaders that decide who may see what: 404 for anything outside the user's teams."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.auth.models import User
from tracker.sprints.models import Milestone, Project, Sprint
from tracker.team.models import Team
from tracker.team.services import can_manage_team


def _allowed(user: User, obj, team: Team | None):
    if obj is None or team is None or not can_manage_team(user, team):
        abort(404)
    return obj


def get_project_for(db: Session, user: User, project_id: int) -> Project:
    """The project, if `user` manages its team; otherwise 404."""
    project = db.scalar(
        select(Project)
        .options(selectinload(Project.team).selectinload(Team.leads))
        .where(Project.id == project_id)
    )
    return _allowed(user, project, project.team if project else None)


def get_sprint_for(db: Session, user: User, sprint_id: int) -> Sprint:
    """The sprint, if `user` manages its team; otherwise 404."""
    sprint = db.scalar(
        select(Sprint)
        .options(selectinload(Sprint.team).selectinload(Team.leads))
        .where(Sprint.id == sprint_id)
    )
    return _allowed(user, sprint, sprint.team if sprint else None)


def get_milestone_for(db: Session, user: User, milestone_id: int) -> Milestone:
    """The milestone, if `user` manages its project's team; otherwise 404."""
    milestone = db.scalar(
        select(Milestone)
        .options(
            selectinload(Milestone.project).selectinload(Project.team).selectinload(Team.leads),
            joinedload(Milestone.owner),
            joinedload(Milestone.sprint),
        )
        .where(Milestone.id == milestone_id)
    )
    return _allowed(user, milestone, milestone.project.team if milestone else None)
