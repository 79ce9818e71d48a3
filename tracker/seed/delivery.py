"""Demo delivery history: two projects and a run of sprints with real slips, so the board,
the report and the timeline have something to show on first run."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.team.models import Member, Team

PAST, ACTIVE, FUTURE = 5, 1, 2  # closed sprints, the active one, planned ones
ANCHOR = date(2026, 1, 5)  # a Monday: sprints start on the same weekday every year

PROJECTS = {
    "ML Platform": [
        ("Feature store v2", "Move training and serving onto one feature store."),
        ("Model monitoring", "Drift, quality and cost signals for every production model."),
    ],
    "Data Platform": [
        ("Lakehouse migration", "Move the warehouse tables onto the lakehouse."),
        ("Data quality checks", "Contracts and checks on the top 50 tables."),
    ],
}
DEFAULT_PROJECTS = [("Platform roadmap", ""), ("Reliability", "")]

# title, path of sprint indexes (0..4 closed, 5 active, 6.. planned), status,
# (sprint index, day) done, (sprint index, day) due, drop reason; a day may also be None or a
# word (see _day)
_Day = tuple[int, int] | str | None
MILESTONES: list[list[tuple[str, list[int], str, _Day, _Day, str]]] = [
    [
        ("Design doc approved", [0], "done", (0, 9), (0, 10), ""),
        ("Offline store backfill", [0, 1], "done", (1, 5), (0, 12), ""),
        ("Online serving API", [1, 2, 3], "done", (3, 10), (1, 12), ""),
        ("Point-in-time joins", [2], "done", (2, 11), (2, 13), ""),
        ("Churn model on the new store", [3, 4, 5], "in progress", None, (4, 12), ""),
        ("Deprecate the v1 store", [5], "planned", None, "soon", ""),
        ("Runbook and on-call docs", [6], "planned", None, (6, 10), ""),
    ],
    [
        ("Drift alerts MVP", [0], "done", (0, 6), (0, 6), ""),
        ("Model metrics dashboard", [1], "done", (1, 12), (1, 9), ""),
        ("Label quality audit", [2, 3], "done", (3, 4), (2, 13), ""),
        ("Fairness checks", [3], "dropped", None, (3, 12), "Moved to the governance project."),
        ("Alert routing to on-call", [4], "done", (4, 8), (4, 12), ""),
        ("Retraining triggers", [4, 5], "in progress", None, "end", ""),
        ("Cost report per model", [5], "done", "recent", "end", ""),
        ("Shadow deployments", [7], "planned", None, (7, 12), ""),
    ],
]


def _sprints(db: Session, team: Team, today: date) -> list[Sprint]:
    length = team.sprint_length_days
    active_start = today - timedelta(days=(today - ANCHOR).days % length)
    sprints = []
    for i in range(PAST + ACTIVE + FUTURE):
        start = active_start + timedelta(days=(i - PAST) * length)
        state = "closed" if i < PAST else "active" if i == PAST else "planned"
        end = start + timedelta(days=length - 1)
        sprint = Sprint(
            team_id=team.id,
            name=f"Sprint {21 + i}",
            start_date=start,
            end_date=end,
            state=state,
            goal=f"Demo goal {i + 1}: ship what was promised, carry over the rest deliberately.",
            closed_at=datetime.combine(end, time(17)) if state == "closed" else None,
        )
        db.add(sprint)
        sprints.append(sprint)
    db.flush()
    return sprints


def _day(spec, sprints: list[Sprint], today: date) -> date | None:
    active = sprints[PAST]
    if spec is None:
        return None
    if spec == "soon":
        return min(today + timedelta(days=3), active.end_date)
    if spec == "end":
        return active.end_date
    if spec == "recent":
        return min(today, active.start_date + timedelta(days=2))
    index, day = spec
    return sprints[index].start_date + timedelta(days=min(day, _length(sprints[index]) - 1))


def _length(sprint: Sprint) -> int:
    return (sprint.end_date - sprint.start_date).days + 1


def seed_delivery(db: Session, team: Team, lead_user: User) -> None:
    """Projects, sprints and milestones with history for `team`, once (skipped when the team
    has projects already)."""
    if db.scalar(select(Project.id).where(Project.team_id == team.id).limit(1)) is not None:
        return
    today = date.today()
    members = list(
        db.scalars(
            select(Member)
            .where(Member.team_id == team.id, Member.archived.is_(False))
            .order_by(Member.name)
        )
    )
    sprints = _sprints(db, team, today)
    owner_at = 0
    for (name, description), specs in zip(
        PROJECTS.get(team.name, DEFAULT_PROJECTS), MILESTONES, strict=False
    ):
        project = Project(
            team_id=team.id,
            name=name,
            description=description,
            status="active",
            owner=members[owner_at % len(members)] if members else None,
            start_date=sprints[0].start_date,
            target_date=sprints[-1].end_date,
        )
        db.add(project)
        db.flush()
        for title, path, status, done, due, reason in specs:
            owner_at += 1
            first = sprints[path[0]]
            milestone = Milestone(
                project_id=project.id,
                title=title,
                owner=members[owner_at % len(members)] if members else None,
                sprint_id=sprints[path[-1]].id,
                status=status,
                due_date=_day(due, sprints, today),
                done_date=_day(done, sprints, today),
                drop_reason=reason,
                created_at=datetime.combine(first.start_date, time(9)),
            )
            db.add(milestone)
            for a, b in zip(path, path[1:], strict=False):
                db.add(
                    MilestoneMove(
                        milestone=milestone,
                        from_sprint_id=sprints[a].id,
                        to_sprint_id=sprints[b].id,
                        moved_by_id=lead_user.id,
                        moved_at=datetime.combine(sprints[a].end_date, time(16)),
                        reason="Blocked on the platform upgrade." if a % 2 else "",
                        carried_over=True,
                    )
                )
    db.flush()
