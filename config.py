"""Configuration classes, read from the environment.

`TRACKER_ENV` picks the class: development (default), production or testing.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL")
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQL_ECHO = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "tracker_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    # Idle timeout: the session cookie expires this long after the last request.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_env_int("TRACKER_IDLE_MINUTES", 60))
    # Absolute timeout: a login is good for this long, however active.
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=_env_int("TRACKER_ABSOLUTE_HOURS", 12))

    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # Rendered dashboards and matrix pages kept per worker (tracker/cache.py); 0: none.
    PAGE_CACHE_SIZE = _env_int("TRACKER_PAGE_CACHE", 256)
    PAGE_CACHE_BYTES = _env_int("TRACKER_PAGE_CACHE_BYTES", 32 * 1024 * 1024)  # and this much HTML
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Login throttle (tracker/auth/throttle.py): failed logins counted in fixed windows.
    LOGIN_WINDOW = timedelta(minutes=15)
    # One address may fail this often for one account; then it waits for the window's end.
    LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS = 5
    # One address may fail this often over all accounts; then it is refused everywhere.
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    # After this many failures for one account (all addresses) it is under attack: an address
    # that already failed for it in the window is refused, one with no failure may still try.
    LOGIN_ACCOUNT_UNDER_ATTACK_FAILURES = 20
    # IPv6 clients are counted by network (a host usually owns a whole /64).
    LOGIN_IPV6_PREFIX = 64

    # The organisation's time zone until an admin sets one (/admin/organisation): an IANA
    # name; each user may choose their own (tracker/localtime.py).
    TRACKER_TIME_ZONE = os.environ.get("TRACKER_TIME_ZONE") or "UTC"
    # Tests only: a fixed "now" (a naive UTC datetime, or a function returning one) for the
    # pages that count days and show "now" (tracker/localtime.py).
    TRACKER_NOW = None

    INVITATION_LIFETIME = timedelta(days=7)

    # E-mail (tracker/mail.py; docs/operations.md, "Mail and the worker"). No MAIL_SERVER:
    # development writes each message to MAIL_OUTBOX (a folder, relative to the instance
    # folder); production sends none and shows one-time links on screen as before.
    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _env_int("MAIL_PORT", 0)  # 0: 587 for starttls, 465 for tls, 25 for none
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD") or None
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY") or "starttls"  # starttls, tls or none
    MAIL_FROM: str | None = os.environ.get("MAIL_FROM") or None
    MAIL_OUTBOX: str | None = None
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 20)  # seconds to connect and talk to the server
    # A refused or unreachable server: tried again this many times, waiting MAIL_RETRY_DELAY
    # seconds, then twice as long each time (60 s, 2, 4, 8, 16 min, ...).
    MAIL_RETRIES = _env_int("MAIL_RETRIES", 6)
    MAIL_RETRY_DELAY = _env_int("MAIL_RETRY_DELAY", 60)

    # Background jobs (tracker/jobs.py): Huey on Redis when REDIS_URL is set, else a SQLite
    # file in the instance folder (JOBS_FILE). JOBS_IMMEDIATE runs each job in the request
    # that queues it (the tests).
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    JOBS_FILE = os.environ.get("JOBS_FILE") or "jobs.db"
    # The queue's name: two installations may share one Redis server with different names.
    JOBS_NAME = os.environ.get("JOBS_NAME") or "tracker"
    JOBS_IMMEDIATE = False
    # argon2id with argon2-cffi's defaults (t=3, m=64 MiB, p=4): above OWASP ASVS's minimum.
    PASSWORD_HASH_PARAMS: dict[str, int] = {}


class DevelopmentConfig(Config):
    """Local development: plain HTTP, so cookies cannot be Secure."""

    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX") or "outbox"


class ProductionConfig(Config):
    """Production: SECRET_KEY must come from the environment."""

    ENV_NAME = "production"
    # `__Host-`: the browser keeps these only if Secure, for Path=/ and without a Domain, so
    # no other host (a sibling subdomain) can set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-tracker_session"
    REMEMBER_COOKIE_NAME = "__Host-tracker_remember"
    SESSION_COOKIE_PATH = "/"
    REMEMBER_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_DOMAIN = None


class TestingConfig(Config):
    """The test suite: cheap password hashing, so hundreds of logins stay fast."""

    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SECRET_KEY = "testing-" + secrets.token_hex(16)
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    # No mail unless a test configures a server or an outbox; jobs run where they are queued.
    MAIL_SERVER = None
    REDIS_URL = None
    JOBS_IMMEDIATE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    """Return the config class named by `env_name` or `TRACKER_ENV`."""
    name = env_name or os.environ.get("TRACKER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"TRACKER_ENV={name!r} is not one of: {', '.join(CONFIGS)}") from None


MIN_SECRET_KEY_BYTES = 32
MIN_SECRET_KEY_DISTINCT = 12
MIN_SECRET_KEY_BITS = 128
MAKE_A_KEY = 'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
# 32 random bytes or more, written out as hex (`secrets.token_hex`, `openssl rand -hex`) or
# base64 (`secrets.token_urlsafe`, `openssl rand -base64`): nothing typed by hand looks so.
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64,}")
_BASE64_KEY = re.compile(r"[A-Za-z0-9_-]{43,}|[A-Za-z0-9+/]{43,}={0,2}")


def secret_key_problem(key: str | bytes | None) -> str | None:
    """Why `key` is not fit to sign production cookies, or None.

    Only a random key is accepted: at least 32 bytes written as hex (64+ characters) or
    base64 (43+ characters), that also looks random. Random keys hold no word, sequence,
    keyboard run or repetition that would make them cheap to guess (the password strength
    estimate, tracker/password_strength.py, is 128 bits or more: keys from
    `secrets.token_hex(32)` average about 230 and the lowest of 3,000 was 194; from
    `secrets.token_urlsafe(32)`, 187 and 163), no repeated period, and 12 or more distinct
    characters."""
    if not key:
        return f"SECRET_KEY must be set in the environment in production; {MAKE_A_KEY}"
    raw = key.encode() if isinstance(key, str) else key
    if len(raw) < MIN_SECRET_KEY_BYTES:
        return (
            f"SECRET_KEY is {len(raw)} bytes long; production needs at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes: {MAKE_A_KEY}"
        )
    text = raw.decode("latin-1")
    if not (_HEX_KEY.fullmatch(text) or _BASE64_KEY.fullmatch(text)):
        return (
            "SECRET_KEY must be 32 or more random bytes written as hex (64+ characters) or "
            f"base64 (43+ characters), not a phrase or a key made by hand; {MAKE_A_KEY}"
        )
    from tracker.password_strength import cheapest  # here: `tracker` imports this module

    repeated = any(raw[n:] == raw[:-n] for n in range(1, len(raw) // 2 + 1))  # periodic
    few = len(set(raw)) < MIN_SECRET_KEY_DISTINCT
    if repeated or few or cheapest(text)[0] < MIN_SECRET_KEY_BITS:
        return (
            "SECRET_KEY does not look random (it holds words, a sequence, a keyboard run or a "
            f"repetition); {MAKE_A_KEY}"
        )
    return _encoded_bytes_problem(text)


def _key_bytes(text: str) -> bytes | None:
    """The bytes a hex or base64 key writes out, or None if it writes out none."""
    if _HEX_KEY.fullmatch(text) and len(text) % 2 == 0:
        return bytes.fromhex(text)
    body = text.rstrip("=")
    alphabet = "-_" if ("-" in body or "_" in body) else "+/"
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        return None


def _encoded_bytes_problem(text: str) -> str | None:
    """Why the bytes that the key's hex or base64 encodes are not random, or None.

    The text of a good key can hide a bad one: the hex of a sentence or of a counting
    sequence looks random as letters. So the bytes are checked too: 32 or more of them, not
    all printable text (32 random bytes are, about once in 2^46 keys), no repeated period, at
    least 16 distinct values, and no run of six bytes stepping by one amount (a count, a
    repetition: about once in 2^27 random keys)."""
    data = _key_bytes(text)
    if data is None or len(data) < MIN_SECRET_KEY_BYTES:
        return (
            f"SECRET_KEY must encode {MIN_SECRET_KEY_BYTES} or more random bytes as hex or "
            f"base64; {MAKE_A_KEY}"
        )
    printable = all(32 <= b < 127 or b in (9, 10, 13) for b in data)
    repeated = any(data[n:] == data[:-n] for n in range(1, len(data) // 2 + 1))
    steps = [(data[i + 1] - data[i]) % 256 for i in range(len(data) - 1)]
    run = longest = 1
    for a, b in zip(steps, steps[1:], strict=False):
        run = run + 1 if a == b else 1
        longest = max(longest, run)
    if printable or repeated or len(set(data)) < 16 or longest >= 5:
        what = "text written as hex or base64" if printable else "a sequence or a repetition"
        return f"SECRET_KEY encodes {what}, not random bytes; {MAKE_A_KEY}"
    return None


MAIL_SECURITIES = ("starttls", "tls", "none")
MAIL_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def mail_problem(settings) -> str | None:
    """Why the mail settings (a mapping: the app's config) cannot work, or None.

    A mistake stops the start in every environment; no MAIL_SERVER is not a mistake (the
    start-up message of production says what it means: tracker/mail.py)."""
    security = settings.get("MAIL_SECURITY")
    if security not in MAIL_SECURITIES:
        return f"MAIL_SECURITY={security!r} is not one of: {', '.join(MAIL_SECURITIES)}"
    if not settings.get("MAIL_SERVER"):
        return None
    if not settings.get("MAIL_FROM") and settings.get("ENV_NAME") == "production":
        return "MAIL_FROM must be set with MAIL_SERVER: the address messages are sent from"
    if bool(settings.get("MAIL_USERNAME")) != bool(settings.get("MAIL_PASSWORD")):
        return "MAIL_USERNAME and MAIL_PASSWORD are set together, or neither"
    if settings.get("MAIL_PASSWORD") and security == "none":
        return "MAIL_PASSWORD is never sent unencrypted: set MAIL_SECURITY to starttls or tls"
    return None


def default_database_url(instance_path: str) -> str:
    """A SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "tracker.db")
