"""What a person may find: one query per kind, scoped exactly as the pages that show it.

The scope reuses the features' own rules: the teams a user may manage are
`team.services.manageable_teams` kept by `can_manage_team` (a lead's role is checked, not only
the team's list of leads), a member record of one's own is readable as `get_member_for` allows,
sessions follow `mentoring.services.get_session_for`, and a private note is read only where
`can_read_private` would: by the session's author. A private note a user did not write is never
selected, matched or counted, so a result's presence reveals nothing of it either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.db import contains_folded
from tracker.errors import RuleError
from tracker.mentoring.models import SESSION_KINDS, ActionItem, Meeting
from tracker.plans.models import GOAL_STATUSES, Goal, GrowthPlan
from tracker.sprints.models import OPEN_STATUSES, Milestone, Project
from tracker.team.models import Member, Team
from tracker.team.services import can_manage_team, manageable_teams

MIN_TERM = 2
MAX_TERM = 100
PER_GROUP = 10  # results shown per kind; the rest are counted ("and 37 more")
SNIPPET = 140  # characters of context around a match
KINDS = {
    "members": "Members",
    "sessions": "1:1 sessions",
    "items": "Action items",
    "goals": "Goals",
    "milestones": "Milestones",
    "projects": "Projects",
}


class SearchError(RuleError):
    """The search term cannot be searched for; the message says why."""


def check_term(raw: str | None) -> str:
    """The term to search for (trimmed), or a SearchError naming the field `q`."""
    term = (raw or "").strip()
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in term):
        raise SearchError(
            "A search cannot hold control characters (line breaks, tabs and the like).", "q"
        )
    if len(term) < MIN_TERM:
        raise SearchError(f"Type at least {MIN_TERM} characters to search.", "q")
    if len(term) > MAX_TERM:
        raise SearchError(
            f"A search can be at most {MAX_TERM} characters (this has {len(term):,}).", "q"
        )
    return term


@dataclass
class Hit:
    """One result: where it leads, what it is called, a line of context and the snippet of
    the field that matched (`where`); a match in the title is marked in the title itself."""

    url: str
    title: str | Markup
    context: str
    snippet: Markup | None
    where: str = ""  # which field matched; "" for the title

    def __post_init__(self) -> None:
        if not self.where:
            self.title, self.snippet = self.snippet or self.title, None


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass
class Results:
    term: str
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


# --- snippets ---------------------------------------------------------------------------------


def _finder(term: str) -> re.Pattern[str]:
    return re.compile(re.escape(term), re.IGNORECASE)


def snippet(text: str, find: re.Pattern[str], width: int = SNIPPET) -> Markup | None:
    """`text` around its first match, escaped, the match in <mark>; None when it has none."""
    flat = " ".join(text.split())
    match = find.search(flat)
    if match is None:
        return None
    before = max(0, match.start() - width // 3)
    after = min(len(flat), max(match.end(), before + width))
    if before > 0:  # start at a word
        space = flat.find(" ", before, match.start())
        before = space + 1 if space >= 0 else before
    marked = Markup("{}{}<mark>{}</mark>{}{}")  # format() escapes every value it is given
    return marked.format(
        "…" if before > 0 else "",
        flat[before : match.start()],
        match.group(0),
        flat[match.end() : after],
        "…" if after < len(flat) else "",
    )


def _first(find: re.Pattern[str], fields: Sequence[tuple[str, str | None]]) -> tuple[Markup, str]:
    """The snippet of the first field that shows the match, and the field's name."""
    for where, text in fields:
        found = snippet(text or "", find)
        if found is not None:
            return found, where
    # Matched by the database's folding but not Python's (a rare letter): show the start.
    where, text = fields[0]
    flat = " ".join((text or "").split())
    cut = flat[:SNIPPET] + ("…" if len(flat) > SNIPPET else "")
    return escape(cut), where


# --- scope ------------------------------------------------------------------------------------


@dataclass
class Scope:
    """What `user` may open: every team (admin), the teams they manage, their own record."""

    user: User
    every_team: bool
    team_ids: set[int]

    def members(self) -> ColumnElement[bool]:
        """Members whose pages `user` may open (get_member_for)."""
        if self.every_team:
            return true()
        mine = Member.user_id == self.user.id
        return or_(Member.team_id.in_(self.team_ids), mine) if self.team_ids else mine

    def manages(self, team_id: int) -> bool:
        return self.every_team or team_id in self.team_ids

    def projects(self) -> ColumnElement[bool]:
        """Projects and their milestones' pages: the managed teams' (sprints/access.py)."""
        if self.every_team:
            return true()
        return Project.team_id.in_(self.team_ids) if self.team_ids else false()


def scope_for(db: Session, user: User) -> Scope:
    """The user's reach, in at most two queries (none for an admin)."""
    if user.is_admin:
        return Scope(user, True, set())
    teams = manageable_teams(db, user) if user.is_lead else []
    return Scope(user, False, {t.id for t in teams if can_manage_team(user, t)})


# --- the kinds --------------------------------------------------------------------------------


def _counted(db: Session, query, limit: int) -> tuple[list, int]:
    """The query's first `limit` rows and the count of all its rows, in one query."""
    rows = db.execute(query.add_columns(func.count().over()).limit(limit)).all()
    return [row[:-1] for row in rows], (rows[0][-1] if rows else 0)


def _day(value: date | datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _members(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    query = (
        select(Member.id, Member.name, Member.email, Member.job_title, Member.archived, Team.name)
        .join(Team, Team.id == Member.team_id)
        .where(
            scope.members(),
            or_(
                contains_folded(Member.name, term),
                contains_folded(Member.email, term),
                contains_folded(Member.job_title, term),
            ),
        )
        .order_by(Member.archived, Member.name, Member.id)
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for member_id, name, email, job, archived, team in rows:
        shown, where = _first(find, [("", name), ("e-mail", email), ("job title", job)])
        context = " · ".join(x for x in (team, job, "archived" if archived else "") if x)
        hits.append(Hit(url_for("team.member", member_id=member_id), name, context, shown, where))
    return hits, total


def _sessions(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    own = Meeting.mentor_id == scope.user.id  # can_read_private, in SQL
    query = (
        select(
            Meeting.id,
            Meeting.kind,
            Meeting.held_at,
            Member.name,
            Meeting.agenda,
            Meeting.shared_notes,
            # Another's private note never leaves the database.
            case((own, Meeting.private_notes), else_=literal("")).label("private"),
        )
        .join(Member, Member.id == Meeting.member_id)
        .where(
            scope.members(),
            or_(
                contains_folded(Meeting.agenda, term),
                contains_folded(Meeting.shared_notes, term),
                and_(own, contains_folded(Meeting.private_notes, term)),
            ),
        )
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for session_id, kind, held_at, name, agenda, shared, private in rows:
        fields = [("agenda", agenda), ("shared notes", shared), ("your private notes", private)]
        shown, where = _first(find, fields)
        label = SESSION_KINDS.get(kind, kind)
        hits.append(
            Hit(
                url_for("mentoring.session", session_id=session_id),
                f"{label} with {name}",
                _day(held_at),
                shown,
                where,
            )
        )
    return hits, total


def _items(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    query = (
        select(
            ActionItem.id,
            ActionItem.session_id,
            ActionItem.text,
            ActionItem.done,
            ActionItem.due_date,
            Member.name,
        )
        .join(Member, Member.id == ActionItem.member_id)
        .where(scope.members(), contains_folded(ActionItem.text, term))
        .order_by(ActionItem.done, ActionItem.created_at.desc(), ActionItem.id.desc())
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for _item_id, session_id, text, done, due, name in rows:
        shown, _ = _first(find, [("", text)])
        due_text = f"due {_day(due)}" if due else ""
        state = "done" if done else "open"
        context = " · ".join(x for x in (f"for {name}", state, due_text) if x)
        url = url_for("mentoring.session", session_id=session_id, _anchor="items")
        hits.append(Hit(url, text, context, shown))
    return hits, total


def _goals(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    query = (
        select(Goal.id, Goal.title, Goal.description, Goal.status, Member.id, Member.name)
        .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
        .join(Member, Member.id == GrowthPlan.member_id)
        .where(
            scope.members(),
            or_(contains_folded(Goal.title, term), contains_folded(Goal.description, term)),
        )
        .order_by(Member.name, Goal.position, Goal.id)
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for goal_id, title, description, status, member_id, name in rows:
        shown, where = _first(find, [("", title), ("description", description)])
        label = GOAL_STATUSES.get(status, status)
        url = url_for("plans.plan", member_id=member_id, _anchor=f"goal-{goal_id}")
        hits.append(Hit(url, title, f"{name} · {label}", shown, where))
    return hits, total


def _milestones(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    # Engineers see the open milestones they own on their home and "My milestones".
    own = and_(
        Milestone.owner_id.in_(select(Member.id).where(Member.user_id == scope.user.id)),
        Milestone.status.in_(OPEN_STATUSES),
    )
    query = (
        select(
            Milestone.id,
            Milestone.title,
            Milestone.description,
            Milestone.status,
            Milestone.due_date,
            Project.name,
            Project.team_id,
        )
        .join(Project, Project.id == Milestone.project_id)
        .where(
            or_(scope.projects(), own),
            or_(
                contains_folded(Milestone.title, term),
                contains_folded(Milestone.description, term),
            ),
        )
        .order_by(Milestone.due_date.is_(None), Milestone.due_date, Milestone.id)
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for milestone_id, title, description, status, due, project, team_id in rows:
        shown, where = _first(find, [("", title), ("description", description)])
        if scope.manages(team_id):
            url = url_for("sprints.milestone", milestone_id=milestone_id)
        else:
            url = url_for("delivery.mine")
        due_text = f"due {_day(due)}" if due else ""
        context = " · ".join(x for x in (project, status, due_text) if x)
        hits.append(Hit(url, title, context, shown, where))
    return hits, total


def _projects(db: Session, scope: Scope, term: str, find, limit: int) -> tuple[list[Hit], int]:
    query = (
        select(Project.id, Project.name, Project.description, Project.status, Team.name)
        .join(Team, Team.id == Project.team_id)
        .where(
            scope.projects(),
            or_(contains_folded(Project.name, term), contains_folded(Project.description, term)),
        )
        .order_by(Project.name, Project.id)
    )
    rows, total = _counted(db, query, limit)
    hits = []
    for project_id, name, description, status, team in rows:
        shown, where = _first(find, [("", name), ("description", description)])
        url = url_for("sprints.project", project_id=project_id)
        hits.append(Hit(url, name, f"{team} · {status}", shown, where))
    return hits, total


Finder = Callable[[Session, Scope, str, re.Pattern[str], int], tuple[list[Hit], int]]
FINDERS: dict[str, Finder] = {
    "members": _members,
    "sessions": _sessions,
    "items": _items,
    "goals": _goals,
    "milestones": _milestones,
    "projects": _projects,
}


def search(db: Session, user: User, raw: str | None, per_group: int = PER_GROUP) -> Results:
    """Everything `user` may open that holds the term, by kind: at most `per_group` of each
    with the count of all, in one query per kind (plus two for a lead's teams). Raises
    SearchError for a term that cannot be searched for."""
    term = check_term(raw)
    scope = scope_for(db, user)
    find = _finder(term)
    groups = []
    for kind, label in KINDS.items():
        if kind == "projects" and not scope.every_team and not scope.team_ids:
            groups.append(Group(kind, label))  # project pages are for their teams' leads
            continue
        hits, total = FINDERS[kind](db, scope, term, find, per_group)
        groups.append(Group(kind, label, hits, total))
    return Results(term, groups)
