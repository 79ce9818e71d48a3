"""Sessions with shared and private notes, action items that carry over, growth plans."""

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
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.db import Base, utcnow
from tracker.mentoring.markdown import render

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.competencies.models import Competency
    from tracker.sprints.models import Milestone
    from tracker.team.models import Member

SESSION_KINDS = {
    "one_on_one": "1:1",
    "mentoring": "Mentoring",
    "career": "Career conversation",
    "performance": "Performance check-in",
}
GOAL_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}

session_competency = Table(
    "session_competency",
    Base.metadata,
    Column("session_id", ForeignKey("mentoring_session.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "competency_id",
        ForeignKey("competency.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)

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


class MentoringSession(Base):
    """A 1:1 or mentoring session; private notes are for their author's eyes only."""

    audit_as = "session"
    audit_values = False  # its fields are all notes or close to them: named, never shown

    __tablename__ = "mentoring_session"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('one_on_one', 'mentoring', 'career', 'performance')", name="kind"
        ),
        CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name="mood"),
        CheckConstraint("duration_minutes BETWEEN 1 AND 600", name="duration_minutes"),
        Index("ix_mentoring_session_member_held", "member_id", "held_at"),
        Index("ix_mentoring_session_mentor_held", "mentor_id", "held_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    # The author: the only person who ever reads the private notes.
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16), default="one_on_one")
    held_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    agenda: Mapped[str] = mapped_column(Text, default="")
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    private_notes: Mapped[str] = mapped_column(Text, default="")
    # Each note rendered once, when written (see `_render_note`); pages show these, never
    # render per view. private_notes_html is exactly as private as private_notes.
    agenda_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    shared_notes_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    private_notes_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    mood: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[Member] = relationship()
    mentor: Mapped[User] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=session_competency, order_by="Competency.name"
    )
    items: Mapped[list[ActionItem]] = relationship(
        back_populates="session", order_by="ActionItem.id", cascade="all, delete-orphan"
    )

    @validates("agenda", "shared_notes", "private_notes")
    def _render_note(self, key: str, value: str) -> str:
        """Whoever writes a note (a form, the demo, a fixture) writes its HTML with it."""
        setattr(self, f"{key}_html", str(render(value)))
        return value

    def audit_created(self) -> str:
        """The audit log's line for a new meeting: who, which kind, when; never its notes."""
        return f"member {self.member_id}, {self.kind}, held {self.held_at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        return SESSION_KINDS.get(self.kind, self.kind)

    def is_scheduled(self, now: datetime) -> bool:
        """A session in the future is scheduled, not yet logged."""
        return self.held_at > now


class ActionItem(Base):
    """Something agreed in a session; open items follow the member into the next session."""

    audit_as = "action item"

    __tablename__ = "action_item"
    __table_args__ = (
        CheckConstraint("owner IN ('mentee', 'lead')", name="owner"),
        Index("ix_action_item_member_done_due", "member_id", "done", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_session.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the session so a member's open items are one indexed lookup.
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(8), default="mentee")
    due_date: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    session: Mapped[MentoringSession] = relationship(back_populates="items")


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
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    plan: Mapped[GrowthPlan] = relationship(back_populates="goals")
    sessions: Mapped[list[MentoringSession]] = relationship(
        secondary=goal_session, order_by="MentoringSession.held_at.desc()"
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


class CalendarFeed(Base):
    """A lead's secret calendar URL; resetting it makes the old URL stop working. Only the
    token's SHA-256 is kept: the URL is shown once, when it is made."""

    audit_as = "calendar feed"

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
