"""Carry-over and overdue at their day boundaries: items due long ago, yesterday, today,
tomorrow, later and never, each open and done, on the new 1:1 page (its list and its agenda),
the engineer's home, a later session's page and the lead's dashboard.

Assumption: "today" is today's date in UTC, the app's clock (`tracker.db.utcnow`): these users
have no time zone of their own and the organisation's is UTC (other zones, and days turning at
a user's own midnight: tests/test_time_zones.py). A test that runs across midnight UTC is
skipped rather than judged against two different days."""

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


def test_new_one_on_one_page_carries_every_open_item(client_as, org, items):
    client = client_as("lead")
    page = client.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    carried = _section(page, 'id="carried-h"')
    _check_open_list(carried, items)
    assert "carried 1 session" in _entry(carried, _text(0, False))
    agenda = html_lib.unescape(_section(page, 'name="agenda"', "</textarea>"))
    _check_open_list(agenda, items, with_due=False)  # the agenda names no due date


def test_engineer_home_carries_every_open_item(client_as, org, items):
    client = client_as("engineer")
    page = client.get("/me").get_data(as_text=True)
    _check_open_list(page, items)


def test_a_later_session_shows_every_item_still_open(client_as, org, db, items):
    from tracker.mentoring.models import Meeting

    later = db.scalar(select(Meeting).order_by(Meeting.held_at.desc()))
    client = client_as("lead")
    page = client.get(f"/sessions/{later.id}").get_data(as_text=True)
    _check_open_list(_section(page, 'id="carried-h"'), items)


def test_dashboard_lists_only_items_past_their_due_date(client_as, org, items):
    client = client_as("lead")
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


# --- the session's own time -------------------------------------------------------------------
# A session's own items are agreed in it, not carried into it; they carry into the sessions
# held after it. Two sessions at the same minute do not carry into each other (neither came
# first). A later session counts as "carried" once it is held, and a session at exactly the
# app's now is held (logged), not scheduled.

MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def now(app):
    """The pages' clock (tracker/localtime.py) held at a whole minute, so sessions can sit
    exactly on it."""
    held = utcnow().replace(second=0, microsecond=0)
    app.config["TRACKER_NOW"] = held
    return held


def _carried(page: str) -> str:
    """The "still open from earlier sessions" part of a session page ('' when there is none)."""
    return _section(page, 'id="carried-h"') if 'id="carried-h"' in page else ""


def _own(page: str) -> str:
    return _section(page, 'id="items"', "</section>")


def _add_items(client, s, label: str) -> list[str]:
    """Add a mentee-owned and a lead-owned item to `s` through its form; their texts."""
    texts = [f"{label}-mentee-item", f"{label}-lead-item"]
    for text, owner in zip(texts, ("mentee", "lead"), strict=True):
        r = client.form(f"/sessions/{s.id}/items", {"text": text, "owner": owner})
        assert r.status_code == 302, r.get_data(as_text=True)
    return texts


def _session_page(client, s) -> str:
    r = client.get(f"/sessions/{s.id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


HELD = {  # when the session S is held, against the app's now
    "a-month-ago": -30 * DAY,
    "yesterday": -DAY,
    "a-minute-ago": -MINUTE,
    "exactly-now": timedelta(0),
    "in-a-minute": MINUTE,
    "next-week": 7 * DAY,
}


@pytest.mark.parametrize("offset", list(HELD.values()), ids=list(HELD))
def test_a_sessions_own_items_are_not_carried_into_it_but_into_the_next(
    client_as, org, make_session, now, offset
):
    held = now + offset
    earlier = make_session(org.eng, org.lead, held_at=held - MINUTE)
    s = make_session(org.eng, org.lead, held_at=held)
    following = make_session(org.eng, org.lead, held_at=held + MINUTE)
    client = client_as("lead")
    before = _add_items(client, earlier, "earlier")
    own = _add_items(client, s, "own")

    page = _session_page(client, s)
    for text in own:
        assert text in _own(page), text  # agreed here: listed with the session's own items
        assert text not in _carried(page), text  # never "still open from earlier" in itself
    for text in before:
        assert text in _carried(page), text  # the minute before is earlier: carried in
        assert text not in _own(page), text

    page = _session_page(client, following)
    for text in own + before:
        assert text in _carried(page), text  # and on into the next session
        assert text not in _own(page), text
    # Carried once for each session held since, up to now: `following` counts once it is held.
    held_since = int(held + MINUTE <= now)
    for text in own:
        entry = _entry(_carried(page), text)
        if held_since:
            assert "carried 1 session" in entry, entry
        else:
            assert "carried" not in entry.replace(text, ""), entry


@pytest.mark.parametrize("offset", [-DAY, timedelta(0), DAY], ids=["past", "now", "scheduled"])
def test_sessions_at_the_same_minute_do_not_carry_into_each_other(
    client_as, org, make_session, now, offset
):
    held = now + offset
    first = make_session(org.eng, org.lead, held_at=held, kind="one_on_one")
    second = make_session(org.eng, org.lead, held_at=held, kind="career")
    following = make_session(org.eng, org.lead, held_at=held + MINUTE)
    client = client_as("lead")
    mine = {
        first.id: _add_items(client, first, "first"),
        second.id: _add_items(client, second, "second"),
    }

    for s, other in ((first, second), (second, first)):
        carried = _carried(_session_page(client, s))
        for text in mine[other.id]:
            assert text not in carried, (s.kind, text)  # neither came before the other
        for text in mine[s.id]:
            assert text not in carried, (s.kind, text)

    carried = _carried(_session_page(client, following))
    for text in mine[first.id] + mine[second.id]:
        entry = _entry(carried, text)
        assert entry is not None, text  # both carry into the next session
        # The session at the same minute is not "since": only `following` counts, once held.
        if held + MINUTE <= now:
            assert "carried 1 session" in entry, entry
        else:
            assert "carried" not in entry.replace(text, ""), entry


LATER = {  # when the later session is held, against the app's now
    "yesterday": -DAY,
    "a-minute-ago": -MINUTE,
    "a-second-ago": -SECOND,
    "exactly-now": timedelta(0),
    "in-a-second": SECOND,
    "in-a-minute": MINUTE,
    "tomorrow": DAY,
}


@pytest.mark.parametrize("offset", list(LATER.values()), ids=list(LATER))
def test_a_session_at_exactly_now_is_held_and_counts_as_carried(
    app, org, make_session, now, offset
):
    origin = make_session(
        org.eng, org.lead, held_at=now - 7 * DAY, items=[("Origin item", "mentee", None)]
    )
    later = make_session(org.eng, org.lead, held_at=now + offset)
    held = offset <= timedelta(0)
    counted = "carried 1 session" if held else None

    lead, eve = app.test_client(), app.test_client()
    login(lead, "lead@example.com")
    login(eve, "eve@example.com")
    pages = {
        "later session": _carried(_session_page(lead, later)),
        "engineer home": eve.get("/me").get_data(as_text=True),
    }
    new = lead.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    pages["new 1:1"] = _section(new, 'id="carried-h"')
    pages["new 1:1 agenda"] = html_lib.unescape(_section(new, 'name="agenda"', "</textarea>"))
    for where, section in pages.items():
        entry = _entry(section, "Origin item")
        assert entry is not None, where
        if counted:
            assert counted in entry, (where, entry)
        else:
            assert "carried" not in entry, (where, entry)

    # Held, it is a logged session; in the future, a scheduled one.
    heading = _session_page(lead, later).split("</h1>")[0]
    assert ("scheduled" in heading) == (not held), heading
    assert origin.id != later.id
