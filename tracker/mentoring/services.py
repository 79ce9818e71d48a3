"""Session and action-item rules, carry-over, the timeline and the calendar feed (cadence and
the dashboard: tracker/mentoring/cadence.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import abort
from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, object_session, selectinload

from tracker import localtime
from tracker.auth.models import User
from tracker.competencies.models import Competency
from tracker.competencies.services import FrameworkView
from tracker.db import contains_folded
from tracker.errors import RuleError
from tracker.mentoring.models import SESSION_KINDS, ActionItem, Meeting
from tracker.team.models import Member, Team
from tracker.team.services import can_manage_team

MAX_NOTES = 20000  # characters: a long 1:1 write-up is a few thousand
MAX_AGENDA = 5000
MAX_SESSION_ITEMS = 50  # action items a session holds
OPEN_SHOWN = 20  # open items on a 1:1 page and the engineer's home: the most pressing first
OPEN_PAGE = 50  # open items per page of a member's open items
NOTE_FIELDS = {
    "agenda": ("Agenda", MAX_AGENDA),
    "shared_notes": ("Shared notes", MAX_NOTES),
    "private_notes": ("Private notes", MAX_NOTES),
}


def too_long(label: str, limit: int, length: str) -> str:
    """The message for a note over its cap, naming the field."""
    return f"{label} can be at most {limit:,} characters (this has {length})."


class MentoringError(RuleError):
    """A session or action-item rule was broken; the message names what is wrong."""


# --- who may see what -------------------------------------------------------------------------


def get_session_for(db: Session, user: User, session_id: int, *, manage: bool = False):
    """The session if `user` may see it (manage: edit it); else 404, or 403 for its mentee.

    Leads of the member's team and admins see sessions; only the author edits them. The mentee
    sees their own sessions (never the private notes: templates ask `can_read_private`).
    """
    s = db.scalar(
        select(Meeting)
        .options(
            selectinload(Meeting.member).selectinload(Member.team).selectinload(Team.leads),
            selectinload(Meeting.member).selectinload(Member.user),
            selectinload(Meeting.mentor),
            selectinload(Meeting.items),
            selectinload(Meeting.competencies),
        )
        .where(Meeting.id == session_id)
    )
    if s is None:
        abort(404)
    if can_manage_team(user, s.member.team):
        if manage and s.mentor_id != user.id:
            abort(403)  # another lead may read the session, not rewrite its author's notes
        return s
    if s.member.user_id == user.id:
        if manage:
            abort(403)
        return s
    abort(404)


def can_read_private(user: User, session: Meeting) -> bool:
    """Private notes are for their author alone: not the mentee, not co-leads, not admins."""
    return session.mentor_id == user.id


def audience(member: Member, user: User) -> dict[str, str]:
    """Who will be able to read each note field, said beside it."""
    first = (member.name.split() or ["them"])[0]
    shared = (
        f"visible to you and {first}"
        if member.user_id
        else (f"visible to you and {first} once they have an account")
    )
    return {"agenda": shared, "shared_notes": shared, "private_notes": "only you"}


# --- sessions ---------------------------------------------------------------------------------


@dataclass
class SessionData:
    kind: str
    held_at: datetime
    duration_minutes: int
    agenda: str = ""
    shared_notes: str = ""
    private_notes: str = ""
    mood: int | None = None
    competency_ids: list[int] = field(default_factory=list)


def _apply(db: Session, s: Meeting, data: SessionData, view: FrameworkView | None):
    if data.kind not in SESSION_KINDS:
        raise MentoringError(f"Unknown kind {data.kind!r}.", "kind")
    if not 1 <= data.duration_minutes <= 600:
        raise MentoringError("Duration must be between 1 and 600 minutes.", "duration_minutes")
    if data.mood is not None and not 1 <= data.mood <= 5:
        raise MentoringError("Mood must be between 1 and 5.", "mood")
    for name, (label, limit) in NOTE_FIELDS.items():
        length = len(getattr(data, name))
        if length > limit:
            raise MentoringError(too_long(label, limit, str(length)), name)
    allowed = {c.id: c for c in view.competencies} if view else {}
    unknown = [cid for cid in data.competency_ids if cid not in allowed]
    if unknown:
        raise MentoringError("Pick competencies from the member's framework.", "competency_ids")
    s.kind, s.held_at, s.duration_minutes = data.kind, data.held_at, data.duration_minutes
    s.agenda, s.shared_notes, s.private_notes = data.agenda, data.shared_notes, data.private_notes
    s.mood = data.mood
    # Once each: the link table's key is (session, competency).
    s.competencies = [allowed[cid] for cid in dict.fromkeys(data.competency_ids)]


def create_session(
    db: Session, member: Member, mentor: User, data: SessionData, view: FrameworkView | None
) -> Meeting:
    """Log (or, when in the future, schedule) a session with `member`."""
    if member.archived:
        raise MentoringError(f"{member.name} is archived; restore them first.")
    s = Meeting(member_id=member.id, mentor_id=mentor.id)
    _apply(db, s, data, view)
    db.add(s)
    db.flush()
    return s


def update_session(db: Session, s: Meeting, data: SessionData, view: FrameworkView | None) -> None:
    """Edit a session (its author only: the loader checks)."""
    _apply(db, s, data, view)
    db.flush()


# --- action items -----------------------------------------------------------------------------


def add_item(db: Session, s: Meeting, text: str, owner: str, due: date | None):
    """Add an action item to a session; it stays open, and carried over, until ticked off."""
    text = text.strip()
    if not text:
        raise MentoringError("Say what was agreed.", "text")
    if len(text) > 500:
        raise MentoringError("At most 500 characters.", "text")
    if owner not in ("mentee", "lead"):
        raise MentoringError("The owner is the mentee or the lead.", "owner")
    if len(s.items) >= MAX_SESSION_ITEMS:
        raise MentoringError(
            f"This session already has {len(s.items)} action items, the most a session holds "
            f"({MAX_SESSION_ITEMS}): tick some off or agree fewer.",
            "text",
        )
    held_on = localtime.local_date(s.held_at)  # the day in the user's zone
    if due is not None and due < held_on:
        raise MentoringError(
            f"The due date {due.isoformat()} is before the session ({held_on.isoformat()}).",
            "due_date",
        )
    item = ActionItem(session_id=s.id, member_id=s.member_id, text=text, owner=owner, due_date=due)
    db.add(item)
    db.flush()
    return item


def get_item_for(db: Session, user: User, item_id: int) -> tuple[ActionItem, Member]:
    """The item and its member if `user` may tick it off: the member's leads and admins, or
    the engineer for items they own; 403 for the engineer's other items, 404 for strangers."""
    item = db.get(ActionItem, item_id)
    if item is None:
        abort(404)
    member = db.scalar(
        select(Member)
        .options(selectinload(Member.team).selectinload(Team.leads))
        .where(Member.id == item.member_id)
    )
    assert member is not None  # item.member_id is a required foreign key
    if can_manage_team(user, member.team):
        return item, member
    if member.user_id == user.id:
        if item.owner != "mentee":
            abort(403)
        return item, member
    abort(404)


def set_done(item: ActionItem, user: User, done: bool, now: datetime) -> None:
    """Tick an item off, with its open twins (or re-open that one item)."""
    db = object_session(item)
    # Its twins are the same commitment agreed again: the lists show them as one item, so
    # ticking that one off must not bring up the next copy.
    twins = list(db.scalars(select(ActionItem).where(_twin_of(item)))) if done and db else []
    for each in [item, *twins]:
        each.done = done
        each.done_at = now if done else None
        each.done_by_id = user.id if done else None


def _words(column):
    return func.lower(func.trim(column))


def _twin_of(item: ActionItem):
    """Open items of the same member and owner with the same words as `item` (not itself)."""
    return and_(
        ActionItem.member_id == item.member_id,
        ActionItem.owner == item.owner,
        ActionItem.done.is_(False),
        ActionItem.id != item.id,
        _words(ActionItem.text) == _words(literal(item.text)),  # as the lists compare
    )


def listed_once(before: datetime | None = None):
    """Leave out an open item when an open twin (same member, owner and words: one commitment
    carried and agreed again) comes before it in the lists' order (due soonest, undated last,
    then oldest), so each list shows the commitment once; with `before`, only twins made
    before it count, as only they are in the list."""
    twin = aliased(ActionItem)
    sooner = or_(
        and_(ActionItem.due_date.is_(None), twin.due_date.is_not(None)),
        twin.due_date < ActionItem.due_date,
        and_(
            or_(
                twin.due_date == ActionItem.due_date,
                and_(twin.due_date.is_(None), ActionItem.due_date.is_(None)),
            ),
            twin.id < ActionItem.id,
        ),
    )
    where = [
        twin.member_id == ActionItem.member_id,
        twin.owner == ActionItem.owner,
        twin.done.is_(False),
        _words(twin.text) == _words(ActionItem.text),
        sooner,
    ]
    if before is not None:
        held = aliased(Meeting)
        where.append(exists().where(held.id == twin.session_id, held.held_at < before))
    return ~exists().where(*where)


MAX_TICKED = OPEN_PAGE  # carried items one session form ticks: it shows OPEN_SHOWN of them


def tick_carried(
    db: Session, member: Member, user: User, item_ids: list[int], now: datetime
) -> int:
    """Tick off the items among `item_ids` (a session form's "done" boxes) and say how many were
    open; an id not of the member's items is refused, an item ticked meanwhile is left alone."""
    if not item_ids:
        return 0
    if len(item_ids) > MAX_TICKED:
        raise MentoringError(f"Done: at most {MAX_TICKED} items with one session.", "done")
    ids = [i for i in item_ids if 0 < i < 2**63]  # beyond an id column's range: no such item
    items = list(db.scalars(select(ActionItem).where(ActionItem.id.in_(ids)))) if ids else []
    if len(items) != len(item_ids) or any(i.member_id != member.id for i in items):
        raise MentoringError(f"Done: pick from {member.name}’s open items.", "done")
    still_open = [i for i in items if not i.done]
    for item in still_open:
        set_done(item, user, True, now)
    db.flush()
    return len(still_open)


@dataclass
class OpenItem:
    item: ActionItem
    carried: int  # sessions held since the one that created it
    overdue_days: int  # 0 when not overdue or undated


def _open(member_id: int, before: datetime | None, owner: str | None = None):
    where = [ActionItem.member_id == member_id, ActionItem.done.is_(False), listed_once(before)]
    if before is not None:
        where.append(Meeting.held_at < before)
    if owner is not None:
        where.append(ActionItem.owner == owner)
    return where


def has_met(db: Session, member_id: int) -> bool:
    """Whether the member has any 1:1 yet, held or booked: the next one is not their first."""
    return db.scalar(select(exists().where(Meeting.member_id == member_id))) or False


def count_open(
    db: Session, member_id: int, before: datetime | None = None, *, owner: str | None = None
) -> int:
    """How many open items the member has (made before `before`, if given; only `owner`'s,
    if given; one query)."""
    return (
        db.scalar(
            select(func.count())
            .select_from(ActionItem)
            .join(Meeting, Meeting.id == ActionItem.session_id)
            .where(*_open(member_id, before, owner))
        )
        or 0
    )


def open_items(
    db: Session,
    member_id: int,
    now: datetime,
    before: datetime | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
    owner: str | None = None,
) -> list[OpenItem]:
    """The member's open items (made before `before`, if given; only `owner`'s, if given), the
    most pressing first (due soonest, undated last), with how often they have been carried to a
    later session and how overdue they are; `limit` of them from `offset` when given (three
    queries)."""
    query = (
        select(ActionItem)
        .options(selectinload(ActionItem.session))
        .join(Meeting, Meeting.id == ActionItem.session_id)
        .where(*_open(member_id, before, owner))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    items = list(db.scalars(query))
    if not items:
        return []
    origin, later = aliased(Meeting), aliased(Meeting)
    carried = dict(
        db.execute(
            select(ActionItem.id, func.count(later.id))
            .join(origin, origin.id == ActionItem.session_id)
            .join(
                later,
                and_(
                    later.member_id == ActionItem.member_id,
                    later.held_at > origin.held_at,
                    later.held_at <= now,
                ),
            )
            .where(ActionItem.id.in_([i.id for i in items]))
            .group_by(ActionItem.id)
        )
        .tuples()
        .all()
    )
    today = localtime.local_date(now)  # the viewer's date: overdue from their midnight
    return [
        OpenItem(i, carried.get(i.id, 0), max(0, (today - i.due_date).days) if i.due_date else 0)
        for i in items
    ]


# --- timeline ---------------------------------------------------------------------------------


def timeline(
    db: Session,
    member: Member,
    user: User,
    *,
    kind: str | None = None,
    competency_key: str | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int | None = None,
) -> list[Meeting]:
    """A member's sessions, newest first, filtered; the search reads the agenda and shared
    notes, and private notes only of sessions `user` wrote (four queries in all). With
    `per_page`, one page of them plus one more session when older ones exist."""
    query = (
        select(Meeting)
        .options(
            selectinload(Meeting.mentor),
            selectinload(Meeting.items),
            selectinload(Meeting.competencies),
        )
        .where(Meeting.member_id == member.id)
    )
    if kind in SESSION_KINDS:
        query = query.where(Meeting.kind == kind)
    if competency_key:
        query = query.where(Meeting.competencies.any(Competency.key == competency_key))
    if q and q.strip():
        term = q.strip()
        query = query.where(
            or_(
                contains_folded(Meeting.agenda, term),
                contains_folded(Meeting.shared_notes, term),
                and_(
                    Meeting.mentor_id == user.id,
                    contains_folded(Meeting.private_notes, term),
                ),
            )
        )
    query = query.order_by(Meeting.held_at.desc(), Meeting.id.desc())
    if per_page:
        query = query.limit(per_page + 1).offset((max(page, 1) - 1) * per_page)
    return list(db.scalars(query))


# --- the calendar feed (its token: tracker/mentoring/calendar.py) ---------------------------


def sessions_by(db: Session, user: User, since: datetime) -> list[Meeting]:
    """Sessions `user` logged or scheduled since `since` (for the feed; one query)."""
    return list(
        db.scalars(
            select(Meeting)
            .options(selectinload(Meeting.member))
            .where(Meeting.mentor_id == user.id, Meeting.held_at >= since)
            .order_by(Meeting.held_at)
        )
    )
