"""User accounts, login throttle counters, one-time account links and notices to account owners."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    exists,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship, validates

from tracker.db import Base, utcnow

if TYPE_CHECKING:
    from tracker.team.models import Member, Team

ROLES = ("admin", "lead", "engineer")
PRIVILEGED_ROLES = ("admin", "lead")
ROLE_LABELS = {"admin": "Admin", "lead": "Lead", "engineer": "Engineer"}


def _session_token() -> str:
    return secrets.token_hex(16)


class User(Base):
    """Someone who can log in."""

    audit_as = "user"

    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'lead', 'engineer')", name="role"),
        # Whatever writes the row (the ORM, a bulk seed, SQL by hand), a lead or an admin is
        # marked for good: the mark survives any later change of role.
        CheckConstraint("role = 'engineer' OR ever_privileged", name="privileged_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    # Has held the lead or admin role (or written a 1:1) at some time: such an account may
    # hold private notes, so one admin alone never gets a credential for it, whatever its
    # role is now (tracker/auth/links.py). Set with the role, never cleared.
    ever_privileged: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The password was set through a link only its issuer held (an invitation, a one-admin
    # reset): whoever held the link may know it. Cleared when the owner changes it; a
    # promotion to lead clears such a password (tracker/auth/services.py).
    password_from_link: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the login cookie: changing it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(32), default=_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # An IANA name (Europe/Berlin) every date and time is shown, entered and counted in for
    # this user; NULL: the organisation's (tracker/localtime.py).
    time_zone: Mapped[str | None] = mapped_column(String(64))

    led_teams: Mapped[list[Team]] = relationship(
        secondary="team_lead", back_populates="leads", order_by="Team.name"
    )
    member: Mapped[Member | None] = relationship(back_populates="user", uselist=False)

    # The login this request runs under (tracker/auth/sessions.py sets both): not columns.
    # Typed by cast: SQLAlchemy would take an annotation without Mapped[] for a bad mapping.
    login_id = cast("str | None", None)  # the Flask-Login id its cookies carry
    login_session_id = cast("int | None", None)  # the LoginSession's id

    @validates("role")
    def _mark_privileged(self, _key: str, role: str) -> str:
        if role in PRIVILEGED_ROLES:
            self.ever_privileged = True
        return role

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
        # Without a login row there is no usable id: this one names none, so it loads nobody.
        return self.login_id or f"{self.id}:{self.session_token}"

    def end_all_sessions(self) -> None:
        """Invalidate every login cookie of this user (at flush their login rows are revoked
        and their calendar feed ends too: tracker/auth/sessions.py)."""
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

    invalidates_pages = False  # on no page: anonymous failed logins keep every cache warm
    __tablename__ = "login_counter"

    # A digest of the kind and the parts: fixed length, and no typed text kept here.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    failures: Mapped[int] = mapped_column(Integer)


class AccountLink(Base):
    """A one-time link to set a password: an invitation for a member or a reset for a user.

    A reset of an account that needs a second admin starts as a request (`needs_approval`)
    without any token; only the approval makes the link. `token_digest` holds the SHA-256 of
    whatever secret currently unlocks the link: the URL's token until the link is opened,
    then a nonce kept in the session of the browser that opened it."""

    audit_as = "account link"

    __tablename__ = "account_link"
    __table_args__ = (CheckConstraint("kind IN ('invite', 'reset')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    # Closed: used, replaced by a newer link, or (a request) cancelled.
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by a second admin's approval, or by the server's operator (the CLI: no approver).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    def is_usable(self, now: datetime) -> bool:
        """True while the link is unused and unexpired."""
        return self.used_at is None and now < self.expires_at

    @property
    def is_pending(self) -> bool:
        """A reset request still waiting for a second admin."""
        return self.needs_approval and self.approved_at is None


class AccountNotice(Base):
    """Something done to an account that its owner must hear about (a reset, a new password)."""

    __tablename__ = "account_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    text: Mapped[str] = mapped_column(String(500))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


# Loaded with the user in the same SELECT: the banner costs no query while there is nothing new.
User.has_unseen_notices = column_property(
    exists()
    .where(AccountNotice.user_id == User.id, AccountNotice.seen_at.is_(None))
    .correlate_except(AccountNotice)
)
