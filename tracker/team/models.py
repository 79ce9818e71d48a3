"""Teams, team leads and members."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.competencies.models import Framework

# The default career levels; a team's framework may define others (member.level holds a name).
LEVELS = ("Entry", "Mid", "Senior", "Lead")

team_lead = Table(
    "team_lead",
    Base.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Team(Base):
    """A team: one or more leads and its members."""

    audit_as = "team"

    __tablename__ = "team"
    __table_args__ = (
        CheckConstraint("sprint_length_days BETWEEN 1 AND 60", name="sprint_length_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The framework its members are assessed against; None means the organisation's default.
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework.id", ondelete="SET NULL")
    )
    # What "create the next sprint" proposes (tracker.sprints).
    sprint_length_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    framework: Mapped[Framework | None] = relationship()
    leads: Mapped[list[User]] = relationship(
        secondary=team_lead, back_populates="led_teams", order_by="User.name"
    )
    members: Mapped[list[Member]] = relationship(back_populates="team", order_by="Member.name")


class Member(Base):
    """A person on a team; archived members keep all their history."""

    audit_as = "member"

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("team_id", "email", name="uq_member_team_id_email"),
        Index("ix_member_team_archived_name", "team_id", "archived", "name"),
        CheckConstraint("cadence_days BETWEEN 1 AND 365", name="cadence_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    level: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship(back_populates="member")

    @property
    def status(self) -> str:
        return "archived" if self.archived else "active"
