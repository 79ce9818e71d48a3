"""User accounts, login throttle counters and one-time account links."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, utcnow

if TYPE_CHECKING:
    from tracker.team.models import Member, Team

ROLES = ("admin", "lead", "engineer")
ROLE_LABELS = {"admin": "Admin", "lead": "Lead", "engineer": "Engineer"}


def _session_token() -> str:
    return secrets.token_hex(16)


class User(Base):
    """Someone who can log in."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint("role IN ('admin', 'lead', 'engineer')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie: changing it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(32), default=_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    led_teams: Mapped[list[Team]] = relationship(
        secondary="team_lead", back_populates="leads", order_by="Team.name"
    )
    member: Mapped[Member | None] = relationship(back_populates="user", uselist=False)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_all_sessions(self) -> None:
        """Invalidate every login cookie of this user."""
        self.session_token = _session_token()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def is_engineer(self) -> bool:
        return self.role == "engineer"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


class LoginCounter(Base):
    """Failed logins of one key (an account, an address, or both) in its current fixed window.

    Updated only by one atomic upsert per attempt (tracker/auth/throttle.py), never by the ORM."""

    __tablename__ = "login_counter"

    # A digest of the kind and the parts: fixed length, and no typed text kept here.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer)


class AccountLink(Base):
    """A one-time link to set a password: an invitation for a member or a reset for a user."""

    __tablename__ = "account_link"
    __table_args__ = (CheckConstraint("kind IN ('invite', 'reset')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        """True while the link is unused and unexpired."""
        return self.used_at is None and now < self.expires_at
