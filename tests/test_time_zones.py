"""Every date and time is shown, entered and counted in the viewer's time zone (issue #13, 6).

Times are stored in UTC; a lead in Berlin types and reads Berlin times, and "today", "overdue"
and "due this week" turn at the viewer's midnight, not UTC's. The clock is fixed through
TRACKER_NOW, so the moments near midnight are exact."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar
from sqlalchemy import select

from tracker.localtime import Organisation
from tracker.mentoring.models import Meeting


def _zone(db, user, name: str | None) -> None:
    user.time_zone = name
    db.commit()


def _log_1on1(client, member, held_at: str):
    return client.form(
        f"/members/{member.id}/sessions/new",
        {"kind": "one_on_one", "held_at": held_at, "duration_minutes": "45"},
    )


def _held(db, member) -> datetime:
    db.expire_all()
    return db.scalar(select(Meeting.held_at).where(Meeting.member_id == member.id))


def _feed_url(client) -> str:
    page = client.get("/calendar").get_data(as_text=True)  # the address is shown once
    return "/calendar/" + page.split("/calendar/", 1)[1].split(".ics", 1)[0] + ".ics"


def _feed(client, url: str | None = None) -> Calendar:
    response = client.get(url or _feed_url(client))
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def test_a_1on1_typed_at_10_in_berlin_is_kept_in_utc_and_shown_back_at_10(app, org, db, client_as):
    app.config["TRACKER_NOW"] = datetime(2026, 11, 20, 12)
    _zone(db, org.lead, "Europe/Berlin")
    lead = client_as("lead")
    assert _log_1on1(lead, org.eng, "2026-12-01T10:00").status_code == 302
    assert _held(db, org.eng) == datetime(2026, 12, 1, 9, 0)  # CET: UTC+1
    meeting = db.scalar(select(Meeting).where(Meeting.member_id == org.eng.id))

    page = lead.get(f"/sessions/{meeting.id}").get_data(as_text=True)
    assert "Tuesday 01 December 2026, 10:00" in page
    form = lead.get(f"/sessions/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-01T10:00"' in form
    # Saved unchanged, it stays at the same instant (not moved by the zone again).
    saved = lead.form(
        f"/sessions/{meeting.id}/edit",
        {"kind": "one_on_one", "held_at": "2026-12-01T10:00", "duration_minutes": "45"},
    )
    assert saved.status_code == 302
    assert _held(db, org.eng) == datetime(2026, 12, 1, 9, 0)

    # The engineer in UTC reads the same instant as 09:00.
    eve = client_as("engineer")
    assert "Tuesday 01 December 2026, 09:00" in eve.get(f"/sessions/{meeting.id}").get_data(
        as_text=True
    )


def test_summer_time_is_counted(app, org, db, client_as):
    app.config["TRACKER_NOW"] = datetime(2026, 6, 1, 12)
    _zone(db, org.lead, "Europe/Berlin")
    assert _log_1on1(client_as("lead"), org.eng, "2026-07-01T10:00").status_code == 302
    assert _held(db, org.eng) == datetime(2026, 7, 1, 8, 0)  # CEST: UTC+2


def test_the_feed_carries_the_right_instant_and_the_leads_zone(app, org, db, client_as):
    app.config["TRACKER_NOW"] = datetime(2026, 11, 20, 12)
    _zone(db, org.lead, "Europe/Berlin")
    lead = client_as("lead")
    _log_1on1(lead, org.eng, "2026-12-01T10:00")
    feed = _feed(lead)
    assert str(feed["X-WR-TIMEZONE"]) == "Europe/Berlin"
    (event,) = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("session-")]
    start = event["DTSTART"].dt
    assert start.utcoffset().total_seconds() == 0  # written in UTC ("...Z")
    assert start.replace(tzinfo=None) == datetime(2026, 12, 1, 9, 0)
    assert b"DTSTART:20261201T090000Z" in event.to_ical()


def test_an_overdue_1on1_shows_in_the_feed_on_the_leads_today(
    app, org, db, client_as, make_session
):
    # Pat's last 1:1 was long ago: overdue, so the feed puts it on the lead's today.
    make_session(org.plain, org.lead, held_at=datetime(2026, 9, 1, 10))
    app.config["TRACKER_NOW"] = datetime(2026, 12, 1, 11, 30)  # Auckland: 2 December, 00:30
    _zone(db, org.lead, "Pacific/Auckland")
    lead = client_as("lead")
    url = _feed_url(lead)
    days = {str(e["UID"]): e["DTSTART"].dt for e in _feed(lead, url).walk("VEVENT")}
    assert days[f"next-1on1-{org.plain.id}@team-tracker"] == date(2026, 12, 2)
    _zone(db, org.lead, None)  # UTC: still 1 December
    days = {str(e["UID"]): e["DTSTART"].dt for e in _feed(lead, url).walk("VEVENT")}
    assert days[f"next-1on1-{org.plain.id}@team-tracker"] == date(2026, 12, 1)


def _section(page: str, start: str, end: str) -> str:
    return page.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def test_an_action_item_is_overdue_from_the_viewers_midnight(app, org, db, client_as, make_session):
    make_session(
        org.eng,
        org.lead,
        held_at=datetime(2026, 11, 20, 10),
        items=[("Ship it", "mentee", date(2026, 12, 1))],
    )
    _zone(db, org.lead, "Pacific/Auckland")  # UTC+13 in December
    lead, admin = client_as("lead"), client_as("admin")  # the admin: UTC, the default

    app.config["TRACKER_NOW"] = datetime(2026, 12, 1, 10, 30)  # Auckland: 1 December, 23:30
    assert "Ship it" not in _section(lead.get("/dashboard").get_data(as_text=True), "items-h", "x")
    app.config["TRACKER_NOW"] = datetime(2026, 12, 1, 11, 30)  # Auckland: 2 December, 00:30
    page = lead.get("/dashboard").get_data(as_text=True)
    assert "Wednesday 02 December 2026" in page
    assert "Ship it" in page.split('id="items-h"', 1)[1]
    # In UTC it is still 1 December: not overdue yet.
    admin_page = admin.get("/dashboard").get_data(as_text=True)
    assert "Tuesday 01 December 2026" in admin_page
    assert "Ship it" not in admin_page.split('id="items-h"', 1)[1]


def test_due_this_week_and_overdue_turn_at_the_viewers_midnight(
    app, org, db, client_as, make_session
):
    # Eve's last 1:1: 10 November, 10:00 in Los Angeles (18:00 UTC); every 21 days: due
    # 1 December.
    org.eng.cadence_days = 21
    db.commit()
    make_session(org.eng, org.lead, held_at=datetime(2026, 11, 10, 18))
    _zone(db, org.lead, "America/Los_Angeles")  # UTC-8
    app.config["TRACKER_NOW"] = datetime(2026, 12, 2, 5)  # LA: 1 December 21:00; UTC: 2nd

    lead_page = client_as("lead").get("/dashboard").get_data(as_text=True)
    assert "Eve Engineer" in _section(lead_page, "due-h", "first-h")  # due today, in LA
    assert "Eve Engineer" not in _section(lead_page, "overdue-h", "due-h")

    admin_page = client_as("admin").get("/dashboard").get_data(as_text=True)
    assert "Eve Engineer" in _section(admin_page, "overdue-h", "due-h")  # UTC: a day late
    assert "1 day overdue" in admin_page


def test_the_organisations_zone_applies_to_users_without_their_own(app, org, db, client_as):
    db.add(Organisation(id=1, time_zone="Europe/Berlin"))
    db.commit()
    app.config["TRACKER_NOW"] = datetime(2026, 11, 20, 12)
    lead = client_as("lead")
    assert _log_1on1(lead, org.eng, "2026-12-01T10:00").status_code == 302
    assert _held(db, org.eng) == datetime(2026, 12, 1, 9, 0)
    # The new-session form starts at now, in Berlin: 13:00.
    form = lead.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert 'value="2026-11-20T13:00"' in form
    # A user's own zone wins over the organisation's.
    _zone(db, org.lead, "Asia/Tokyo")
    form = lead.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert 'value="2026-11-20T21:00"' in form


def test_an_item_due_on_the_sessions_local_day_is_accepted(app, org, db, client_as, make_session):
    # Held at 23:30 UTC on 30 November: 1 December in Berlin, where the lead is.
    s = make_session(org.eng, org.lead, held_at=datetime(2026, 11, 30, 23, 30))
    _zone(db, org.lead, "Europe/Berlin")
    response = client_as("lead").form(
        f"/sessions/{s.id}/items", {"text": "Same day", "owner": "mentee", "due_date": "2026-12-01"}
    )
    assert response.status_code == 302


def test_a_sprints_days_left_and_a_milestones_overdue_mark_turn_at_the_viewers_midnight(
    app, org, db, client_as, make_sprint, make_project, make_milestone
):
    sprint = make_sprint(org.team, date(2026, 12, 1), state="active", name="Summit")  # to the 14th
    project = make_project(org.team, "Feature store")
    make_milestone(project, "Backfill", sprint=sprint, owner=org.eng, due_date=date(2026, 12, 1))
    app.config["TRACKER_NOW"] = datetime(2026, 12, 1, 11, 30)  # Auckland: 2 December, 00:30
    url = f"/teams/{org.team.id}/delivery"

    assert "14 days left" in client_as("lead").get(url).get_data(as_text=True)  # UTC
    eve = client_as("engineer")
    assert "overdue</span>" not in eve.get("/me").get_data(as_text=True)

    _zone(db, org.lead, "Pacific/Auckland")
    _zone(db, db.get(type(org.lead), org.eng.user_id), "Pacific/Auckland")
    assert "13 days left" in client_as("lead").get(url).get_data(as_text=True)
    assert "overdue</span>" in eve.get("/me").get_data(as_text=True)


def test_a_time_the_clocks_skip_is_refused_with_the_typing_kept(app, org, db, client_as):
    app.config["TRACKER_NOW"] = datetime(2026, 3, 1, 12)
    _zone(db, org.lead, "Europe/Berlin")  # 29 March 2026: 02:00 becomes 03:00
    response = _log_1on1(client_as("lead"), org.eng, "2026-03-29T02:30")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Date and time: 2026-03-29 02:30 does not exist in Europe/Berlin" in page
    assert 'value="2026-03-29T02:30"' in page
    assert _held(db, org.eng) is None
