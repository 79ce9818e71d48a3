"""1:1 meetings with shared and private notes, action items that carry over, calendar feeds."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.db import Base, utcnow
from tracker.mentoring.markdown import render

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.competencies.models import Competency
    from tracker.team.models import Member

SESSION_KINDS = {
    "one_on_one": "1:1",
    "mentoring": "Mentoring",
    "career": "Career conversation",
    "performance": "Performance check-in",
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


class Meeting(Base):
    """A 1:1 or mentoring meeting; private notes are for their author's eyes only."""

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

    session: Mapped[Meeting] = relationship(back_populates="items")


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


class AgendaTemplate(Base):
    """Talking points a new 1:1's agenda may start from: a lead's own (owner_id) or the
    organisation's (owner_id NULL, kept by admins). Built-in organisation templates carry a
    `key` ("first", "career", "performance"), so renaming one keeps what it is for."""

    audit_as = "agenda template"
    invalidates_pages = False  # no cached page shows a template

    __tablename__ = "agenda_template"
    __table_args__ = (
        # A lead's names are unique among their own; the organisation's among its own (NULL
        # owners never clash in a unique constraint, hence the partial index).
        UniqueConstraint("owner_id", "name", name="uq_agenda_template_owner_id_name"),
        Index(
            "uq_agenda_template_org_name",
            "name",
            unique=True,
            sqlite_where=text("owner_id IS NULL"),
            postgresql_where=text("owner_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_organisations(self) -> bool:
        return self.owner_id is None
