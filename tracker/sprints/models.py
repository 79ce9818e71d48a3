"""Projects, sprints, milestones, and the history of milestones moving between sprints."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import localtime
from tracker.db import Base, utcnow
from tracker.text import count_of

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.team.models import Member, Team

PROJECT_STATUSES = ("proposed", "active", "on hold", "done", "cancelled")
SPRINT_STATES = ("planned", "active", "closed")
MILESTONE_STATUSES = ("planned", "in progress", "done", "dropped")
OPEN_STATUSES = ("planned", "in progress")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Project(Base):
    """A team's project: its milestones are planned against the team's sprints."""

    audit_as = "project"

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("team_id", "name", name="uq_project_team_id_name"),
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    start_date: Mapped[date | None] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship()
    owner: Mapped[Member | None] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.due_date, Milestone.id"
    )


class Sprint(Base):
    """A time box of a team; a team's sprints never overlap and at most one is active."""

    audit_as = "sprint"

    __tablename__ = "sprint"
    __table_args__ = (
        UniqueConstraint("team_id", "name", name="uq_sprint_team_id_name"),
        Index("ix_sprint_team_dates", "team_id", "start_date", "end_date"),
        # The database's own guard behind the service's message: one active sprint per team.
        Index(
            "ix_sprint_one_active",
            "team_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint(_in("state", SPRINT_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    goal: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="planned")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    team: Mapped[Team] = relationship()

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start_date <= day <= self.end_date

    def days_left(self, today: date) -> int:
        """Days left including today (0 once it has ended); the whole length before it starts."""
        if today > self.end_date:
            return 0
        return (self.end_date - max(today, self.start_date)).days + 1

    def timing(self, today: date) -> str:
        """Where the sprint stands on `today`, in words: every page shows this one phrase."""
        if self.state == "closed":
            return "closed"
        if today < self.start_date:
            return f"starts in {count_of((self.start_date - today).days, 'day')}"
        if today > self.end_date:
            return "past its end date"
        return f"{count_of(self.days_left(today), 'day')} left"


class Milestone(Base):
    """A deliverable of a project, planned for a sprint; delivered when done."""

    audit_as = "milestone"

    __tablename__ = "milestone"
    __table_args__ = (
        # Re-importing the same file finds what it imported before (NULLs never clash).
        UniqueConstraint("project_id", "external_key", name="uq_milestone_project_id_external_key"),
        Index("ix_milestone_project_due", "project_id", "due_date"),
        CheckConstraint(_in("status", MILESTONE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="planned")
    done_date: Mapped[date | None] = mapped_column(Date)
    drop_reason: Mapped[str] = mapped_column(Text, default="")
    external_key: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship(back_populates="milestones")
    owner: Mapped[Member | None] = relationship()
    sprint: Mapped[Sprint | None] = relationship()
    moves: Mapped[list[MilestoneMove]] = relationship(
        back_populates="milestone", order_by="MilestoneMove.moved_at, MilestoneMove.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def delivered_late(self) -> bool:
        return bool(self.done_date and self.due_date and self.done_date > self.due_date)

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def overdue_now(self) -> bool:
        return self.is_overdue(localtime.today())


class MilestoneMove(Base):
    """A milestone moved from one sprint to another (None: unplanned): never edited or lost."""

    audit_as = "milestone move"

    __tablename__ = "milestone_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        ForeignKey("milestone.id", ondelete="CASCADE"), index=True
    )
    from_sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), index=True
    )
    to_sprint_id: Mapped[int | None] = mapped_column(
        ForeignKey("sprint.id", ondelete="SET NULL"), index=True
    )
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    # Moved by closing the sprint it was planned for (a carry-over), not by an edit.
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)

    milestone: Mapped[Milestone] = relationship(back_populates="moves")
    from_sprint: Mapped[Sprint | None] = relationship(foreign_keys=[from_sprint_id])
    to_sprint: Mapped[Sprint | None] = relationship(foreign_keys=[to_sprint_id])
    moved_by: Mapped[User | None] = relationship()
