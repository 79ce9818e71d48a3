"""Carry-over and overdue at their day boundaries: items due long ago, yesterday, today,
tomorrow, later and never, each open and done, on the new 1:1 page (its list and its agenda),
the engineer's home, a later session's page and the lead's dashboard.

Assumption: "today" is today's date in UTC, the app's clock (`tracker.db.utcnow`); the user's
own time zone comes in a later issue. A test that runs across midnight UTC is skipped rather
than judged against two different days."""

from __future__ import annotations

import html as html_lib
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login
from tracker.db import utcnow
from tracker.mentoring.models import ActionItem

OFFSETS = [-30, -1, 0, 1, 30, None]  # due today + offset days; None: no due date


def _text(offset, done: bool) -> str:
    due = "undated" if offset is None else f"due{offset:+d}"
    return f"Item-{due}-{'done' if done else 'open'}"


def _overdue(offset) -> str | None:
    """What the item's overdue mark must say, if it has one."""
    if offset is None or offset >= 0:
        return None
    return f"{-offset} day{'' if offset == -1 else 's'} overdue"


@pytest.fixture
def items(db, org, make_session):
    """One item per (due offset, done) in a 1:1 held a week ago; and a 1:1 held yesterday."""
    now = utcnow()
    today = now.date()
    first = make_session(org.eng, org.lead, held_at=now - timedelta(days=7))
    make_session(org.eng, org.lead, held_at=now - timedelta(days=1))  # carried once since
    for offset in OFFSETS:
        for done in (False, True):
            db.add(
                ActionItem(
                    session_id=first.id,
                    member_id=org.eng.id,
                    text=_text(offset, done),
                    owner="mentee",
                    due_date=None if offset is None else today + timedelta(days=offset),
                    done=done,
                    done_at=now if done else None,
                )
            )
    db.commit()
    yield today
    if utcnow().date() != today:
        pytest.skip("the test ran across midnight UTC")


def _section(page: str, start: str, end: str = "</article>") -> str:
    part = page[page.index(start) :]
    return part[: part.index(end)]


def _entry(section: str, text: str) -> str | None:
    """The list entry (or table row) of one item in a section, None when it is not there."""
    if text not in section:
        return None
    part = section[section.index(text) :]
    ends = [i for i in (part.find("</li>"), part.find("</tr>"), part.find("\n-")) if i >= 0]
    return part[: min(ends)] if ends else part


def _check_open_list(section: str, today, with_due: bool = True) -> None:
    for offset in OFFSETS:
        for done in (False, True):
            entry = _entry(section, _text(offset, done))
            where = _text(offset, done)
            if done:
                assert entry is None, where  # a done item is never carried
                continue
            assert entry is not None, where  # open items carry over, due today included
            mark = _overdue(offset)
            if mark:
                assert mark in entry, (where, entry)
            else:
                assert "overdue" not in entry, (where, entry)
            if with_due and offset is not None:
                assert (today + timedelta(days=offset)).isoformat() in entry, where


def test_new_one_on_one_page_carries_every_open_item(client, org, items):
    login(client, "lead@example.com")
    page = client.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    carried = _section(page, 'id="carried-h"')
    _check_open_list(carried, items)
    assert "carried 1 session" in _entry(carried, _text(0, False))
    agenda = html_lib.unescape(_section(page, 'name="agenda"', "</textarea>"))
    _check_open_list(agenda, items, with_due=False)  # the agenda names no due date


def test_engineer_home_carries_every_open_item(client, org, items):
    login(client, "eve@example.com")
    page = client.get("/me").get_data(as_text=True)
    _check_open_list(page, items)


def test_a_later_session_shows_every_item_still_open(client, org, db, items):
    from tracker.mentoring.models import MentoringSession

    later = db.scalar(select(MentoringSession).order_by(MentoringSession.held_at.desc()))
    login(client, "lead@example.com")
    page = client.get(f"/sessions/{later.id}").get_data(as_text=True)
    _check_open_list(_section(page, 'id="carried-h"'), items)


def test_dashboard_lists_only_items_past_their_due_date(client, org, items):
    login(client, "lead@example.com")
    page = client.get("/dashboard").get_data(as_text=True)
    section = _section(page, 'id="items-h"')
    for offset in OFFSETS:
        for done in (False, True):
            entry = _entry(section, _text(offset, done))
            overdue = not done and offset is not None and offset < 0
            assert (entry is not None) == overdue, _text(offset, done)
            if overdue:
                assert f"({-offset} days ago)" in entry
                assert (items + timedelta(days=offset)).isoformat() in entry
