"""The sprint board, the sprint report and the project timeline.

Each is built from a fixed number of queries (the team's sprints, the milestones, their moves)
and computed in Python, so a page costs the same statements for 5 milestones or 5,000.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from tracker.sprints.models import MILESTONE_STATUSES, Milestone, MilestoneMove, Project, Sprint
from tracker.sprints.services import team_sprints
from tracker.team.models import Team


@dataclass
class History:
    """A team's sprints and the moves of some of its milestones: slips, delivered-in."""

    sprints: list[Sprint]
    moves: dict[int, list[MilestoneMove]]

    def __post_init__(self):
        # Keyed by id; a move's sprint id is None once that sprint is deleted, and finds nothing.
        self.by_id: dict[int | None, Sprint] = {s.id: s for s in self.sprints}
        # A team's sprints never overlap: a binary search over their starts finds the one
        # containing a day (the page asks once per milestone; a linear scan was O(n*m)).
        self._by_start = sorted(self.sprints, key=lambda s: (s.start_date, s.id))
        self._starts = [s.start_date for s in self._by_start]

    def sprint_on(self, day: date | None) -> Sprint | None:
        if day is None:
            return None
        i = bisect_right(self._starts, day)  # the last sprint starting on or before `day`
        if i and self._by_start[i - 1].contains(day):
            return self._by_start[i - 1]
        return None

    def delivered_in(self, m: Milestone) -> Sprint | None:
        """The sprint whose dates contain the done date."""
        return self.sprint_on(m.done_date) if m.status == "done" else None

    def is_slip(self, move: MilestoneMove) -> bool:
        """A move to a sprint that ends later than the one it left."""
        src, dst = self.by_id.get(move.from_sprint_id), self.by_id.get(move.to_sprint_id)
        return src is not None and dst is not None and dst.end_date > src.end_date

    def slips(self, milestone_id: int) -> int:
        return sum(1 for mv in self.moves.get(milestone_id, ()) if self.is_slip(mv))

    def path(self, milestone_id: int) -> list[str]:
        """The sprints a milestone was planned for, in order."""
        names: list[str] = []
        for mv in self.moves.get(milestone_id, ()):
            for sid in (mv.from_sprint_id, mv.to_sprint_id):
                name = self.by_id[sid].name if sid in self.by_id else "unplanned"
                if not names or names[-1] != name:
                    names.append(name)
        return names


def load_history(db: Session, team_id: int, milestone_filter=None) -> History:
    """The team's sprints and the moves of its milestones (optionally filtered): 2 queries."""
    query = (
        select(MilestoneMove)
        .join(Milestone, Milestone.id == MilestoneMove.milestone_id)
        .join(Project, Project.id == Milestone.project_id)
        .where(Project.team_id == team_id)
        .order_by(MilestoneMove.moved_at, MilestoneMove.id)
    )
    if milestone_filter is not None:
        query = query.where(milestone_filter)
    moves: dict[int, list[MilestoneMove]] = {}
    for mv in db.scalars(query):
        moves.setdefault(mv.milestone_id, []).append(mv)
    return History(team_sprints(db, team_id), moves)


def current_sprint(history: History, today: date) -> Sprint | None:
    """The active sprint, else the one whose dates contain today."""
    active = next((s for s in history.sprints if s.state == "active"), None)
    return active or history.sprint_on(today)


def milestone_state(m: Milestone, current: Sprint | None, today: date) -> str:
    """done, dropped, late, at-risk (due within the current sprint, not started), on-track."""
    if m.status in ("done", "dropped"):
        return m.status
    if m.due_date and m.due_date < today:
        return "late"
    if m.status == "planned" and current is not None and current.contains(m.due_date):
        return "at-risk"
    return "on-track"


# --- the sprint board -------------------------------------------------------------------


@dataclass
class Card:
    milestone: Milestone
    slips: int
    state: str


@dataclass
class Board:
    sprint: Sprint
    columns: dict[str, list[Card]]
    days_left: int
    today: date

    @property
    def total(self) -> int:
        return sum(len(cards) for cards in self.columns.values())


def sprint_board(db: Session, sprint: Sprint, today: date | None = None) -> Board:
    """The milestones planned for a sprint, by status, with owners and slip counts."""
    today = today or date.today()
    milestones = db.scalars(
        select(Milestone)
        .options(joinedload(Milestone.project), joinedload(Milestone.owner))
        .where(Milestone.sprint_id == sprint.id)
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    in_sprint = Milestone.id.in_(select(Milestone.id).where(Milestone.sprint_id == sprint.id))
    history = load_history(db, sprint.team_id, in_sprint)
    current = current_sprint(history, today)
    columns: dict[str, list[Card]] = {status: [] for status in MILESTONE_STATUSES}
    for m in milestones:
        columns[m.status].append(Card(m, history.slips(m.id), milestone_state(m, current, today)))
    return Board(sprint, columns, sprint.days_left(today), today)


# --- the sprint report ------------------------------------------------------------------


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
    today = today or date.today()
    history = load_history(db, team.id)
    milestones = _team_milestones(db, team.id)
    projects = db.scalars(
        select(Project).where(Project.team_id == team.id).order_by(Project.name)
    ).all()
    recent = [s for s in history.sprints if s.start_date <= today][-n:]
    moves = [mv for mvs in history.moves.values() for mv in mvs]
    # Group once (milestones by sprint planned and delivered, moves by sprint left) instead
    # of scanning every milestone and move for each sprint.
    planned_in: dict[int, set[int]] = defaultdict(set)
    delivered_in: dict[int, list[Milestone]] = defaultdict(list)
    for m in milestones:
        if m.sprint_id is not None:
            planned_in[m.sprint_id].add(m.id)
        sprint = history.delivered_in(m)
        if sprint is not None:
            delivered_in[sprint.id].append(m)
    moved_out: dict[int | None, list[MilestoneMove]] = defaultdict(list)
    for mv in moves:
        moved_out[mv.from_sprint_id].append(mv)
    rows = []
    for s in recent:
        out = moved_out.get(s.id, [])
        planned = planned_in.get(s.id, set()) | {mv.milestone_id for mv in out}
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
            scope = sum(1 for m in mine if m.created_at.date() <= s.end_date)
            done = sum(
                1
                for m in mine
                if m.status == "done" and m.done_date is not None and m.done_date <= s.end_date
            )
            burnup.points.append((s.name, scope, done))
        burnups.append(burnup)
    return Report(team, rows, slipped, burnups, n)


# --- the project timeline ---------------------------------------------------------------


@dataclass
class TimelineRow:
    milestone: Milestone
    state: str
    slips: int
    cells: list[set[str]]


@dataclass
class Timeline:
    project: Project
    sprints: list[Sprint]
    rows: list[TimelineRow]
    current: Sprint | None


def project_timeline(db: Session, project: Project, today: date | None = None) -> Timeline:
    """The project's milestones across the team's sprints, coloured by state."""
    today = today or date.today()
    milestones = db.scalars(
        select(Milestone)
        .options(joinedload(Milestone.owner))
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    history = load_history(db, project.team_id, Milestone.project_id == project.id)
    current = current_sprint(history, today)
    involved: set[int] = set()
    for m in milestones:
        for s in (m.sprint_id, history.delivered_in(m), history.sprint_on(m.due_date)):
            if s is not None:
                involved.add(s if isinstance(s, int) else s.id)
        for mv in history.moves.get(m.id, ()):
            involved |= {i for i in (mv.from_sprint_id, mv.to_sprint_id) if i is not None}
    index = [i for i, s in enumerate(history.sprints) if s.id in involved]
    columns = history.sprints[index[0] : index[-1] + 1] if index else []
    rows = []
    for m in milestones:
        left = {mv.from_sprint_id for mv in history.moves.get(m.id, ())}
        delivered = history.delivered_in(m)
        cells = []
        for s in columns:
            marks = set()
            if m.sprint_id == s.id:
                marks.add("planned")
            if s.id in left and m.sprint_id != s.id:
                marks.add("slipped")
            if delivered is s:
                marks.add("delivered")
            if s.contains(m.due_date):
                marks.add("due")
            cells.append(marks)
        rows.append(TimelineRow(m, milestone_state(m, current, today), history.slips(m.id), cells))
    return Timeline(project, columns, rows, current)


# --- one milestone ----------------------------------------------------------------------


@dataclass
class MilestoneDetail:
    milestone: Milestone
    moves: list[MilestoneMove]
    history: History
    state: str

    @property
    def slips(self) -> int:
        return self.history.slips(self.milestone.id)

    @property
    def delivered_in(self) -> Sprint | None:
        return self.history.delivered_in(self.milestone)

    def sprint_name(self, sprint_id: int | None) -> str:
        sprint = self.history.by_id.get(sprint_id)
        return sprint.name if sprint else "not planned"


def milestone_detail(db: Session, m: Milestone, today: date | None = None) -> MilestoneDetail:
    """A milestone with its whole move history (who, when, from, to, why)."""
    today = today or date.today()
    moves = db.scalars(
        select(MilestoneMove)
        .options(joinedload(MilestoneMove.moved_by))
        .where(MilestoneMove.milestone_id == m.id)
        .order_by(MilestoneMove.moved_at, MilestoneMove.id)
    ).all()
    history = History(team_sprints(db, m.project.team_id), {m.id: list(moves)})
    state = milestone_state(m, current_sprint(history, today), today)
    return MilestoneDetail(m, list(moves), history, state)
