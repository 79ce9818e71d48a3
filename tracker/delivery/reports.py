"""The sprint report: planned vs delivered, slips, carry-over and a burn-up per project.

Built from a fixed number of queries (the team's sprints, the milestones, their moves) and
computed in Python, so the report costs the same statements for 5 milestones or 5,000.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker import localtime
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.sprints.reports import load_history, planned_in
from tracker.team.models import Team


@dataclass
class SprintRow:
    sprint: Sprint
    planned: int = 0
    delivered: int = 0
    late: int = 0
    slipped: int = 0
    carried: int = 0


@dataclass
class SlipRow:
    milestone: Milestone
    slips: int
    path: list[str]


@dataclass
class Burnup:
    project: Project
    points: list[tuple[str, int, int]] = field(default_factory=list)  # sprint, scope, done


@dataclass
class Report:
    team: Team
    rows: list[SprintRow]
    slipped: list[SlipRow]
    burnups: list[Burnup]
    n: int
    today: date


def _team_milestones(db: Session, team_id: int) -> list[Milestone]:
    return list(
        db.scalars(
            select(Milestone)
            .join(Project, Project.id == Milestone.project_id)
            .options(joinedload(Milestone.project), joinedload(Milestone.owner))
            .where(Project.team_id == team_id)
            .order_by(Milestone.id)
        )
    )


def sprint_report(db: Session, team: Team, n: int = 6, today: date | None = None) -> Report:
    """Planned vs delivered, late, slipped and carried over for the last `n` started sprints,
    the slip list, and a burn-up per project across those sprints."""
    today = today or localtime.today()
    history = load_history(db, team.id)
    milestones = _team_milestones(db, team.id)
    projects = db.scalars(
        select(Project).where(Project.team_id == team.id).order_by(Project.name)
    ).all()
    recent = [s for s in history.sprints if s.start_date <= today][-n:]
    moves = [mv for mvs in history.moves.values() for mv in mvs]
    # Group once (milestones by sprint planned and delivered, moves by sprint left) instead
    # of scanning every milestone and move for each sprint.
    in_sprint: dict[int, set[int]] = defaultdict(set)
    delivered_in: dict[int, list[Milestone]] = defaultdict(list)
    for m in milestones:
        if m.sprint_id is not None:
            in_sprint[m.sprint_id].add(m.id)
        sprint = history.delivered_in(m)
        if sprint is not None:
            delivered_in[sprint.id].append(m)
    moved_out: dict[int | None, list[MilestoneMove]] = defaultdict(list)
    for mv in moves:
        moved_out[mv.from_sprint_id].append(mv)
    rows = []
    for s in recent:
        out = moved_out.get(s.id, [])
        planned = planned_in(s.id, in_sprint.get(s.id, set()), out)
        delivered = delivered_in.get(s.id, [])
        rows.append(
            SprintRow(
                s,
                planned=len(planned),
                delivered=len(delivered),
                late=sum(1 for m in delivered if m.delivered_late),
                slipped=len({mv.milestone_id for mv in out if history.is_slip(mv)}),
                carried=len({mv.milestone_id for mv in out if mv.carried_over}),
            )
        )
    slipped = [SlipRow(m, history.slips(m.id), history.path(m.id)) for m in milestones]
    slipped = sorted((r for r in slipped if r.slips), key=lambda r: (-r.slips, r.milestone.title))
    burnups = []
    for project in projects:
        mine = [m for m in milestones if m.project_id == project.id and m.status != "dropped"]
        burnup = Burnup(project)
        for s in recent:
            scope = sum(1 for m in mine if localtime.local_date(m.created_at) <= s.end_date)
            done = sum(
                1
                for m in mine
                if m.status == "done" and m.done_date is not None and m.done_date <= s.end_date
            )
            burnup.points.append((s.name, scope, done))
        burnups.append(burnup)
    return Report(team, rows, slipped, burnups, n, today)
