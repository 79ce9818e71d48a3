"""The sprint board, the project timeline and a milestone's history; the history of a team's
sprints they share with the sprint report (tracker/delivery/reports.py).

Each is built from a fixed number of queries (the team's sprints, the milestones, their moves)
and computed in Python, so a page costs the same statements for 5 milestones or 5,000.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from tracker import localtime
from tracker.sprints.models import MILESTONE_STATUSES, Milestone, MilestoneMove, Project, Sprint
from tracker.sprints.services import team_sprints
from tracker.team.models import Member


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
        """The sprint whose dates contain the done date; or the sprint it was planned in when
        done on the day that sprint closed early (it ends the day before the next one starts)."""
        if m.status != "done" or m.done_date is None:
            return None
        own = self.by_id.get(m.sprint_id)
        closed_on = (
            localtime.local_date(own.closed_at) if own is not None and own.closed_at else None
        )
        if own is not None and closed_on and own.end_date < m.done_date <= closed_on:
            return own
        return self.sprint_on(m.done_date)

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


def due_before_start(milestones: list[Milestone], start: date) -> list[Milestone]:
    """Open milestones due before their sprint's `start`: carried milestones keep their due date
    (a promise made to someone), so the board and the close page flag them instead."""
    return [m for m in milestones if m.is_open and m.due_date and m.due_date < start]


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
    due_before_start: bool = False  # carried in with a due date before the sprint starts


@dataclass
class Board:
    sprint: Sprint
    columns: dict[str, list[Card]]
    days_left: int
    today: date
    moved_out: list[Milestone] = field(default_factory=list)
    team_sprints: list[Sprint] = field(default_factory=list)  # oldest first

    @property
    def open_sprints(self) -> list[Sprint]:
        """The team's sprints a card can move to: those not closed."""
        return [s for s in self.team_sprints if s.state != "closed"]

    @property
    def timing(self) -> str:
        return self.sprint.timing(self.today)

    @property
    def total(self) -> int:
        """Everything planned in the sprint: what is in it now and what moved out of it."""
        return sum(len(cards) for cards in self.columns.values()) + len(self.moved_out)


def planned_in(sprint_id: int, current: set[int], moves: list[MilestoneMove]) -> set[int]:
    """The milestones planned in a sprint: those in it now and those that moved out of it
    (carried over at close or moved by an edit): the board, the close page and the report."""
    return current | {mv.milestone_id for mv in moves if mv.from_sprint_id == sprint_id}


UNASSIGNED = "unassigned"  # the board's owner filter: milestones nobody owns


def _on_board(sprint: Sprint):
    """Milestones planned in the sprint: in it now, or moved out of it."""
    moved_from = select(MilestoneMove.milestone_id).where(MilestoneMove.from_sprint_id == sprint.id)
    return or_(Milestone.sprint_id == sprint.id, Milestone.id.in_(moved_from))


def board_owners(db: Session, sprint: Sprint) -> list[Member]:
    """The members owning a milestone planned in the sprint, by name (one query): the choices
    of the board's owner filter."""
    owners = select(Milestone.owner_id).where(_on_board(sprint), Milestone.owner_id.is_not(None))
    return list(db.scalars(select(Member).where(Member.id.in_(owners)).order_by(Member.name)))


def sprint_board(
    db: Session, sprint: Sprint, today: date | None = None, owner: int | str | None = None
) -> Board:
    """The milestones planned for a sprint, by status, with owners and slip counts, and those
    that moved out of it; only one owner's (a member id, or UNASSIGNED) when `owner` is given,
    filtered in the query."""
    today = today or localtime.today()
    involved = _on_board(sprint)
    if owner == UNASSIGNED:
        involved = and_(involved, Milestone.owner_id.is_(None))
    elif owner is not None:
        involved = and_(involved, Milestone.owner_id == owner)
    milestones = db.scalars(
        select(Milestone)
        .options(
            joinedload(Milestone.project), joinedload(Milestone.owner), joinedload(Milestone.sprint)
        )
        .where(involved)
        .order_by(Milestone.due_date, Milestone.id)
    ).all()
    history = load_history(db, sprint.team_id, involved)
    current = current_sprint(history, today)
    columns: dict[str, list[Card]] = {status: [] for status in MILESTONE_STATUSES}
    flagged = {m.id for m in due_before_start(list(milestones), sprint.start_date)}
    moved_out = []
    for m in milestones:
        if m.sprint_id != sprint.id:
            moved_out.append(m)
            continue
        state = milestone_state(m, current, today)
        columns[m.status].append(Card(m, history.slips(m.id), state, m.id in flagged))
    return Board(sprint, columns, sprint.days_left(today), today, moved_out, history.sprints)


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
    today: date


def project_timeline(db: Session, project: Project, today: date | None = None) -> Timeline:
    """The project's milestones across the team's sprints, coloured by state."""
    today = today or localtime.today()
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
    return Timeline(project, columns, rows, current, today)


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
    today = today or localtime.today()
    moves = db.scalars(
        select(MilestoneMove)
        .options(joinedload(MilestoneMove.moved_by))
        .where(MilestoneMove.milestone_id == m.id)
        .order_by(MilestoneMove.moved_at, MilestoneMove.id)
    ).all()
    history = History(team_sprints(db, m.project.team_id), {m.id: list(moves)})
    state = milestone_state(m, current_sprint(history, today), today)
    return MilestoneDetail(m, list(moves), history, state)
