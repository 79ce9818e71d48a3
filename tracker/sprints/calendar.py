"""Sprint boundaries and milestone due dates as iCalendar events, for the calendar feed."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.sprints.models import OPEN_STATUSES, Milestone, Project, Sprint
from tracker.team.services import manageable_teams

DOMAIN = "team-tracker"


def _event(uid: str, summary: str, start, end, description: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("dtstamp", utcnow())
    event.add("summary", summary)
    event.add("dtstart", start)  # a date: an all-day event
    event.add("dtend", end)  # exclusive, as RFC 5545 says for all-day events
    if description:
        event.add("description", description)
    return event


def sprint_events(db: Session, user: User) -> list[icalendar.Event]:
    """One all-day event per sprint and per open milestone due date, for the teams `user`
    manages (every team for an admin); stable UIDs, so calendars update in place."""
    teams = {t.id: t for t in manageable_teams(db, user)}
    events = []
    for sprint in db.scalars(
        select(Sprint).where(Sprint.team_id.in_(teams)).order_by(Sprint.start_date)
    ):
        team = teams[sprint.team_id]
        events.append(
            _event(
                f"sprint-{sprint.id}",
                f"Sprint: {sprint.name} ({team.name})",
                sprint.start_date,
                sprint.end_date + timedelta(days=1),
                sprint.goal,
            )
        )
    for m in db.scalars(
        select(Milestone)
        .join(Project, Project.id == Milestone.project_id)
        .options(joinedload(Milestone.project), joinedload(Milestone.owner))
        .where(
            Project.team_id.in_(teams),
            Milestone.status.in_(OPEN_STATUSES),
            Milestone.due_date.is_not(None),
        )
        .order_by(Milestone.due_date)
    ):
        assert m.due_date is not None  # the query's filter
        owner = f" · {m.owner.name}" if m.owner else ""
        events.append(
            _event(
                f"milestone-{m.id}",
                f"Due: {m.title} ({m.project.name}){owner}",
                m.due_date,
                m.due_date + timedelta(days=1),
            )
        )
    return events
