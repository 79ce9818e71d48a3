"""Account rules: authentication with throttling, passwords, invitations, user admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from tracker.auditing import record
from tracker.auth.models import ROLE_LABELS, ROLES, User
from tracker.auth.notices import notify, when
from tracker.auth.throttle import Attempt
from tracker.db import utcnow
from tracker.errors import RuleError
from tracker.security import hash_password, needs_rehash, password_problem, verify_password

# Two admin accounts in one person's hands would let them approve their own resets.
ADMIN_BY_OPERATOR = (
    "Only whoever runs the server makes admins (flask --app wsgi tracker create-user EMAIL "
    "--name NAME --role admin): an admin who could make another admin account could approve "
    "their own resets of other people's passwords."
)
# The same words whoever owns the address (another team's engineer, an admin, a lead): a lead
# learns nothing about which e-mail addresses have accounts.
NEUTRAL_INVITE_ERROR = (
    "This member cannot be invited with their email address. Ask an admin to give them access."
)


class AccountError(RuleError):
    """A rule about accounts was broken; the message names what is wrong."""


# A production server never accepts the demo's published password, whichever account has it.
PUBLISHED_LOGIN_REFUSED = (
    "This account's password is the demo password published with Team Tracker, which this "
    "server does not accept. Set a new password: ask an admin for a password-reset link."
)


def published_password_refused(password: str) -> bool:
    """True in production for the demo's published password (for any account)."""
    from tracker.security import DEMO_PASSWORD

    production = current_app.config["ENV_NAME"] == "production"
    return production and secrets.compare_digest(password.encode(), DEMO_PASSWORD.encode())


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
    user = db.scalar(select(User).where(User.email == email))
    # Only an account's stored address is written down, never the typed text: a password
    # typed into the e-mail field by mistake must not reach the audit log.
    seen = f"{user.email if user else 'an unknown account'} from {address[:64]}"
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
    if published_password_refused(password):
        attempt.failed()
        record(db, "login refused", "user", user.id, f"{seen}: the published demo password")
        return LoginResult(None, PUBLISHED_LOGIN_REFUSED)
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
    user.password_from_link = False
    user.end_all_sessions()


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password, after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("The current password is not correct.", "current_password")
    if current == new:
        raise AccountError("The new password must differ from the current one.", "password")
    set_password(user, new)
    db = object_session(user)
    if db is not None:
        record(db, "password changed", "user", user.id, "by its owner")
        notify(db, user.id, f"Your password was changed at {when(utcnow(), db, user)}.")


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
    if password is not None and db.info.get("audit") is not False:
        record(db, "password set", "user", user.id, "with the new account")
    return user


def update_user(db: Session, user: User, acting: User, name: str, role: str) -> str | None:
    """Change a user's name and role (an admin cannot demote themselves); returns what else
    happened that the admin must hear about, or None."""
    from tracker.auth.protection import close_unapproved_resets, needs_second_admin

    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}.", "role")
    if user.id == acting.id and role != "admin":
        raise AccountError("You cannot remove your own admin role.", "role")
    if role == "admin" and user.role != "admin":
        raise AccountError(ADMIN_BY_OPERATOR, "role")
    if user.role == "lead" and role != "lead" and user.led_teams:
        teams = ", ".join(t.name for t in user.led_teams)
        raise AccountError(
            f"{user.name} still leads {teams}: give the team another lead first.", "role"
        )
    user.name = name.strip()
    if role != user.role:
        was_protected = needs_second_admin(db, user)
        notify(
            db,
            user.id,
            f"{acting.name} changed your role from {user.role_label} to "
            f"{ROLE_LABELS[role]} at {when(utcnow(), db, user)}.",
        )
        user.role = role
        user.end_all_sessions()
        said = []
        if not was_protected and needs_second_admin(db, user) and user.password_from_link:
            said.append(_clear_link_password(db, user))
        if close_unapproved_resets(db, user):
            said.append(
                f"The unused password-reset link for {user.name} was closed: resetting "
                "their password now needs a second admin's approval."
            )
        return " ".join(said) or None
    return None


def _clear_link_password(db: Session, user: User) -> str:
    """An account becoming protected keeps no password that a link's holder may know."""
    # Whoever held the link (the admin who reset it, the lead who invited) could have set
    # it: kept, it would be a working credential for an account one admin may no longer
    # reset. Without one, the account is like a new one: its owner needs a new link.
    user.password_hash = None
    user.password_from_link = False
    record(db, "password cleared", "user", user.id, "set with a link someone else held")
    notify(
        db,
        user.id,
        f"Your password was cleared at {when(utcnow(), db, user)} when your role changed, "
        "because it was set with a link someone else held. Ask an admin for a new link.",
    )
    return (
        f"{user.name}'s password was set with a link someone else held, so it was cleared: "
        "they need a new link (Reset password) and then choose their own."
    )


def set_active(user: User, acting: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account."""
    if user.id == acting.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        user.end_all_sessions()
