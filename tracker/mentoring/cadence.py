"""The 1:1 cadence and the lead's dashboard lists: who is overdue, due, never met or booked,
and the overdue action items of the members a lead manages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from tracker import localtime
from tracker.auth.models import User
from tracker.mentoring.models import ActionItem, Meeting
from tracker.mentoring.services import listed_once
from tracker.team.models import Member, team_lead


@dataclass
class Cadence:
    member: Member
    last_held: datetime | None
    next_due: date
    scheduled: datetime | None = None  # the earliest 1:1 booked after now

    def days_overdue(self, today: date) -> int:
        return (today - self.next_due).days

    @property
    def since(self) -> date:
        """When the member joined: their start date, else when they were added."""
        return self.member.start_date or self.member.created_at.date()


@dataclass
class CadenceBoard:
    """The dashboard's 1:1 lists: each member `user` manages is in at most one of them."""

    overdue: list[Cadence]
    due_soon: list[Cadence]  # due today or in the next seven days
    first: list[Cadence]  # never had a 1:1 and none is booked: a first 1:1 to plan
    scheduled: list[Cadence]  # a 1:1 is booked: nothing is due until it is held


def _managed_members(user: User):
    query = select(Member).options(selectinload(Member.team)).where(Member.archived.is_(False))
    if not user.is_admin:
        query = query.join(team_lead, team_lead.c.team_id == Member.team_id).where(
            team_lead.c.user_id == user.id
        )
    return query


def cadences(db: Session, user: User, now: datetime, tz: tzinfo) -> list[Cadence]:
    """Each active member `user` manages, with their last 1:1 held, the next one booked and
    when the next is due by their cadence (two queries); days are counted in `tz`, the
    zone of whoever reads them."""
    members = list(db.scalars(_managed_members(user).order_by(Member.name)))
    if not members:
        return []
    rows = db.execute(
        select(
            Meeting.member_id,
            func.max(case((Meeting.held_at <= now, Meeting.held_at))),
            func.min(case((Meeting.held_at > now, Meeting.held_at))),
        )
        .where(Meeting.member_id.in_([m.id for m in members]), Meeting.kind == "one_on_one")
        .group_by(Meeting.member_id)
    )
    met = {member_id: (held, booked) for member_id, held, booked in rows}
    result = [cadence_of(m, *met.get(m.id, (None, None)), tz) for m in members]
    return sorted(result, key=lambda c: c.next_due)


def cadence_of(
    member: Member, held: datetime | None, booked: datetime | None, tz: tzinfo
) -> Cadence:
    """The member's cadence from their last 1:1 held and the next booked (stored UTC times):
    the next is due `cadence_days` after the last one's day in `tz`, or after their start (or
    the day they were added) when there was none yet."""
    base = (
        localtime.local_date(held, tz)
        if held
        else (member.start_date or localtime.local_date(member.created_at, tz))
    )
    return Cadence(member, held, base + timedelta(days=member.cadence_days), booked)


def cadence_board(rows: list[Cadence], today: date) -> CadenceBoard:
    """Sort cadences for the dashboard: a booked 1:1 clears "due" and "overdue", and a member
    never met is a first 1:1 to plan, whatever their start date, not N days overdue."""
    booked = sorted((c for c in rows if c.scheduled), key=lambda c: (c.scheduled, c.member.name))
    met = [c for c in rows if c.scheduled is None and c.last_held is not None]
    week = today + timedelta(days=7)
    return CadenceBoard(
        overdue=[c for c in met if c.next_due < today],
        due_soon=[c for c in met if today <= c.next_due <= week],
        first=sorted(
            (c for c in rows if c.scheduled is None and c.last_held is None),
            key=lambda c: (c.since, c.member.name),  # waiting longest first
        ),
        scheduled=booked,
    )


ITEMS_PAGE = 50  # overdue items per dashboard page: an org-scale lead can have hundreds


def _overdue(user: User, today: date) -> tuple:
    members = _managed_members(user).with_only_columns(Member.id)
    return (
        ActionItem.member_id.in_(members),
        ActionItem.done.is_(False),
        ActionItem.due_date < today,
        listed_once(),  # a twin listed before it is overdue too: it is due no later
    )


def overdue_pages(db: Session, user: User, today: date) -> int:
    """How many dashboard pages the overdue items of `user`'s members fill (at least 1)."""
    total = db.scalar(select(func.count()).select_from(ActionItem).where(*_overdue(user, today)))
    return max(1, -(-(total or 0) // ITEMS_PAGE))


def overdue_items(
    db: Session, user: User, today: date, page: int = 1
) -> tuple[list[ActionItem], int]:
    """One page of the open action items past their due date of the members `user` manages,
    most overdue first, and how many there are in all (two queries, plus two eager loads)."""
    where = _overdue(user, today)
    total = db.scalar(select(func.count()).select_from(ActionItem).where(*where)) or 0
    items = db.scalars(
        select(ActionItem)
        .options(selectinload(ActionItem.session).selectinload(Meeting.member))
        .where(*where)
        .order_by(ActionItem.due_date, ActionItem.id)
        .limit(ITEMS_PAGE)
        .offset((max(page, 1) - 1) * ITEMS_PAGE)
    )
    return list(items), total
