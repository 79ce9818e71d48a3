"""Mentoring's panels on a member's page (tracker/team/hooks.py): the last and next 1:1 with
the cadence, the mood over the latest sessions, and the open action items both ways.

Each reads plain columns, never a note: a panel cannot show a private note's text, snippet or
count, whoever looks. What they show is what the viewer sees on mentoring's own pages: the
member's leads and admins every session of the member, the member her own (the mood on each
session's page, every open item on her home)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import localtime
from tracker.mentoring.cadence import Cadence, cadence_board, cadence_of
from tracker.mentoring.models import Meeting
from tracker.mentoring.services import count_open, open_items
from tracker.team.hooks import Glance, GlanceContext

MOOD_SHOWN = 12  # sessions the mood line spans: about a quarter of weekly 1:1s
ITEMS_SHOWN = 5  # open items of each side on the member page: the most pressing first

# The sparkline's drawing box (SVG user units); the mood scale is 1 to 5.
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 240, 60, 6


@dataclass(frozen=True)
class MeetingRef:
    """A meeting as a panel names it: never its notes."""

    id: int
    held_at: datetime


def _meeting(db: Session, member_id: int, *where, newest: bool) -> MeetingRef | None:
    order = (Meeting.held_at.desc(), Meeting.id.desc()) if newest else (Meeting.held_at, Meeting.id)
    row = db.execute(
        select(Meeting.id, Meeting.held_at)
        .where(Meeting.member_id == member_id, Meeting.kind == "one_on_one", *where)
        .order_by(*order)
        .limit(1)
    ).first()
    return MeetingRef(row.id, row.held_at) if row else None


def cadence_status(cadence: Cadence, today: date) -> tuple[str, str]:
    """Where the member stands on the dashboard's lists, as (key, words)."""
    board = cadence_board([cadence], today)
    if board.scheduled:
        return "scheduled", "a 1:1 is booked"
    if board.first:
        return "first", "no 1:1 yet: a first one to plan"
    if board.overdue:
        days = cadence.days_overdue(today)
        return "overdue", f"overdue by {days} day{'' if days == 1 else 's'}"
    if board.due_soon:
        if cadence.next_due == today:
            return "due", "due today"
        days = (cadence.next_due - today).days
        return "due", f"due in {days} day{'' if days == 1 else 's'}"
    return "ok", f"next due {cadence.next_due.isoformat()}"


def meetings_glance(ctx: GlanceContext) -> dict:
    """The last 1:1 held and the next one booked, and the cadence (two queries)."""
    member, now = ctx.member, ctx.now
    last = _meeting(ctx.db, member.id, Meeting.held_at <= now, newest=True)
    booked = _meeting(ctx.db, member.id, Meeting.held_at > now, newest=False)
    cadence = cadence_of(
        member, last.held_at if last else None, booked.held_at if booked else None, localtime.zone()
    )
    status, words = cadence_status(cadence, ctx.today)
    return {
        "last": last,
        "next": booked,
        "status": "archived" if member.archived else status,
        "status_words": "archived: no 1:1s are due" if member.archived else words,
        "cadence_days": member.cadence_days,
        "can_log": ctx.can_manage and not member.archived,
    }


@dataclass(frozen=True)
class MoodPoint:
    session_id: int
    held_at: datetime
    mood: int
    x: float
    y: float


def mood_points(rows: list[tuple[int, datetime, int]]) -> list[MoodPoint]:
    """Moods, oldest first, placed in the sparkline's box (5 at the top, 1 at the bottom)."""
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / (len(rows) - 1) if len(rows) > 1 else 0
    points = []
    for i, (session_id, held_at, mood) in enumerate(rows):
        x = SPARK_PAD + (i * step if len(rows) > 1 else inner_w / 2)
        y = SPARK_PAD + (5 - mood) / 4 * inner_h
        points.append(MoodPoint(session_id, held_at, mood, round(x, 1), round(y, 1)))
    return points


def mood_glance(ctx: GlanceContext) -> dict:
    """The mood of the latest sessions held that recorded one, as a line (one query)."""
    rows = ctx.db.execute(
        select(Meeting.id, Meeting.held_at, Meeting.mood)
        .where(
            Meeting.member_id == ctx.member.id,
            Meeting.mood.is_not(None),
            Meeting.held_at <= ctx.now,
        )
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
        .limit(MOOD_SHOWN)
    ).all()
    points = mood_points([(r.id, r.held_at, r.mood) for r in reversed(rows)])
    moods = [p.mood for p in points]
    return {
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "average": round(sum(moods) / len(moods), 1) if moods else None,
        "latest": points[-1] if points else None,
        "change": moods[-1] - moods[0] if len(moods) > 1 else None,
        "shown": MOOD_SHOWN,
        "can_log": ctx.can_manage and not ctx.member.archived,
    }


def items_glance(ctx: GlanceContext) -> dict:
    """The most pressing open items of each side, and how many each has (eight queries)."""
    db, member, now = ctx.db, ctx.member, ctx.now
    sides = {}
    for owner in ("lead", "mentee"):
        sides[owner] = {
            "items": open_items(db, member.id, now, limit=ITEMS_SHOWN, owner=owner),
            "total": count_open(db, member.id, owner=owner),
        }
    return {
        "lead": sides["lead"],
        "mentee": sides["mentee"],
        "first_name": (member.name.split() or [member.name])[0],
        "manage": ctx.can_manage,  # the member ticks off only her own items
        "is_self": ctx.is_self,
    }


GLANCES = (
    Glance("meetings", 10, "mentoring/_glance_meetings.html", meetings_glance),
    Glance("mood", 20, "mentoring/_glance_mood.html", mood_glance),
    Glance("action_items", 30, "mentoring/_glance_items.html", items_glance),
)
