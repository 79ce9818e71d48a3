"""The skill matrix: members by competencies, with expectations, coverage, risks and pairings.

Built in a fixed number of queries (members, the framework version, the latest ratings), so the
page and every export cost the same number of statements for 5 members or 5,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.competencies.models import Category, Competency, Level
from tracker.competencies.services import (
    FrameworkView,
    current_version_id,
    default_framework_id,
    framework_id_for_team,
    latest_values,
    load_version,
)
from tracker.team.models import Member, Team

MIN_COVERAGE = 2  # fewer active practitioners than this is a bus-factor risk


@dataclass(slots=True)
class Cell:
    value: int | None
    self_value: int | None
    expected: int | None

    @property
    def gap(self) -> int | None:
        if self.value is None or self.expected is None:
            return None
        return self.value - self.expected


@dataclass
class Row:
    member: Member
    level: Level | None
    cells: list[Cell]


@dataclass
class Column:
    competency: Competency
    covered: int = 0
    rated: int = 0
    experts: list[Member] = field(default_factory=list)
    learners: list[Member] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return self.covered < MIN_COVERAGE


@dataclass
class PairingGroup:
    """One category's mentor pairings: who could mentor whom, competency by competency."""

    category: str
    columns: list[Column] = field(default_factory=list)

    @property
    def mentors(self) -> int:
        return len({m.id for c in self.columns for m in c.experts})

    @property
    def learners(self) -> int:
        return len({m.id for c in self.columns for m in c.learners})


@dataclass
class Matrix:
    view: FrameworkView
    columns: list[Column]
    rows: list[Row]
    team: Team | None = None

    @property
    def has_ratings(self) -> bool:
        """Whether any member shown has a rating: without one, coverage means nothing yet."""
        return any(c.rated for c in self.columns)

    @property
    def risks(self) -> list[Column]:
        """Competencies with too few practitioners; none before anyone is rated (a team
        with no ratings has no known risk, it has members to rate)."""
        if not self.has_ratings:
            return []
        return [c for c in self.columns if c.at_risk]

    @property
    def pairings(self) -> list[Column]:
        return [c for c in self.columns if c.experts and c.learners]

    def pairing_groups(self) -> list[PairingGroup]:
        """The mentor pairings by category, in column order, each with its counts."""
        groups: list[PairingGroup] = []
        for col in self.pairings:
            name = col.competency.category.name
            if not groups or groups[-1].category != name:
                groups.append(PairingGroup(name))
            groups[-1].columns.append(col)
        return groups

    @cached_property
    def _column_names(self) -> list[Markup]:
        return [escape(c.competency.name) for c in self.columns]

    def cells_html(self, row: Row) -> Markup:
        """A row's rating cells. Built here rather than in the template: a team's matrix has
        thousands of them (40 members: 1,560), and Jinja's per-cell lookups and escaping were
        two thirds of the page's time."""
        out = []
        for name, cell in zip(self._column_names, row.cells, strict=True):
            value, gap = cell.value, cell.gap
            css = f"r{value}" if value is not None else "unrated"
            below = "below" if gap is not None and gap < 0 else ""
            title = f"{name}: {value if value is not None else 'not rated'}"
            if cell.expected is not None:
                title += f", expected {cell.expected}"
            if cell.self_value is not None:
                title += f", self {cell.self_value}"
            shown = value if value is not None else ""
            out.append(f'<td class="cell {css} {below}" title="{title}">{shown}</td>')
        # Safe: names are escaped above, every other part is an integer or a fixed word.
        return Markup("".join(out))  # noqa: S704

    def category_spans(self) -> list[tuple[str, int]]:
        """(category name, number of its columns shown) in column order."""
        spans: list[tuple[str, int]] = []
        for col in self.columns:
            name = col.competency.category.name
            if spans and spans[-1][0] == name:
                spans[-1] = (name, spans[-1][1] + 1)
            else:
                spans.append((name, 1))
        return spans


def _members(db: Session, where, include_archived: bool) -> list[Member]:
    query = select(Member).options(selectinload(Member.team)).where(where)
    if not include_archived:
        query = query.where(Member.archived.is_(False))
    return list(db.scalars(query.order_by(Member.name, Member.id)))


def build(
    db: Session,
    view: FrameworkView,
    framework_id: int,
    members: list[Member],
    *,
    category: str | None = None,
    level: str | None = None,
    team: Team | None = None,
) -> Matrix:
    """Assemble the matrix for `members` against `view` (one query for the ratings)."""
    ids = [m.id for m in members]
    latest = latest_values(db, framework_id, Member.id.in_(ids)) if ids else {}
    nothing = [None, None]
    comps = [c for c in view.competencies if category in (None, "", c.category.key)]
    columns = [Column(c) for c in comps]
    # Expectations per level, in column order: one lookup per member instead of per cell.
    expected_by_level = {
        lvl.id: [view.expected(col.competency, lvl) for col in columns] for lvl in view.levels
    }
    unknown_level = [None] * len(columns)
    practitioner, expert = view.practitioner, view.expert
    rows = []
    for member in members:
        if level and member.level != level:
            continue
        lvl = view.level(member.level)
        expected = expected_by_level[lvl.id] if lvl else unknown_level
        active = not member.archived
        cells = []
        for col, exp in zip(columns, expected, strict=True):
            lead, self_ = latest.get((member.id, col.competency.key), nothing)
            cell = Cell(lead, self_, exp)
            cells.append(cell)
            if lead is None:
                continue
            col.rated += 1
            if not active:
                continue
            if lead >= practitioner:
                col.covered += 1
            if lead >= expert:
                col.experts.append(member)
            elif exp is not None and lead < exp:
                col.learners.append(member)
        rows.append(Row(member, lvl, cells))
    return Matrix(view, columns, rows, team)


def team_matrix(
    db: Session,
    team: Team,
    *,
    include_archived: bool = False,
    category: str | None = None,
    level: str | None = None,
) -> Matrix | None:
    """The matrix of one team (None when no framework exists yet)."""
    framework_id = framework_id_for_team(db, team)
    version_id = current_version_id(db, framework_id) if framework_id else None
    if framework_id is None or version_id is None:
        return None
    view = load_version(db, version_id)
    members = _members(db, Member.team_id == team.id, include_archived)
    return build(db, view, framework_id, members, category=category, level=level, team=team)


def org_matrix(
    db: Session, framework_id: int | None = None, *, include_archived: bool = False
) -> Matrix | None:
    """Every member assessed against one framework (default: the organisation's default)."""
    default_id = default_framework_id(db)
    framework_id = framework_id or default_id
    version_id = current_version_id(db, framework_id) if framework_id else None
    if framework_id is None or version_id is None:
        return None
    view = load_version(db, version_id)
    on_framework = Team.framework_id == framework_id
    if framework_id == default_id:
        on_framework = or_(on_framework, Team.framework_id.is_(None))
    team_ids = select(Team.id).where(on_framework)
    members = _members(db, Member.team_id.in_(team_ids), include_archived)
    members.sort(key=lambda m: (m.team.name, m.name, m.id))
    return build(db, view, framework_id, members)


SORT_KEYS = ("name", "level")


def sort_rows(matrix: Matrix, sort: str, desc: bool) -> None:
    """Sort rows by name, level, or a competency key (unrated last)."""
    if sort == "level":
        matrix.rows.sort(
            key=lambda r: (r.level.position if r.level else -1, r.member.name), reverse=desc
        )
        return
    keys = [c.competency.key for c in matrix.columns]
    if sort in keys:
        i = keys.index(sort)
        rated = [r for r in matrix.rows if r.cells[i].value is not None]
        unrated = [r for r in matrix.rows if r.cells[i].value is None]
        rated.sort(key=lambda r: (r.cells[i].value, r.member.name), reverse=desc)
        matrix.rows[:] = rated + unrated
        return
    matrix.rows.sort(key=lambda r: r.member.name.lower(), reverse=desc)


@dataclass(frozen=True, slots=True)
class MatrixArgs:
    """The matrix page's query string, each part one of the values it can really take."""

    category: str | None = None
    level: str | None = None
    include_archived: bool = False
    sort: str = "name"
    desc: bool = False


def canonical_args(db: Session, team: Team, asked: MatrixArgs) -> MatrixArgs:
    """`asked` with every unknown part replaced by what the page shows for it: an unknown
    category or level filters nothing, an unknown sort sorts by name. Junk in the query string
    then names the same page (and page-cache entry) as the real request. Costs no query for
    the unfiltered page sorted by name or level; otherwise 3 or 4 small ones."""
    if asked.category is None and asked.level is None and asked.sort in SORT_KEYS:
        return asked
    framework_id = framework_id_for_team(db, team)
    version_id = current_version_id(db, framework_id) if framework_id else None
    if version_id is None:  # "no framework yet": the page shows nothing else
        return MatrixArgs()
    pairs = db.execute(
        select(Category.key, Competency.key)
        .join(Competency, Competency.category_id == Category.id)
        .where(Category.version_id == version_id)
    ).all()
    levels = set(db.scalars(select(Level.name).where(Level.version_id == version_id)))
    categories = {category for category, _ in pairs}
    category = asked.category if asked.category in categories else None
    level = asked.level if asked.level in levels else None
    sortable = {comp for cat, comp in pairs if category in (None, cat)} | set(SORT_KEYS)
    sort = asked.sort if asked.sort in sortable else "name"
    return MatrixArgs(category, level, asked.include_archived, sort, asked.desc)
