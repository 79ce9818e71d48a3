"""Account rules: authentication with throttling, passwords, one-time links, user admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit.services import record
from tracker.auth.models import ROLES, AccountLink, User
from tracker.auth.throttle import Attempt
from tracker.db import utcnow
from tracker.security import (
    hash_password,
    needs_rehash,
    new_token,
    password_problem,
    token_digest,
    verify_password,
)
from tracker.team.models import Member


class AccountError(ValueError):
    """A rule about accounts was broken; the message names what is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class LoginResult:
    user: User | None
    error: str | None = None
    retry_after: int | None = None  # seconds, when the throttle refused the attempt


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def authenticate(db: Session, email: str, password: str, address: str) -> LoginResult:
    """Check a login under the throttle (tracker/auth/throttle.py); every outcome is audited.

    The attempt's place is reserved before the password is checked, so however many arrive at
    once, no more than the limits are ever evaluated. Unknown e-mails cost the same argon2 time
    and are counted the same way, so neither reveals which accounts exist."""
    email = normalise_email(email)
    seen = f"{email} from {address[:64]}"  # never the password
    user = db.scalar(select(User).where(User.email == email))
    attempt = Attempt(db, email, address)
    refusal = attempt.reserve()
    if refusal is not None:
        record(db, "login refused", "user", user.id if user else None, f"{seen}: throttled")
        return LoginResult(None, refusal.message, retry_after=refusal.retry_after)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        attempt.failed()
        record(db, "login failed", "user", user.id if user else None, seen)
        return LoginResult(None, "Email or password is not correct.")
    attempt.succeeded()
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = attempt.now
    record(db, "login", "user", user.id, seen, actor=user)
    return LoginResult(user)


def set_password(user: User, password: str) -> None:
    """Give `user` a new password and end all of their sessions."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(password)
    user.end_all_sessions()


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password, after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("The current password is not correct.", "current_password")
    if current == new:
        raise AccountError("The new password must differ from the current one.", "password")
    set_password(user, new)


def create_user(db: Session, email: str, name: str, role: str, password: str | None) -> User:
    """Create an account; the email must be new and the role known."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.", "role")
    if not name.strip():
        raise AccountError("Name is required.", "name")
    if db.scalar(select(User.id).where(User.email == email)):
        raise AccountError(f"An account with the email {email} already exists.", "email")
    user = User(email=email, name=name.strip(), role=role, active=True)
    if password is not None:
        set_password(user, password)
    db.add(user)
    db.flush()
    return user


def update_user(db: Session, user: User, acting: User, name: str, role: str) -> None:
    """Change a user's name and role (an admin cannot demote themselves)."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}.", "role")
    if user.id == acting.id and role != "admin":
        raise AccountError("You cannot remove your own admin role.", "role")
    if user.role == "lead" and role != "lead" and user.led_teams:
        teams = ", ".join(t.name for t in user.led_teams)
        raise AccountError(
            f"{user.name} still leads {teams}: give the team another lead first.", "role"
        )
    user.name = name.strip()
    if role != user.role:
        user.role = role
        user.end_all_sessions()


def set_active(user: User, acting: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if user.id == acting.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        user.end_all_sessions()


def _new_link(db: Session, kind: str, acting: User | None, **target) -> tuple[AccountLink, str]:
    token = new_token()
    now = utcnow()
    lifetime: timedelta = current_app.config["INVITATION_LIFETIME"]
    link = AccountLink(
        kind=kind,
        token_digest=token_digest(token),
        created_by_id=acting.id if acting else None,
        created_at=now,
        expires_at=now + lifetime,
        **target,
    )
    db.add(link)
    db.flush()
    return link, token


def invite_member(db: Session, member: Member, acting: User) -> tuple[AccountLink, str]:
    """Make a one-time invitation for `member` to create their engineer account."""
    if member.archived:
        raise AccountError("Archived members cannot be invited; restore them first.")
    if member.user_id is not None:
        raise AccountError(f"{member.name} already has an account.")
    if db.scalar(select(User.id).where(User.email == normalise_email(member.email))):
        raise AccountError(
            f"An account with the email {member.email} already exists; ask an admin to link it."
        )
    # Only the newest invitation works: older unused ones are closed.
    for old in db.scalars(
        select(AccountLink).where(AccountLink.member_id == member.id, AccountLink.used_at.is_(None))
    ):
        old.used_at = utcnow()
    return _new_link(db, "invite", acting, member_id=member.id)


def reset_link(db: Session, user: User, acting: User) -> tuple[AccountLink, str]:
    """Make a one-time password-reset link for `user`."""
    for old in db.scalars(
        select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
    ):
        old.used_at = utcnow()
    return _new_link(db, "reset", acting, user_id=user.id)


def find_link(db: Session, token: str) -> AccountLink | None:
    """The usable link for `token`, or None if unknown, used or expired."""
    link = db.scalar(select(AccountLink).where(AccountLink.token_digest == token_digest(token)))
    if link is None or not link.is_usable(utcnow()):
        return None
    return link


def accept_link(db: Session, link: AccountLink, password: str) -> User:
    """Use a link: an invitation creates the engineer's account, a reset sets a password."""
    if link.kind == "invite":
        member = link.member
        assert member is not None
        if member.user_id is not None or member.archived:
            raise AccountError("This invitation is no longer valid.")
        user = create_user(db, member.email, member.name, "engineer", None)
        set_password(user, password)
        member.user = user
    else:
        user = link.user
        assert user is not None
        set_password(user, password)
    link.used_at = utcnow()
    db.flush()
    return user
