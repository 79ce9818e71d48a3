"""Which framework applies, loading a version whole, and the rules of rating."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.auth.models import User
from tracker.competencies.models import (
    Category,
    Competency,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    Rating,
    ScalePoint,
)
from tracker.errors import RuleError
from tracker.team.hooks import FrameworkProvider
from tracker.team.models import Member, Team

MAX_NOTE = 1000  # a rating's evidence note: one line, shown in the history


class RatingError(RuleError):
    """A rating broke a rule; the message names what is wrong."""


# --- frameworks -------------------------------------------------------------------------------


def default_framework_id(db: Session) -> int | None:
    """The organisation's default framework (the oldest one when none is flagged)."""
    return db.scalar(
        select(Framework.id).order_by(Framework.is_default.desc(), Framework.id).limit(1)
    )


def framework_id_for_team(db: Session, team: Team) -> int | None:
    """The framework a team's members are assessed against."""
    return team.framework_id or default_framework_id(db)


def current_version_id(db: Session, framework_id: int) -> int | None:
    """The newest version of a framework."""
    return db.scalar(
        select(FrameworkVersion.id)
        .where(FrameworkVersion.framework_id == framework_id)
        .order_by(FrameworkVersion.number.desc())
        .limit(1)
    )


@dataclass
class FrameworkView:
    """A version loaded whole (6 queries, whatever its size), with lookups."""

    version: FrameworkVersion
    scale: list[ScalePoint]
    levels: list[Level]
    categories: list[Category]

    @cached_property
    def competencies(self) -> list[Competency]:
        return [c for cat in self.categories for c in cat.competencies]

    @cached_property
    def by_key(self) -> dict[str, Competency]:
        return {c.key: c for c in self.competencies}

    @cached_property
    def _expectations(self) -> dict[tuple[int, int], Expectation]:
        return {(e.competency_id, e.level_id): e for c in self.competencies for e in c.expectations}

    @cached_property
    def scale_values(self) -> list[int]:
        return [p.value for p in self.scale]

    @cached_property
    def labels(self) -> dict[int, str]:
        return {p.value: p.label for p in self.scale}

    def _labelled(self, label: str, fallback_index: int) -> int:
        for p in self.scale:
            if p.label.lower() == label:
                return p.value
        return self.scale_values[min(fallback_index, len(self.scale_values) - 1)]

    @cached_property
    def practitioner(self) -> int:
        """The value that counts as covering a competency (Practitioner, else mid-scale)."""
        return self._labelled("practitioner", len(self.scale_values) // 2)

    @cached_property
    def expert(self) -> int:
        """The value that makes someone a natural mentor (Expert, else second from top)."""
        return self._labelled("expert", len(self.scale_values) - 2)

    @cached_property
    def _levels_by_name(self) -> dict[str, Level]:
        return {lvl.name: lvl for lvl in self.levels}

    def level(self, name: str | None) -> Level | None:
        return self._levels_by_name.get(name) if name else None

    def next_level(self, level: Level | None) -> Level | None:
        if level is None:
            return None
        return next((lvl for lvl in self.levels if lvl.position > level.position), None)

    def expectation(self, competency: Competency, level: Level | None) -> Expectation | None:
        if level is None:
            return None
        return self._expectations.get((competency.id, level.id))

    def expected(self, competency: Competency, level: Level | None) -> int | None:
        exp = self.expectation(competency, level)
        return exp.expected if exp else None


def load_version(db: Session, version_id: int) -> FrameworkView:
    """Load a framework version with its scale, levels, categories and expectations."""
    version = db.scalar(
        select(FrameworkVersion)
        .options(
            selectinload(FrameworkVersion.framework),
            selectinload(FrameworkVersion.scale),
            selectinload(FrameworkVersion.levels),
            selectinload(FrameworkVersion.categories)
            .selectinload(Category.competencies)
            .selectinload(Competency.expectations),
        )
        .where(FrameworkVersion.id == version_id)
    )
    assert version is not None
    return FrameworkView(
        version, list(version.scale), list(version.levels), list(version.categories)
    )


def view_for_team(db: Session, team: Team) -> FrameworkView | None:
    """The current version of the team's framework, or None when no framework exists."""
    framework_id = framework_id_for_team(db, team)
    version_id = current_version_id(db, framework_id) if framework_id else None
    return load_version(db, version_id) if version_id else None


def level_names_for_team(db: Session, team_id: int) -> list[str] | None:
    """Career level names of the team's framework, lowest first (None without a framework)."""
    team = db.get(Team, team_id)
    framework_id = framework_id_for_team(db, team) if team else default_framework_id(db)
    version_id = current_version_id(db, framework_id) if framework_id else None
    if version_id is None:
        return None
    return list(
        db.scalars(
            select(Level.name).where(Level.version_id == version_id).order_by(Level.position)
        )
    )


# What team asks of its later features (tracker/team/hooks.py), filled by init_app.
TEAM_FRAMEWORKS = FrameworkProvider(
    choices=lambda db: [
        (f.id, f.name) for f in db.scalars(select(Framework).order_by(Framework.name))
    ],
    exists=lambda db, framework_id: db.get(Framework, framework_id) is not None,
    level_names=level_names_for_team,
)


# --- ratings ----------------------------------------------------------------------------------


@dataclass
class Latest:
    """The newest lead and self rating of one member on one competency key."""

    lead: Rating | None = None
    self_: Rating | None = None


def _ranked(framework_id: int, members_where, *columns):
    """Ratings of the selected members in the framework's versions, numbered newest first
    within each (member, competency key, kind): rn = 1 is the current one."""
    return (
        select(
            *columns,
            func.row_number()
            .over(
                partition_by=(Rating.member_id, Competency.key, Rating.kind),
                order_by=(Rating.created_at.desc(), Rating.id.desc()),
            )
            .label("rn"),
        )
        .join(Competency, Competency.id == Rating.competency_id)
        .join(FrameworkVersion, FrameworkVersion.id == Competency.version_id)
        .join(Member, Member.id == Rating.member_id)
        .where(FrameworkVersion.framework_id == framework_id, members_where)
        .subquery()
    )


def latest_ratings(db: Session, framework_id: int, members_where) -> dict[tuple[int, str], Latest]:
    """Newest lead and self rating objects per (member id, competency key), across the
    framework's versions, for the members selected by `members_where` (one query)."""
    ranked = _ranked(framework_id, members_where, Rating.id.label("rating_id"))
    rows = db.execute(
        select(Rating, Competency.key)
        .join(ranked, ranked.c.rating_id == Rating.id)
        .join(Competency, Competency.id == Rating.competency_id)
        .where(ranked.c.rn == 1)
    )
    result: dict[tuple[int, str], Latest] = {}
    for rating, key in rows:
        latest = result.setdefault((rating.member_id, key), Latest())
        if rating.kind == "lead":
            latest.lead = rating
        else:
            latest.self_ = rating
    return result


def latest_values(
    db: Session, framework_id: int, members_where
) -> dict[tuple[int, str], list[int | None]]:
    """Like `latest_ratings`, but only the values, as [lead, self]: plain rows, no ORM
    objects, so a 2,000-member matrix does not build 100,000 of them (one query)."""
    ranked = _ranked(
        framework_id, members_where, Rating.member_id, Competency.key, Rating.kind, Rating.value
    )
    # Core execution on the session's connection: plain tuples, no ORM row processing.
    rows = db.connection().execute(
        select(ranked.c.member_id, ranked.c.key, ranked.c.kind, ranked.c.value).where(
            ranked.c.rn == 1
        )
    )
    result: dict[tuple[int, str], list[int | None]] = {}
    for member_id, key, kind, value in rows:
        pair = result.setdefault((member_id, key), [None, None])
        pair[0 if kind == "lead" else 1] = value
    return result


def rating_kind(user: User, member: Member, can_manage: bool) -> str:
    """'self' for the member rating themself, 'lead' for their lead or an admin."""
    if member.user_id == user.id:
        return "self"
    if can_manage:
        return "lead"
    raise RatingError("You cannot rate this member.")
