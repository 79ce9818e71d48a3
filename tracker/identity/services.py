"""Two-factor rules: TOTP secrets and codes (RFC 6238), recovery codes, the organisation's
requirement, throttled code checks and the admin's reset under the second-admin rule.

Codes are 6 digits over 30-second steps; a code of the step before or after the server's is
accepted (clock drift), and a code of a step at or before the last one accepted is refused,
so a code seen over a shoulder or replayed from a log cannot be used again.

Recovery codes are hashed with the app's password hashing (argon2id, tracker/security.py): a
database reader learns no working code, and no key has to be kept apart from the database or
survive a SECRET_KEY rotation. Checking one costs up to ten argon2 verifications, which the
throttle bounds like a password guess.
"""

from __future__ import annotations

import base64
import hmac
import math
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

import pyotp
import segno
from flask import current_app
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.auditing import record
from tracker.auth.models import PRIVILEGED_ROLES, User
from tracker.auth.notices import notify, when
from tracker.auth.protection import needs_second_admin
from tracker.auth.throttle import Attempt, client_address, counter_key
from tracker.db import utcnow
from tracker.errors import RuleError
from tracker.identity.models import RecoveryCode, TwoFactor
from tracker.localtime import Organisation, configured_zone
from tracker.security import hash_password, verify_password

ISSUER = "Team Tracker"
STEP_SECONDS = 30
RECOVERY_CODES = 10
CLI_RESET = "flask --app wsgi tracker reset-two-factor EMAIL"
TOTP_SHAPE = re.compile(r"[0-9]{6}")
RECOVERY_SHAPE = re.compile(r"[a-z2-7]{10}")


class IdentityError(RuleError):
    """A two-factor rule was broken; the message names what is wrong."""


# --- codes ------------------------------------------------------------------------------------


def new_secret() -> str:
    """A new shared key: 160 random bits in base32 (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, made here (no outside service sees it)."""
    code = segno.make(uri, error="m")
    return code.svg_inline(scale=4, dark="#000", light="#fff", title="QR code to scan")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (server's, one before or one after) whose code `code` is, or None."""
    if not TOTP_SHAPE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    found = None
    for step in (now - 1, now, now + 1):  # every one compared: no early exit to time
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _rowcount(result: Any) -> int:
    return cast("CursorResult[Any]", result).rowcount


def _accept_totp(db: Session, row: TwoFactor, code: str) -> bool:
    """True for a right code of a step later than the last accepted one (atomically)."""
    step = _matching_step(row.secret, code)
    if step is None:
        return False
    done = db.execute(
        update(TwoFactor)
        .where(
            TwoFactor.user_id == row.user_id,
            or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.expire(row)
    return _rowcount(done) == 1


def _new_recovery_code() -> str:
    return base64.b32encode(secrets.token_bytes(7)).decode()[:10].lower()


def shown_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def new_recovery_codes(db: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once)."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(c)) for c in codes)
    db.flush()
    return [shown_recovery_code(c) for c in codes]


def _use_recovery_code(db: Session, user: User, code: str) -> bool:
    if not RECOVERY_SHAPE.fullmatch(code):
        return False
    unused = db.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for row in unused:
        if verify_password(row.code_hash, code):
            done = db.execute(
                update(RecoveryCode)
                .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return _rowcount(done) == 1
    return False


def recovery_codes_left(db: Session, user: User) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


# --- the throttle -----------------------------------------------------------------------------


class CodeAttempt(Attempt):
    """The login throttle's policy and limits (tracker/auth/throttle.py), on counters of its
    own: wrong codes never lock a password out, nor wrong passwords a code."""

    def __init__(self, db: Session, email: str, address: str) -> None:
        super().__init__(db, email, address)
        where = client_address(address, current_app.config.get("LOGIN_IPV6_PREFIX", 64))
        self.pair = counter_key("2fa-pair", email, where)
        self.address = counter_key("2fa-address", where)
        self.account = counter_key("2fa-account", email)


@dataclass
class CodeResult:
    ok: bool
    error: str | None = None
    retry_after: int | None = None
    recovery: bool = False


def check_code(db: Session, user: User, typed: str, address: str) -> CodeResult:
    """Check a TOTP or recovery code of `user` under the throttle; audited. The caller commits
    whatever the outcome (the counters are the throttle's memory)."""
    row = db.get(TwoFactor, user.id)
    if row is None or row.enabled_at is None:
        return CodeResult(False, "Two-factor authentication is not on for this account.")
    seen = f"{user.email} from {address[:64]}"
    attempt = CodeAttempt(db, user.email, address)
    refusal = attempt.reserve()
    if refusal is not None:
        record(db, "two-factor refused", "user", user.id, f"{seen}: throttled", actor=user)
        minutes = max(1, math.ceil(refusal.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        message = f"Too many wrong codes. Wait {minutes} {unit} and try again."
        return CodeResult(False, message, retry_after=refusal.retry_after)
    code = _clean(typed)
    if _accept_totp(db, row, code):
        attempt.succeeded()
        return CodeResult(True)
    if _use_recovery_code(db, user, code):
        attempt.succeeded()
        left = recovery_codes_left(db, user)
        record(db, "recovery code used", "user", user.id, f"{seen}; {left} left", actor=user)
        notify(db, user.id, f"A recovery code of yours was used at {when(utcnow(), db, user)}.")
        return CodeResult(True, recovery=True)
    attempt.failed()
    record(db, "two-factor failed", "user", user.id, seen, actor=user)
    return CodeResult(False, "This code is not correct (or was used already).")


# --- enrolment and removal --------------------------------------------------------------------


def factor_of(db: Session, user: User) -> TwoFactor | None:
    return db.get(TwoFactor, user.id)


def is_on(db: Session, user: User) -> bool:
    row = factor_of(db, user)
    return row is not None and row.enabled_at is not None


def start_enrolment(db: Session, user: User) -> TwoFactor:
    """A secret waiting for its first code (the same one until it is confirmed)."""
    row = factor_of(db, user)
    if row is not None and row.enabled_at is not None:
        raise IdentityError("Two-factor authentication is already on.")
    if row is None:
        row = TwoFactor(user_id=user.id, secret=new_secret(), created_at=utcnow())
        db.add(row)
        db.flush()
    return row


def confirm_enrolment(db: Session, user: User, typed: str) -> list[str]:
    """Turn the second factor on with a first right code; returns the recovery codes."""
    row = factor_of(db, user)
    if row is None or row.enabled_at is not None:
        raise IdentityError("There is no set-up waiting for a code: start again.", "code")
    if not _accept_totp(db, row, _clean(typed)):
        raise IdentityError(
            "This code is not correct: type the 6 digits your app shows now.", "code"
        )
    row.enabled_at = utcnow()
    db.flush()
    codes = new_recovery_codes(db, user)
    record(db, "two-factor enrolled", "user", user.id, "TOTP, with 10 recovery codes", actor=user)
    notify(db, user.id, f"Two-factor authentication was turned on at {when(utcnow(), db, user)}.")
    return codes


def _remove(db: Session, user: User, how: str) -> None:
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.expire_all()
    record(db, "two-factor removed", "user", user.id, how)


def reauthenticate(db: Session, user: User, password: str, typed: str, address: str) -> None:
    """The owner proves it again: their password and a code (or a recovery code).

    A wrong code is counted by the throttle and audited: the caller commits on refusal too."""
    if not verify_password(user.password_hash, password):
        raise IdentityError("The password is not correct.", "password")
    result = check_code(db, user, typed, address)
    if not result.ok:
        raise IdentityError(result.error or "This code is not correct.", "code")


def turn_off(db: Session, user: User, password: str, typed: str, address: str) -> None:
    """The owner turns their second factor off: their password and a code again."""
    reauthenticate(db, user, password, typed, address)
    _remove(db, user, "by its owner")
    notify(db, user.id, f"Two-factor authentication was turned off at {when(utcnow(), db, user)}.")


def replace_recovery_codes(
    db: Session, user: User, password: str, typed: str, address: str
) -> list[str]:
    """Ten new recovery codes for the owner (the old ones stop working): password and code."""
    reauthenticate(db, user, password, typed, address)
    codes = new_recovery_codes(db, user)
    record(db, "recovery codes replaced", "user", user.id, "10 new codes, by its owner")
    notify(db, user.id, f"Your recovery codes were replaced at {when(utcnow(), db, user)}.")
    return codes


# --- the organisation's requirement ------------------------------------------------------------


def required(db: Session) -> bool:
    row = db.get(Organisation, 1)
    return bool(row is not None and row.require_two_factor)


def required_for(db: Session, user: User) -> bool:
    return user.role in PRIVILEGED_ROLES and required(db)


def set_required(db: Session, on: bool) -> None:
    """Require (or stop requiring) a second factor of admins and leads; audited."""
    row = db.get(Organisation, 1)
    if row is None:
        row = Organisation(id=1, time_zone=configured_zone(current_app))
        db.add(row)
    row.require_two_factor = on
    db.flush()


# --- an admin's reset -------------------------------------------------------------------------


def _enabled(db: Session, user: User) -> TwoFactor:
    row = factor_of(db, user)
    if row is None or row.enabled_at is None:
        raise IdentityError(f"{user.name} has no second factor to reset.")
    return row


def request_reset(db: Session, user: User, acting: User) -> bool:
    """An admin resets `user`'s second factor: True when done, False when it waits for a
    second admin (the account is protected, as for password resets)."""
    row = _enabled(db, user)
    if user.id == acting.id:
        raise IdentityError("Turn your own second factor off on your account page.")
    now = utcnow()
    if not needs_second_admin(db, user):
        _remove(db, user, f"reset by {acting.email}, one admin")
        notify(db, user.id, f"{acting.name} reset your second factor at {when(now, db, user)}.")
        return True
    others = db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != acting.id)
    )
    if not others:
        raise IdentityError(
            f"Resetting {user.name}'s second factor needs a second admin to approve it, and you "
            "are the only active admin. Whoever runs the server can reset it instead: "
            f"{CLI_RESET.replace('EMAIL', user.email)}"
        )
    row.reset_requested_by_id = acting.id
    row.reset_requested_at = now
    db.flush()
    record(db, "two-factor reset requested", "user", user.id, "waits for a second admin")
    notify(
        db,
        user.id,
        f"{acting.name} asked at {when(now, db, user)} for your second factor to be reset; "
        "another admin must approve it.",
    )
    return False


def approve_reset(db: Session, user: User, acting: User) -> None:
    """A second, different admin approves a waiting reset: the second factor is removed."""
    row = _enabled(db, user)
    lifetime = current_app.config["INVITATION_LIFETIME"]
    if row.reset_requested_by_id is None or row.reset_requested_at is None:
        raise IdentityError(f"No reset of {user.name}'s second factor is waiting.")
    if row.reset_requested_at + lifetime <= utcnow():
        raise IdentityError("This request has expired: ask for the reset again.")
    if row.reset_requested_by_id == acting.id:
        raise IdentityError("You asked for this reset: another admin must approve it.")
    requester = db.get(User, row.reset_requested_by_id)
    if requester is None or not requester.active or not requester.is_admin:
        raise IdentityError("Whoever asked for this reset is no longer an active admin.")
    _remove(db, user, f"reset asked by {requester.email}, approved by {acting.email}")
    notify(
        db,
        user.id,
        f"{acting.name} approved at {when(utcnow(), db, user)} the reset of your second factor "
        f"asked by {requester.name}.",
    )


def operator_reset(db: Session, email: str) -> User:
    """The server's operator (the CLI) removes a second factor; no approval needed."""
    user = db.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise IdentityError(f"No account has the email {email.strip().lower()}.")
    _enabled(db, user)
    _remove(db, user, "on the command line")
    notify(
        db, user.id, f"Your second factor was reset on the server at {when(utcnow(), db, user)}."
    )
    return user


def enrolled(db: Session) -> list[tuple[User, TwoFactor]]:
    """Every account with its second factor on, by name (one query)."""
    rows = db.execute(
        select(User, TwoFactor)
        .join(TwoFactor, TwoFactor.user_id == User.id)
        .where(TwoFactor.enabled_at.is_not(None))
        .order_by(User.name)
    ).all()
    return [(user, factor) for user, factor in rows]
