"""A user's second factor (a TOTP secret) and their single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, utcnow


class TwoFactor(Base):
    """One user's TOTP secret: on once `enabled_at` is set (a first code confirmed it).

    Not audited by the flush listener (the secret must never reach the log): the services
    record enrolment, removal and resets themselves."""

    invalidates_pages = False  # shown on the account and admin pages only, never cached
    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))  # base32, RFC 6238's shared key
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The newest time step a code was accepted for: a code of that step or older is refused.
    last_step: Mapped[int | None] = mapped_column(Integer)
    # An admin asked for this second factor to be removed; a second admin must approve when
    # the account is protected (tracker/auth/protection.py).
    reset_requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    reset_requested_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(Base):
    """One single-use recovery code, stored as an argon2id hash (tracker/security.py)."""

    invalidates_pages = False
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
