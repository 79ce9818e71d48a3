"""Time zones: every date and time is stored in UTC and shown, entered and counted in the
viewer's zone.

A user's zone is their own (`user.time_zone`), else the organisation's: the one row of
`organisation`, set by an admin, else the configured `TRACKER_TIME_ZONE` (UTC by default).
Stored datetimes are naive UTC (tracker/db.py); `to_local` and `to_utc` convert, `today()`
is the viewer's date, and the Jinja filters format through Babel in the viewer's zone:

    {{ s.held_at|local_datetime('minute') }}   2026-12-01 10:00 (a UTC datetime, converted)
    {{ item.due_date|local_date('iso') }}      2026-12-04 (a date is a date: not converted)

`now()` is the clock of the pages that count days; tests fix it with `TRACKER_NOW`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_datetime, format_time
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import Boolean, CheckConstraint, String, false
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base, get_db, utcnow

DEFAULT_ZONE = "UTC"
LOCALE = "en_GB"
# CLDR patterns the pages use, by name; Babel's own names (short, medium, long, full) work too.
PATTERNS = {
    "iso": "yyyy-MM-dd",
    "minute": "yyyy-MM-dd HH:mm",
    "second": "yyyy-MM-dd HH:mm:ss",
    "time": "HH:mm",
    "weekday": "EEE dd MMM",
    "day_month": "dd MMM",
    "long": "EEEE dd MMMM y",
    "long_time": "EEEE dd MMMM y, HH:mm",
    "weekday_time": "EEE dd MMM y, HH:mm",
}


class Organisation(Base):
    """The organisation's settings: one row (id 1), written when an admin first sets one."""

    audit_as = "organisation"

    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    # Admins and leads must use a second factor (tracker/identity/): they are led through
    # enrolment at their next login.
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows (the tzdata package supplies them anywhere)."""
    return frozenset(available_timezones())


def choices() -> list[str]:
    return sorted(zone_names())


def is_zone(name: str | None) -> bool:
    return bool(name) and name in zone_names()


def zone_message(label: str, name: str) -> str:
    shown = name if len(name) <= 60 else name[:57] + "..."
    return f"{label}: '{shown}' is not a time zone. Pick one from the list, e.g. Europe/London."


def configured_zone(app: Flask) -> str:
    return app.config.get("TRACKER_TIME_ZONE") or DEFAULT_ZONE


def organisation_zone(db: Session) -> str:
    """The organisation's zone name: the admin's setting, else the configured one.

    On a cached page's request (tracker/cache.py read the data version first) it is kept
    per data version: a write of the setting bumps the version, so a repeat costs no query."""
    token = g.get("page_token") if has_request_context() else None
    kept_token, kept_name = current_app.extensions.get("tracker.organisation_zone", (None, ""))
    if token is not None and kept_token == token:
        return kept_name
    row = db.get(Organisation, 1)
    name = row.time_zone if row is not None and is_zone(row.time_zone) else None
    name = name or configured_zone(current_app)
    if token is not None:  # one tuple, swapped whole: another thread reads one or the other
        current_app.extensions["tracker.organisation_zone"] = (token, name)
    return name


def set_organisation_zone(db: Session, name: str) -> None:
    """Set the organisation's zone (the audit log records the change); flushes."""
    if not is_zone(name):
        raise ValueError(zone_message("Time zone", name))
    row = db.get(Organisation, 1)
    if row is None:
        db.add(Organisation(id=1, time_zone=name))
    else:
        row.time_zone = name
    db.flush()


def zone_for(db: Session, user) -> ZoneInfo:
    """`user`'s zone: their own, else the organisation's."""
    own = getattr(user, "time_zone", None)
    return ZoneInfo(own if own and is_zone(own) else organisation_zone(db))


def zone() -> tzinfo:
    """The zone of this request's user (the organisation's for anyone logged out; UTC outside
    an app). Read once per request."""
    if not has_app_context():
        return UTC
    if has_request_context():
        found = g.get("_tracker_zone")
        if found is None:
            user = current_user if current_user.is_authenticated else None
            found = g._tracker_zone = zone_for(get_db(), user)
        return found
    return ZoneInfo(organisation_zone(get_db()))


def now() -> datetime:
    """The current time in UTC, naive like stored times; `TRACKER_NOW` (tests: a datetime, or
    a function returning one) fixes it."""
    fixed = current_app.config.get("TRACKER_NOW") if has_app_context() else None
    if callable(fixed):
        return fixed()
    return fixed or utcnow()


def to_local(value: datetime, tz: tzinfo | None = None) -> datetime:
    """A stored (naive UTC) datetime in `tz` (the viewer's zone), naive, as a form shows it."""
    aware = value.replace(tzinfo=UTC).astimezone(tz or zone())
    return aware.replace(tzinfo=None)


def to_utc(value: datetime, tz: tzinfo | None = None) -> datetime:
    """A naive datetime typed in `tz` (the viewer's zone) as stored: naive UTC."""
    return value.replace(tzinfo=tz or zone()).astimezone(UTC).replace(tzinfo=None)


def local_date(value: datetime, tz: tzinfo | None = None) -> date:
    """The viewer's date at a stored (naive UTC) datetime."""
    return to_local(value, tz).date()


def today(tz: tzinfo | None = None) -> date:
    """The viewer's date now: "today", "overdue" and "this week" turn at their midnight."""
    return local_date(now(), tz)


def _pattern(fmt: str) -> str:
    return PATTERNS.get(fmt, fmt)


def _locale() -> str:
    return LOCALE


def format_local_datetime(value: datetime | None, fmt: str = "minute") -> str:
    """A stored (naive UTC) datetime, shown in the viewer's zone."""
    if value is None:
        return ""
    aware = value.replace(tzinfo=UTC)
    return format_datetime(aware, _pattern(fmt), tzinfo=zone(), locale=_locale())


def format_at(value: datetime, tz: tzinfo, fmt: str = "minute") -> str:
    """A stored (naive UTC) datetime in a given zone (someone else's: a notice's reader)."""
    return format_datetime(value.replace(tzinfo=UTC), _pattern(fmt), tzinfo=tz, locale=_locale())


def format_local_date(value: date | datetime | None, fmt: str = "iso") -> str:
    """A date as it is; a stored (naive UTC) datetime as the viewer's date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return format_date(value, _pattern(fmt), locale=_locale())


def format_local_time(value: datetime | None, fmt: str = "time") -> str:
    if value is None:
        return ""
    aware = value.replace(tzinfo=UTC)
    return format_time(aware, _pattern(fmt), tzinfo=zone(), locale=_locale())


def local_iso(value: datetime | None) -> str:
    """For `<time datetime=...>`: the instant with the viewer's offset."""
    return "" if value is None else value.replace(tzinfo=UTC).astimezone(zone()).isoformat()


def zone_name() -> str:
    return str(zone())


def init_app(app: Flask) -> None:
    if not is_zone(configured_zone(app)):
        raise RuntimeError(
            f"TRACKER_TIME_ZONE={configured_zone(app)!r} is not an IANA time zone name."
        )
    app.jinja_env.filters.update(
        local_datetime=format_local_datetime,
        local_date=format_local_date,
        local_time=format_local_time,
        local_iso=local_iso,
    )
    app.jinja_env.globals.update(local_zone=zone_name, local_today=today)
