"""Issue #13 defect 5: a member never met is a first 1:1 to plan (never "N days overdue ·
last never", never missing for want of a start date), and a booked 1:1 clears "due" and
"overdue": the dashboard and the calendar feed show it as scheduled."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from icalendar import Calendar

from tests.conftest import count_queries
from tracker.db import utcnow
from tracker.mentoring.calendar import build_feed


def _section(page: str, heading_id: str) -> str:
    part = page[page.index(f'id="{heading_id}"') :]
    return part[: part.index("</article>")]


def _entry(section: str, name: str) -> str | None:
    if f">{name}</a>" not in section:
        return None
    part = section[section.index(f">{name}</a>") :]
    return part[: part.index("</li>")]


def _where(page: str, name: str) -> list[str]:
    """The dashboard's 1:1 lists that name `name`."""
    ids = ("overdue-h", "due-h", "first-h", "scheduled-h")
    return [i for i in ids if _entry(_section(page, i), name) is not None]


def test_never_met_members_get_a_first_one_on_one_prompt(client_as, org, db, make_member):
    today = utcnow().date()
    make_member(org.team, "No Start", start_date=None)
    make_member(org.team, "Old Start", start_date=today - timedelta(days=90))
    make_member(org.team, "New Start", start_date=today + timedelta(days=10))
    page = client_as("lead").get("/dashboard").get_data(as_text=True)
    for name in ("No Start", "Old Start", "New Start", "Eve Engineer", "Max Mate"):
        assert _where(page, name) == ["first-h"], name
    first = _section(page, "first-h")
    assert "no start date, added " + today.isoformat() in _entry(first, "No Start")
    old = _entry(first, "Old Start")
    assert f"started {(today - timedelta(days=90)).isoformat()}" in old
    assert "plan a first 1:1" in old and "overdue" not in old
    assert "last never" not in page and "days overdue" not in page
    # Longest waiting first: the one who started 90 days ago heads the list.
    assert first.index(">Old Start</a>") < first.index(">New Start</a>")


def test_a_booked_one_on_one_clears_due_and_overdue(client_as, org, db, make_session):
    now = utcnow()
    booked = datetime.combine(now.date() + timedelta(days=3), time(10, 30))
    make_session(org.eng, org.lead, held_at=now - timedelta(days=30))  # 16 days overdue
    make_session(org.eng, org.lead, held_at=booked)
    make_session(org.eng, org.lead, held_at=booked + timedelta(days=14))  # the later one
    make_session(org.mate, org.lead, held_at=now - timedelta(days=10))  # due in 4 days
    client = client_as("lead")
    page = client.get("/dashboard").get_data(as_text=True)
    assert _where(page, "Eve Engineer") == ["scheduled-h"]
    assert _where(page, "Max Mate") == ["due-h"]
    entry = _entry(_section(page, "scheduled-h"), "Eve Engineer")
    assert f"scheduled {booked.strftime('%a %d %b %Y, %H:%M')}" in entry
    assert "their first" not in entry
    make_session(org.mate, org.lead, held_at=booked, kind="career")  # not a 1:1: still due
    assert _where(client.get("/dashboard").get_data(as_text=True), "Max Mate") == ["due-h"]


def test_a_booked_first_one_on_one_is_scheduled_not_a_prompt(client_as, org, make_session):
    booked = datetime.combine(utcnow().date() + timedelta(days=1), time(9, 0))
    make_session(org.eng, org.lead, held_at=booked)
    page = client_as("lead").get("/dashboard").get_data(as_text=True)
    assert _where(page, "Eve Engineer") == ["scheduled-h"]
    assert "their first" in _entry(_section(page, "scheduled-h"), "Eve Engineer")
    assert _where(page, "Max Mate") == ["first-h"]


def test_the_feed_has_no_due_event_beside_a_booked_one_on_one(app, org, db, make_session):
    now = utcnow()
    make_session(org.eng, org.lead, held_at=now - timedelta(days=30))
    s = make_session(org.eng, org.lead, held_at=now + timedelta(days=2))
    make_session(org.mate, org.lead, held_at=now - timedelta(days=30))
    with app.test_request_context():
        cal = Calendar.from_ical(build_feed(db, org.lead, now))
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    assert f"session-{s.id}@team-tracker" in uids
    assert f"next-1on1-{org.eng.id}@team-tracker" not in uids
    assert f"next-1on1-{org.mate.id}@team-tracker" in uids


def test_dashboard_queries_do_not_grow_with_first_and_booked_one_on_ones(
    app, client_as, org, make_member, make_session
):
    app.extensions["tracker.pages"].size = 0  # count what rendering costs, not a cache hit
    client = client_as("lead")
    now = utcnow()
    make_session(org.eng, org.lead, held_at=now - timedelta(days=3))
    make_session(org.mate, org.lead, held_at=now + timedelta(days=3))
    client.get("/dashboard")
    with count_queries(app) as n:
        client.get("/dashboard")
    few = n()
    for i in range(8):
        make_member(org.team, f"New {i}", start_date=None if i % 2 else now.date())
        booked = make_member(org.team, f"Booked {i}")
        make_session(booked, org.lead, held_at=now + timedelta(days=i + 1))
        make_session(booked, org.lead, held_at=now - timedelta(days=40 + i))
    with count_queries(app) as n:
        page = client.get("/dashboard").get_data(as_text=True)
    assert n() == few
    assert _where(page, "New 7") == ["first-h"] and _where(page, "Booked 7") == ["scheduled-h"]
