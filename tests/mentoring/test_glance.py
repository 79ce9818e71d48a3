"""Mentoring's panels on the member page (tracker/mentoring/glance.py): the last and next 1:1
with the cadence, the mood line and the open items both ways; each offers only what the viewer
may do, and no private note reaches any of them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from tracker.db import utcnow
from tracker.mentoring.glance import MOOD_SHOWN

CANARY = "PRIVATE-CANARY-m00d"


def _panel(html: str, name: str) -> str:
    start = html.index(f'id="glance-{name}-h"')
    return html[start : html.index("</article>", start)]


def _page(client, member) -> str:
    response = client.get(f"/members/{member.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_last_and_next_one_on_one_and_the_cadence(client_as, org, db, make_session):
    now = utcnow()
    last = make_session(org.eng, org.lead, held_at=now - timedelta(days=20), private=CANARY)
    make_session(org.eng, org.lead, held_at=now - timedelta(days=2), kind="career")  # not a 1:1
    client = client_as("lead")
    panel = _panel(_page(client, org.eng), "meetings")
    assert f'href="/sessions/{last.id}">{last.held_at:%Y-%m-%d}</a>' in panel
    assert "overdue by 6 days" in panel and "every 14 days" in panel
    assert "none booked" in panel and f"/members/{org.eng.id}/sessions/new" in panel
    booked = make_session(
        org.eng, org.lead, held_at=datetime.combine(now.date() + timedelta(days=3), time(10))
    )
    panel = _panel(_page(client, org.eng), "meetings")
    assert f'href="/sessions/{booked.id}">{booked.held_at:%Y-%m-%d %H:%M}</a>' in panel
    assert "a 1:1 is booked" in panel and "overdue" not in panel
    assert CANARY not in panel


def test_no_one_on_one_yet_offers_the_first_only_to_who_may_log_it(client_as, org, db):
    new = f"/members/{org.eng.id}/sessions/new"
    for who in ("lead", "admin"):
        panel = _panel(_page(client_as(who), org.eng), "meetings")
        assert "No 1:1 yet" in panel and f'href="{new}">log the first one' in panel, who
        assert "a first one to plan" in panel
    panel = _panel(_page(client_as("engineer"), org.eng), "meetings")
    assert "No 1:1 yet" in panel and new not in panel
    org.eng.archived, org.eng.archived_at = True, utcnow()
    db.commit()
    panel = _panel(_page(client_as("lead"), org.eng), "meetings")
    assert new not in panel and "archived" in panel


def test_the_mood_line_shows_the_latest_sessions_that_recorded_one(
    client_as, org, db, make_session
):
    now = utcnow()
    for days, mood in [(30, 2), (20, None), (10, 4), (3, 5)]:
        s = make_session(org.eng, org.lead, held_at=now - timedelta(days=days), private=CANARY)
        s.mood = mood
    future = make_session(org.eng, org.lead, held_at=now + timedelta(days=5))
    future.mood = 1  # booked, not held: not in the line
    db.commit()
    for who in ("lead", "admin", "engineer"):  # whoever sees the sessions sees their mood
        panel = _panel(_page(client_as(who), org.eng), "mood")
        assert panel.count('class="spark-dot"') == 3, who
        assert "Latest 5/5" in panel and "average 3.7" in panel and "up 3 since" in panel
        assert "<polyline" in panel and "style=" not in panel  # the strict CSP: no inline style
        assert CANARY not in panel


def test_the_mood_line_is_bounded(client_as, org, db, make_session):
    now = utcnow()
    for i in range(MOOD_SHOWN + 5):
        s = make_session(org.eng, org.lead, held_at=now - timedelta(days=i + 1))
        s.mood = 3
    db.commit()
    panel = _panel(_page(client_as("lead"), org.eng), "mood")
    assert panel.count('class="spark-dot"') == MOOD_SHOWN


def test_no_mood_yet(client_as, org):
    panel = _panel(_page(client_as("lead"), org.eng), "mood")
    assert "No mood recorded yet" in panel and "log a 1:1" in panel
    panel = _panel(_page(client_as("engineer"), org.eng), "mood")
    assert "No mood recorded yet" in panel and "sessions/new" not in panel


def test_open_items_both_ways(client_as, org, db, make_session):
    s = make_session(
        org.eng,
        org.lead,
        private=CANARY,
        items=[("Book the course", "lead", None), ("Write the RFC", "mentee", None)],
    )
    make_session(org.eng, org.lead, items=[("Already done", "mentee", None)])
    from tracker.mentoring.models import ActionItem

    db.query(ActionItem).filter_by(text="Already done").update({"done": True})
    db.commit()
    lead_page = _panel(_page(client_as("lead"), org.eng), "items")
    lead_part, eve_part = lead_page.split("Eve’s items")
    assert "The lead’s items for Eve" in lead_part and "Book the course" in lead_part
    assert "Write the RFC" in eve_part and "Already done" not in lead_page
    assert lead_page.count('class="inline"') == 2  # the lead ticks off either
    eve_page = _panel(_page(client_as("engineer"), org.eng), "items")
    theirs, mine = eve_page.split("Your items")
    assert "Your lead’s items" in theirs and "Book the course" in theirs
    assert "/done" not in theirs  # she may not tick off the lead's item: no button
    assert "Write the RFC" in mine and "/done" in mine
    assert CANARY not in lead_page + eve_page
    item = db.query(ActionItem).filter_by(text="Write the RFC").one()
    eve = client_as("engineer")
    r = eve.form(f"/items/{item.id}/done", {"next": f"/members/{org.eng.id}"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/members/{org.eng.id}")
    assert "Write the RFC" not in _panel(_page(eve, org.eng), "items")
    assert s.id  # the session stays


def test_nothing_open(client_as, org):
    panel = _panel(_page(client_as("lead"), org.eng), "items")
    assert panel.count("Nothing open.") == 2
