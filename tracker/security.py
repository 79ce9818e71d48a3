"""Password hashing, password policy, tokens and security headers (imports no models)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Response, current_app, request
from flask.typing import ResponseReturnValue

from tracker.password_strength import weakness

# Published in the README for `make run`: a development database's demo password only; the
# seed (tracker/seed/) gives it to the demo accounts, and production refuses it everywhere.
DEMO_PASSWORD = "teamtracker-demo"  # noqa: S105 - public on purpose, and refused in production
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("PASSWORD_HASH_PARAMS", {}))


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches `password_hash` (False for a missing hash)."""
    if not password_hash:
        # Spend the same time as a real check, so timing does not reveal unknown accounts.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


# The guesses (in bits, log2) a new password must cost an attacker who tries common
# passwords, patterns and the user's own name and e-mail first (tracker/password_strength.py):
# about 275 billion. Three unrelated words or 12 random digits pass; a well-known or personal
# word with a few digits or symbols, or two very common words, do not.
MIN_PASSWORD_BITS = 38
_WEAK = "This password is too common or too easy to guess: "
_PROBLEMS = {
    "personal": "The password must not be built from your name or email address (capitals, "
    "look-alike or full-width characters, or added digits and symbols do not hide it); "
    "choose another.",
    "common": _WEAK + "it is a well-known password with capitals, look-alike characters or a "
    "few digits or symbols changed or added. Choose another, for example a few unrelated words.",
    "context": _WEAK + "it is built from a word tried first against this app: its name, "
    "the published demo password, a famous example password, or a month, day or season. "
    "Choose another, for example a few unrelated words.",
    "pattern": _WEAK + "it is mostly a sequence, a keyboard pattern or a repetition. "
    "Choose another, for example a few unrelated words.",
    "other": _WEAK + "make it longer, for example with another unrelated word.",
}


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be at most {MAX_PASSWORD_LENGTH} characters long."
    bits, kind = weakness(password, email, name)
    return _PROBLEMS[kind] if bits < MIN_PASSWORD_BITS else None


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 of a token: only this is stored, so a database leak reveals no live link."""
    return hashlib.sha256(token.encode()).hexdigest()


def refuse_nul_characters() -> ResponseReturnValue | None:
    """Before the request is read: a NUL character in any argument or field is a 400 naming it.

    A NUL is never meaningful text, and PostgreSQL cannot store one: refused up front rather
    than failing deep in a query."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                from tracker.errors import render_error

                return render_error(
                    400,
                    f"The field “{key.replace(chr(0), '')}” contains a NUL character, "
                    "which cannot be stored. Remove it and try again.",
                )
    return None


def set_headers(response: Response) -> Response:
    """After every request: the security headers, unless the view set its own."""
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not request.path.startswith("/static/"):
        # Pages carry people's data: never keep them in a shared or browser cache.
        h.setdefault("Cache-Control", "no-store")
    return response
