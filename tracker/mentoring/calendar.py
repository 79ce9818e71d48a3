"""The lead's calendar feed (RFC 5545, built with icalendar): upcoming 1:1s and sessions.

It carries names, kinds and times only: never agendas or notes, so a leaked URL says little
(and is reset with one click).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.mentoring.services import cadences, sessions_by

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
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Team Tracker · {user.name}")
    for c in cadences(db, user, now):
        event = _event(
            f"next-1on1-{c.member.id}@team-tracker", f"1:1 due with {c.member.name}", stamp
        )
        due = max(c.next_due, now.date())  # an overdue 1:1 shows today
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    for s in sessions_by(db, user, now - timedelta(days=90)):
        event = _event(
            f"session-{s.id}@team-tracker", f"{s.kind_label} with {s.member.name}", stamp
        )
        start = s.held_at.replace(tzinfo=UTC)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=s.duration_minutes))
        cal.add_component(event)
    for event in extra or []:
        cal.add_component(event)
    return cal.to_ical()
