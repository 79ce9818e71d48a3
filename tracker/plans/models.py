"""A member's growth plan, its goals (linked to 1:1 meetings and milestones), comments and
history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.mentoring.models import Meeting
    from tracker.sprints.models import Milestone
    from tracker.team.models import Member

GOAL_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}

goal_session = Table(
    "goal_session",
    Base.metadata,
    Column("goal_id", ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "session_id",
        ForeignKey("mentoring_session.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

goal_milestone = Table(
    "goal_milestone",
    Base.metadata,
    Column("goal_id", ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "milestone_id", ForeignKey("milestone.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class GrowthPlan(Base):
    """A member's growth plan: where they are heading, by when, and the goals on the way."""

    audit_as = "growth plan"

    __tablename__ = "growth_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    target_level: Mapped[str] = mapped_column(String(60))
    target_date: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()
    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position, Goal.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[PlanEvent]] = relationship(
        back_populates="plan",
        order_by="PlanEvent.at.desc(), PlanEvent.id.desc()",
        cascade="all, delete-orphan",
    )


class Goal(Base):
    """A goal of a growth plan, optionally tied to a competency and a target proficiency."""

    audit_as = "goal"

    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'dropped')", name="status"
        ),
        Index("ix_goal_plan_status_due", "plan_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("growth_plan.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The competency by its stable key in the member's framework (survives new versions).
    competency_key: Mapped[str | None] = mapped_column(String(60))
    target_proficiency: Mapped[int | None] = mapped_column(Integer)
    # The lead rating the goal started from, so progress counts the way travelled, not the
    # rating itself; None on a competency goal means the scale's lowest value.
    baseline_proficiency: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    plan: Mapped[GrowthPlan] = relationship(back_populates="goals")
    sessions: Mapped[list[Meeting]] = relationship(
        secondary=goal_session, order_by="Meeting.held_at.desc()"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        secondary=goal_milestone, order_by="Milestone.due_date"
    )
    comments: Mapped[list[GoalComment]] = relationship(
        back_populates="goal", order_by="GoalComment.created_at", cascade="all, delete-orphan"
    )

    @property
    def status_label(self) -> str:
        return GOAL_STATUSES.get(self.status, self.status)


class GoalComment(Base):
    """A comment on a goal, by the engineer or their lead."""

    audit_as = "goal comment"

    __tablename__ = "goal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class PlanEvent(Base):
    """History of a plan: who changed the target level or a goal's status, and when."""

    __tablename__ = "plan_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("growth_plan.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    what: Mapped[str] = mapped_column(String(500))

    plan: Mapped[GrowthPlan] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
