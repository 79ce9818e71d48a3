"""Lists a user can grow, bounded on every page that shows them: a session holds at most
MAX_SESSION_ITEMS action items; a 1:1 page and the engineer's home show the OPEN_SHOWN most
pressing open items, say how many there are and link to all of them a page at a time; the
prefilled agenda names the AGENDA_ITEMS most pressing and always fits the agenda's cap (so the
new session can be saved as prefilled); the engineer's home shows the MINE_SHOWN milestones due
soonest and "My milestones" pages through all of them. Each page's queries stay the same."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, login
from tracker.mentoring.agenda import AGENDA_ITEMS
from tracker.mentoring.models import ActionItem, Meeting
from tracker.mentoring.services import MAX_AGENDA, MAX_SESSION_ITEMS, OPEN_PAGE, OPEN_SHOWN
from tracker.sprints.services import MINE_PAGE, MINE_SHOWN

DUE = date(2026, 1, 1)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _items(db, org, make_session, n, size=20, start=datetime(2025, 6, 1, 10), label="it"):
    """`n` open items over as many sessions as they need, item i due DUE + i days (so the most
    pressing is item 0), each text numbered and padded to `size` characters."""
    sessions = []
    for first in range(0, n, MAX_SESSION_ITEMS):
        s = make_session(org.eng, org.lead, held_at=start + timedelta(days=len(sessions)))
        sessions.append(s)
        db.add_all(
            ActionItem(
                session_id=s.id,
                member_id=org.eng.id,
                text=(f"{label}-{i:04d} " + "t" * size)[:size],
                owner="mentee" if i % 2 else "lead",
                due_date=DUE + timedelta(days=i),
            )
            for i in range(first, min(n, first + MAX_SESSION_ITEMS))
        )
    db.commit()
    return sessions


def _numbers(text: str, label: str = "it") -> list[int]:
    """The numbered texts shown, in order (a tick button's label names its item again)."""
    text = re.sub(r'aria-label="[^"]*"', "", text)
    return [int(n) for n in re.findall(label + r"-(\d{4})", text)]


def _get(client, url, **params) -> str:
    r = client.get(url, query_string=params or None)
    assert r.status_code == 200, (url, r.status_code)
    return r.get_data(as_text=True)


def _carried(page: str) -> str:
    if 'id="carried-h"' not in page:
        return ""
    part = page[page.index('id="carried-h"') :]
    return part[: part.index("</article>")]


# --- a session's items -----------------------------------------------------------------------


@pytest.mark.parametrize("done", [False, True], ids=["open", "done"])
@pytest.mark.parametrize("owner", ["mentee", "lead"])
def test_a_session_holds_at_most_max_items(client_as, org, db, make_session, done, owner):
    s = make_session(org.eng, org.lead, held_at=datetime(2026, 1, 5, 10))
    db.add_all(
        ActionItem(session_id=s.id, member_id=org.eng.id, text=f"x{i}", owner=owner, done=done)
        for i in range(MAX_SESSION_ITEMS - 1)
    )
    db.commit()
    client = client_as("lead")
    r = client.form(f"/sessions/{s.id}/items", {"text": "The last one", "owner": "mentee"})
    assert r.status_code == 302
    for text in ("One too many", "<b>typed</b> & kept"):
        r = client.form(f"/sessions/{s.id}/items", {"text": text, "owner": "lead"})
        assert r.status_code == 400
        page = r.get_data(as_text=True)
        assert f"the most a session holds ({MAX_SESSION_ITEMS})" in page
        assert f'value="{html_lib.escape(text)}"' in page  # the typing is kept
    assert _count(db, ActionItem) == MAX_SESSION_ITEMS


# --- open items on the pages that carry them --------------------------------------------------

SIZES = [0, 1, OPEN_SHOWN, OPEN_SHOWN + 1, 130]


def _pages(app, org, db):
    """Every page that carries open items, as who reads it: name -> carried section."""
    later = db.scalar(select(Meeting).order_by(Meeting.held_at.desc()))
    lead, eve = app.test_client(), app.test_client()
    login(lead, "lead@example.com")
    login(eve, "eve@example.com")
    next_session = f"/sessions/{later.id}" if later else None
    return {
        "new 1:1": _carried(_get(lead, f"/members/{org.eng.id}/sessions/new")),
        "engineer home": _get(eve, "/me").split('id="items-h"')[1].split("</article>")[0],
        **({"later 1:1": _carried(_get(lead, next_session))} if next_session else {}),
    }


@pytest.mark.parametrize("n", SIZES)
def test_pages_show_the_most_pressing_open_items_and_link_to_all(app, org, db, make_session, n):
    _items(db, org, make_session, n)
    make_session(org.eng, org.lead, held_at=datetime(2026, 2, 1, 10))  # a later 1:1
    for where, section in _pages(app, org, db).items():
        assert _numbers(section) == list(range(min(n, OPEN_SHOWN))), where  # due soonest first
        more = n > OPEN_SHOWN
        assert (f"/members/{org.eng.id}/items" in section) == more, where
        assert (f"The {OPEN_SHOWN} most pressing of {n} open items" in section) == more, where


def test_open_item_pages_walk_every_item_once(app, org, db, make_session):
    n = 2 * OPEN_PAGE + 7
    _items(db, org, make_session, n)
    pages = -(-n // OPEN_PAGE)
    for who in ("lead@example.com", "eve@example.com", "admin@example.com"):
        client = app.test_client()
        login(client, who)
        seen = []
        for p in range(1, pages + 1):
            page = _get(client, f"/members/{org.eng.id}/items", page=p)
            assert f"{n} open items" in page and f"page {p} of {pages}" in page
            seen += _numbers(page)
        assert seen == list(range(n)), who  # every item once, the most pressing first
        for bad in ("0", "-1", "99999", "x", str(10**30)):
            shown = _numbers(_get(client, f"/members/{org.eng.id}/items", page=bad))
            assert 0 < len(shown) <= OPEN_PAGE, (who, bad)


def test_the_engineer_ticks_off_only_her_own_items_from_the_paged_view(
    client_as, org, db, make_session
):
    _items(db, org, make_session, 10)
    client = client_as("engineer")
    page = _get(client, f"/members/{org.eng.id}/items")
    ticks = re.findall(r'aria-label="Tick off: (it-\d{4})', page)
    assert ticks and all(int(t[3:]) % 2 == 1 for t in ticks)  # the mentee-owned (odd) ones
    item = db.scalar(select(ActionItem).where(ActionItem.text.startswith(ticks[0])))
    r = client.form(f"/items/{item.id}/done", {"next": f"/members/{org.eng.id}/items"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/members/{org.eng.id}/items")


def test_strangers_do_not_see_a_members_open_items(app, org, db, make_session):
    _items(db, org, make_session, 3)
    for who in ("other@example.com", "sol@example.com", "max@example.com"):
        client = app.test_client()
        login(client, who)
        r = client.get(f"/members/{org.eng.id}/items")
        assert r.status_code == 404, who
        assert b"it-0000" not in r.data


# --- the prefilled agenda ------------------------------------------------------------------------


def _disagree_everywhere(db, org, framework, rate):
    from tracker.competencies.models import Competency

    keys = db.scalars(select(Competency.key).where(Competency.version_id == framework.id)).all()
    for key in keys:
        rate(org.eng, key, 1, rater=org.lead)
        rate(org.eng, key, 5, kind="self", rater=org.eng.user)
    return keys


def _long_goals(db, org, framework):
    from tracker.plans.models import Goal, GrowthPlan

    plan = GrowthPlan(member_id=org.eng.id, target_level="Senior")
    plan.goals = [Goal(title="G" * 200, due_date=DUE, position=i) for i in range(5)]
    db.add(plan)
    db.commit()


@pytest.mark.parametrize("size", [20, 500])
@pytest.mark.parametrize("n", [AGENDA_ITEMS, AGENDA_ITEMS + 1, 130])
@pytest.mark.parametrize("crowded", [False, True], ids=["items-only", "goals-and-ratings-too"])
def test_the_prefilled_agenda_fits_and_the_session_saves_as_prefilled(
    client_as, org, db, framework, rate, make_session, n, size, crowded
):
    _items(db, org, make_session, n, size=size)
    if crowded:
        _disagree_everywhere(db, org, framework, rate)
        _long_goals(db, org, framework)
    client = client_as("lead")
    page = _get(client, f"/members/{org.eng.id}/sessions/new")
    agenda = html_lib.unescape(
        page.split('name="agenda"')[1].split(">", 1)[1].split("</textarea>")[0]
    )
    assert 0 < len(agenda) <= MAX_AGENDA
    named = _numbers(agenda)
    assert named == list(range(len(named))) and 0 < len(named) <= AGENDA_ITEMS
    if not crowded:
        assert len(named) == AGENDA_ITEMS
        more = n - AGENDA_ITEMS
        assert (f"and {more} more open item" in agenda) == (more > 0)
    before = _count(db, Meeting)
    r = client.form(
        f"/members/{org.eng.id}/sessions/new",
        {
            "kind": "one_on_one",
            "held_at": "2026-03-01T10:00",
            "duration_minutes": "30",
            "agenda": agenda,
        },
    )
    assert r.status_code == 302, re.findall(r'class="field-error"[^>]*>([^<]*)', r.data.decode())
    assert _count(db, Meeting) == before + 1


# --- queries -----------------------------------------------------------------------------------


def test_pages_carrying_open_items_cost_the_same_queries_however_many(
    app, org, db, make_session, make_project, make_milestone
):
    _items(db, org, make_session, OPEN_PAGE + 1)
    _milestones(db, org, make_project, make_milestone, MINE_PAGE + 1)
    later = make_session(org.eng, org.lead, held_at=datetime(2026, 2, 1, 10))
    urls = {
        "lead@example.com": [
            f"/members/{org.eng.id}/sessions/new",
            f"/sessions/{later.id}",
            f"/members/{org.eng.id}/items",
            f"/members/{org.eng.id}/items?page=2",
        ],
        "eve@example.com": ["/me", f"/members/{org.eng.id}/items", "/milestones/mine"],
    }
    clients = {}
    for who in urls:
        clients[who] = app.test_client()
        login(clients[who], who)
    few = {}
    for who, pages in urls.items():
        for url in pages:
            clients[who].get(url)
            with count_queries(app) as q:
                _get(clients[who], url)
            few[url] = q()
    _items(db, org, make_session, 400, start=datetime(2024, 1, 1), label="more")
    _milestones(db, org, make_project, make_milestone, 300, first=1000)
    for who, pages in urls.items():
        for url in pages:
            with count_queries(app) as q:
                _get(clients[who], url)
            assert q() == few[url], url


# --- milestones the engineer owns --------------------------------------------------------------


def _milestones(db, org, make_project, make_milestone, n, first=0):
    project = make_project(org.team)
    for i in range(first, first + n):
        make_milestone(project, f"ms-{i:04d}", owner=org.eng, due_date=DUE + timedelta(days=i))


@pytest.mark.parametrize("n", [0, 1, MINE_SHOWN, MINE_SHOWN + 1, 2 * MINE_PAGE + 3])
def test_the_engineers_home_shows_the_milestones_due_soonest_and_links_to_all(
    client_as, org, db, make_project, make_milestone, n
):
    _milestones(db, org, make_project, make_milestone, n)
    client = client_as("engineer")
    home = _get(client, "/me")
    assert _numbers(home, "ms") == list(range(min(n, MINE_SHOWN)))
    assert (f"All {n} open milestones" in home) == (n > MINE_SHOWN)
    seen, pages = [], max(1, -(-n // MINE_PAGE))
    for p in range(1, pages + 1):
        page = _get(client, "/milestones/mine", page=p)
        assert (f"page {p} of {pages}" in page) == (pages > 1)
        seen += _numbers(page, "ms")
    assert seen == list(range(n))
