"""The lead's calendar feed (RFC 5545, built with icalendar): upcoming 1:1s and sessions.

Timed events (sessions) carry their instant in UTC (`...Z`): exact in every client, whatever
its zone, for any year. Days (a 1:1 due, a sprint) are all-day dates, counted in the lead's
own time zone, which X-WR-TIMEZONE names for the clients that show it.

It carries names, kinds and times only: never agendas or notes, so a leaked URL says little
(and is reset with one click). Its token is stored as a SHA-256 only, so the URL is shown once,
when made; "log out everywhere" (and anything else that ends all of a user's sessions) ends it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from tracker import localtime
from tracker.auth.models import User
from tracker.auth.sessions import on_end_all
from tracker.db import utcnow
from tracker.mentoring.cadence import cadences
from tracker.mentoring.models import CalendarFeed
from tracker.mentoring.services import sessions_by
from tracker.security import new_token, token_digest

PRODID = "-//Team Tracker//1:1s and delivery//EN"


def _event(uid: str, summary: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstamp", stamp)
    return event


def build_feed(db: Session, user: User, now: datetime, extra: list[Event] | None = None) -> bytes:
    """The feed for `user`: next 1:1 due per member, sessions of the last 90 days and later."""
    stamp = now.replace(tzinfo=UTC)
    tz = localtime.zone_for(db, user)  # the lead's days, not the server's
    today = localtime.local_date(now, tz)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Team Tracker · {user.name}")
    cal.add("x-wr-timezone", str(tz))
    for c in cadences(db, user, now, tz):
        if c.scheduled is not None:  # the booked 1:1 is in the feed itself: nothing is due
            continue
        event = _event(
            f"next-1on1-{c.member.id}@team-tracker", f"1:1 due with {c.member.name}", stamp
        )
        due = max(c.next_due, today)  # an overdue 1:1 shows today
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for s in sessions_by(db, user, now - timedelta(days=90)):
        event = _event(
            f"session-{s.id}@team-tracker", f"{s.kind_label} with {s.member.name}", stamp
        )
        start = s.held_at.replace(tzinfo=UTC)  # stored in UTC: written as ...Z
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=s.duration_minutes))
        cal.add_component(event)
    for event in extra or []:
        cal.add_component(event)
    return cal.to_ical()


def feed_of(db: Session, user: User) -> CalendarFeed | None:
    """The user's calendar feed, if they have one."""
    return db.get(CalendarFeed, user.id)


def new_feed(db: Session, user: User) -> str:
    """Make the user's feed, or give it a new token (the old URL stops working at once);
    returns the token, which is not kept: show it now."""
    token = new_token()
    feed = db.get(CalendarFeed, user.id)
    if feed is None:
        db.add(CalendarFeed(user_id=user.id, token_digest=token_digest(token), created_at=utcnow()))
    else:
        feed.token_digest = token_digest(token)
        feed.created_at = utcnow()
    db.flush()
    return token


def user_for_feed(db: Session, token: str) -> User | None:
    """The active lead or admin whose feed `token` is."""
    feed = db.scalar(select(CalendarFeed).where(CalendarFeed.token_digest == token_digest(token)))
    if feed is None:
        return None
    user = db.get(User, feed.user_id)
    return user if user is not None and user.active and user.role in ("lead", "admin") else None


@on_end_all
def _end_feeds(connection: Connection, user_ids: list[int]) -> None:
    # The feed is a credential too: when every session ends, so does it.
    table = CalendarFeed.__table__
    connection.execute(delete(table).where(table.c.user_id.in_(user_ids)))
