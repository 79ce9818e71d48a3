"""Frameworks are data: versions with a scale, levels, categories, competencies, expectations.

A `Framework` is a named family; each import of that name adds a `FrameworkVersion`. Ratings
point at the competency of the version they were made against, so re-importing never rewrites
history; the current view matches competencies across versions by their stable `key`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.mentoring.models import Meeting
    from tracker.sprints.models import Milestone


class Framework(Base):
    """A named competency framework; its content lives in versions."""

    audit_as = "framework"

    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The organisation's default: used by every team that has not chosen another framework.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    versions: Mapped[list[FrameworkVersion]] = relationship(
        back_populates="framework", order_by="FrameworkVersion.number"
    )


class FrameworkVersion(Base):
    """One imported version of a framework: immutable once written."""

    audit_as = "framework version"

    __tablename__ = "framework_version"
    __table_args__ = (
        UniqueConstraint("framework_id", "number", name="uq_framework_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    framework: Mapped[Framework] = relationship(back_populates="versions")
    scale: Mapped[list[ScalePoint]] = relationship(
        back_populates="version", order_by="ScalePoint.value", cascade="all, delete-orphan"
    )
    levels: Mapped[list[Level]] = relationship(
        back_populates="version", order_by="Level.position", cascade="all, delete-orphan"
    )
    categories: Mapped[list[Category]] = relationship(
        back_populates="version", order_by="Category.position", cascade="all, delete-orphan"
    )


class ScalePoint(Base):
    """One step of the version's proficiency scale (e.g. 3 Practitioner)."""

    __tablename__ = "scale_point"
    __table_args__ = (UniqueConstraint("version_id", "value", name="uq_scale_point_version_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[FrameworkVersion] = relationship(back_populates="scale")


class Level(Base):
    """A career level of a version, ordered by position (Entry < Mid < Senior < Lead)."""

    __tablename__ = "level"
    __table_args__ = (
        UniqueConstraint("version_id", "name", name="uq_level_version_name"),
        UniqueConstraint("version_id", "position", name="uq_level_version_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[FrameworkVersion] = relationship(back_populates="levels")


class Category(Base):
    """A group of competencies (e.g. Technical expertise)."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("version_id", "key", name="uq_category_version_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[FrameworkVersion] = relationship(back_populates="categories")
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="category", order_by="Competency.position", cascade="all, delete-orphan"
    )


class Competency(Base):
    """A skill to assess, with a descriptor and expected proficiency per level."""

    __tablename__ = "competency"
    __table_args__ = (
        UniqueConstraint("version_id", "key", name="uq_competency_version_key"),
        Index("ix_competency_category_position", "category_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("framework_version.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship(back_populates="competencies")
    expectations: Mapped[list[Expectation]] = relationship(
        back_populates="competency", cascade="all, delete-orphan"
    )


class Expectation(Base):
    """What good looks like for one competency at one level, and the proficiency expected."""

    __tablename__ = "expectation"

    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(
        ForeignKey("level.id", ondelete="CASCADE"), primary_key=True
    )
    expected: Mapped[int] = mapped_column(Integer)
    descriptor: Mapped[str] = mapped_column(Text)

    competency: Mapped[Competency] = relationship(back_populates="expectations")
    level: Mapped[Level] = relationship()


class Rating(Base):
    """One rating of a member on a competency: history, never overwritten."""

    audit_as = "rating"

    __tablename__ = "rating"
    __table_args__ = (
        CheckConstraint("kind IN ('lead', 'self')", name="kind"),
        Index("ix_rating_member_competency_created", "member_id", "competency_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency.id", ondelete="RESTRICT"))
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str] = mapped_column(String(500), default="")
    # Evidence in the app itself: the session where it showed, the milestone that proves it.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentoring_session.id", ondelete="SET NULL")
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestone.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    competency: Mapped[Competency] = relationship()
    rater: Mapped[User | None] = relationship()
    session: Mapped[Meeting | None] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
