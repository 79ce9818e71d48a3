"""1:1 sessions, private notes, action items that carry over, the timeline and the dashboard."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tests.conftest import count_queries, login
from tracker.db import utcnow
from tracker.mentoring.models import ActionItem, Meeting

PRIVATE = "PRIVATE-CANARY-7f3a"


def _session_form(**overrides):
    data = {
        "kind": "one_on_one",
        "held_at": "2026-11-20T10:00",
        "duration_minutes": "30",
        "agenda": "Career goals",
        "shared_notes": "We agreed on **Spark** training.",
        "private_notes": f"{PRIVATE} worried about burnout",
        "mood": "4",
    }
    data.update(overrides)
    return data


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_lead_logs_a_session_with_shared_and_private_notes(client_as, org, db, framework):
    client = client_as("lead")
    r = client.get(f"/members/{org.eng.id}/sessions/new")
    assert r.status_code == 200
    html = r.data.decode()
    assert "visible to you and Eve" in html and "only you" in html
    r = client.form(f"/members/{org.eng.id}/sessions/new", _session_form())
    assert r.status_code == 302
    s = db.scalar(select(Meeting))
    assert s.mentor_id == org.lead.id and s.mood == 4 and PRIVATE in s.private_notes
    page = client.get(r.headers["Location"]).data.decode()
    assert "<strong>Spark</strong>" in page and PRIVATE in page


def test_engineer_sees_shared_notes_never_private(client_as, org, db, make_session):
    s = make_session(org.eng, org.lead, shared="Shared plan", private=f"{PRIVATE} burnout")
    client = client_as("engineer")
    for url in (f"/sessions/{s.id}", f"/members/{org.eng.id}/sessions", "/me"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert PRIVATE not in r.data.decode(), url
    assert "Shared plan" in client.get(f"/sessions/{s.id}").data.decode()
    # Searching for a word only in the private notes finds nothing for her.
    r = client.get(f"/members/{org.eng.id}/sessions?q=burnout")
    assert f"/sessions/{s.id}" not in r.data.decode() and "No sessions match" in r.data.decode()


def test_private_notes_only_for_their_author(app, client_as, org, db, make_session, make_user):
    s = make_session(org.eng, org.lead, private=PRIVATE)
    co_lead = make_user("lead", email="co@example.com")
    org.team.leads.append(co_lead)
    db.commit()
    for email in ("co@example.com", "admin@example.com"):
        c = app.test_client()
        login(c, email)
        r = c.get(f"/sessions/{s.id}")
        assert r.status_code == 200 and PRIVATE not in r.data.decode(), email
        assert c.get(f"/sessions/{s.id}/edit").status_code == 403, email
        r = c.get(f"/members/{org.eng.id}/sessions?q={PRIVATE[:10]}")
        assert PRIVATE not in r.data.decode() and "No sessions match" in r.data.decode()
    client = client_as("lead")
    r = client.get(f"/members/{org.eng.id}/sessions?q=canary")
    assert f"/sessions/{s.id}" in r.data.decode()  # the author finds it by private notes


def test_other_lead_and_other_engineer_get_404(app, client_as, org, make_session):
    s = make_session(org.eng, org.lead, private=PRIVATE)
    for email in ("other@example.com", "max@example.com", "sol@example.com"):
        c = app.test_client()
        login(c, email)
        assert c.get(f"/sessions/{s.id}").status_code == 404, email
        assert c.get(f"/members/{org.eng.id}/sessions").status_code == 404, email
    c = client_as("other@example.com")
    assert c.get(f"/members/{org.eng.id}/sessions/new").status_code == 404  # another team's mentee
    assert c.form(f"/members/{org.eng.id}/sessions/new", _session_form()).status_code == 404
    assert c.form(f"/sessions/{s.id}/items", {"text": "x", "owner": "mentee"}).status_code == 404


def test_engineer_cannot_log_or_edit_sessions(client_as, org, make_session):
    s = make_session(org.eng, org.lead)
    client = client_as("engineer")
    assert client.get(f"/members/{org.eng.id}/sessions/new").status_code == 403
    assert client.get(f"/sessions/{s.id}/edit").status_code == 403
    assert (
        client.form(f"/sessions/{s.id}/items", {"text": "x", "owner": "mentee"}).status_code == 403
    )


def test_future_session_is_scheduled_not_logged(client_as, org, db, framework):
    client = client_as("lead")
    when = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.form(
        f"/members/{org.eng.id}/sessions/new", _session_form(held_at=when), follow_redirects=True
    )
    assert "Session scheduled." in r.data.decode() and "<mark>scheduled</mark>" in r.data.decode()


def test_bad_session_input_is_named_and_kept(client_as, org, db, framework):
    client = client_as("lead")
    r = client.form(
        f"/members/{org.eng.id}/sessions/new",
        _session_form(held_at="not a date", duration_minutes="0", mood="9", kind="party"),
    )
    html = r.data.decode()
    assert r.status_code == 200
    assert "Not a valid datetime value." in html and "Number must be between 1 and 600." in html
    assert "Not a valid choice." in html
    assert PRIVATE in html  # what was typed is kept
    assert _count(db, Meeting) == 0
    r = client.form(f"/members/{org.eng.id}/sessions/new", _session_form(competency_ids="999999"))
    assert "is not a valid choice for this field" in r.data.decode()
    assert _count(db, Meeting) == 0


def test_archived_member_gets_no_new_session(client_as, org, db, framework):
    client = client_as("lead")
    client.form(f"/members/{org.eng.id}/archive")
    r = client.form(f"/members/{org.eng.id}/sessions/new", _session_form())
    assert "archived" in r.data.decode()
    assert _count(db, Meeting) == 0


def test_action_items_carry_over_into_the_next_session(client_as, org, db, make_session):
    first = make_session(org.eng, org.lead, held_at=datetime(2026, 10, 1, 10))
    client = client_as("lead")
    r = client.form(
        f"/sessions/{first.id}/items",
        {"text": "Finish the Spark course", "owner": "mentee", "due_date": "2026-10-15"},
    )
    assert r.status_code == 302
    make_session(org.eng, org.lead, held_at=datetime(2026, 10, 15, 10))
    # Starting the next session: the open item is on top and pre-filled in the agenda.
    html = client.get(f"/members/{org.eng.id}/sessions/new").data.decode()
    assert "Open from earlier sessions" in html and "Finish the Spark course" in html
    assert "carried 1 session" in html and "days overdue" in html
    agenda = html[html.index('name="agenda"') :]
    agenda = agenda[: agenda.index("</textarea>")]
    assert "Finish the Spark course" in agenda and "carried 1 session" in agenda
    item = db.scalar(select(ActionItem))
    assert item.session_id == first.id  # still linked to the session that made it
    # Ticked off from there: it no longer carries over.
    client.form(f"/items/{item.id}/done", {"next": "/dashboard"})
    html = client.get(f"/members/{org.eng.id}/sessions/new").data.decode()
    assert "Open from earlier sessions" not in html


def test_action_item_due_before_the_session_is_rejected(client_as, org, db, make_session):
    s = make_session(org.eng, org.lead, held_at=datetime(2026, 10, 1, 10))
    client = client_as("lead")
    r = client.form(
        f"/sessions/{s.id}/items",
        {"text": "Backdated", "owner": "mentee", "due_date": "2026-09-30"},
    )
    assert r.status_code == 400 and "is before the session" in r.data.decode()
    assert 'value="Backdated"' in r.data.decode()
    assert _count(db, ActionItem) == 0


def test_engineer_ticks_off_own_items_only(client_as, org, db, make_session):
    s = make_session(org.eng, org.lead, items=[("Mine", "mentee", None), ("Lead's", "lead", None)])
    mine, leads = db.scalars(select(ActionItem).order_by(ActionItem.id)).all()
    other = make_session(org.mate, org.lead, items=[("Max's", "mentee", None)]).items[0]
    client = client_as("engineer")
    assert client.form(f"/items/{mine.id}/done").status_code == 302
    assert client.form(f"/items/{leads.id}/done").status_code == 403
    assert client.form(f"/items/{other.id}/done").status_code == 404
    db.expire_all()
    assert [i.done for i in db.scalars(select(ActionItem).order_by(ActionItem.id))] == [
        True,
        False,
        False,
    ]
    assert client.form(f"/items/{mine.id}/reopen").status_code == 302
    assert not db.get(ActionItem, mine.id).done
    assert s.id


def test_hostile_notes_render_inert(client_as, org, make_session):
    hostile = (
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a> '
        '<iframe src="//evil"></iframe>'
    )
    s = make_session(org.eng, org.lead, shared=hostile, agenda=hostile, private=hostile)
    client = client_as("lead")
    html = client.get(f"/sessions/{s.id}").data.decode()
    body = html[html.index("<main") :]
    assert "<script>alert" not in body and "<img" not in body and "<iframe" not in body
    # Every payload is shown as text, never as markup: no tag, handler or javascript: link.
    assert '<a href="javascript:' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "[click](javascript:alert(3))" in body  # markdown refused to make it a link


def test_timeline_filters_by_kind_competency_and_text(client_as, org, db, make_session, framework):
    from tracker.competencies.models import Competency

    a = make_session(
        org.eng, org.lead, kind="career", shared="Talked promotion", held_at=datetime(2026, 9, 1, 9)
    )
    b = make_session(org.eng, org.lead, shared="Spark pipeline", held_at=datetime(2026, 10, 1, 9))
    comp = db.scalar(select(Competency).where(Competency.key == "large-scale-processing"))
    if comp is None:
        comp = db.scalar(select(Competency).limit(1))
    b.competencies.append(comp)
    db.commit()
    client = client_as("lead")
    base = f"/members/{org.eng.id}/sessions"
    html = client.get(base).data.decode()
    assert html.index(f"/sessions/{b.id}") < html.index(f"/sessions/{a.id}")  # newest first
    html = client.get(base + "?kind=career").data.decode()
    assert f"/sessions/{a.id}" in html and f'/sessions/{b.id}"' not in html
    html = client.get(base + f"?competency={comp.key}").data.decode()
    assert f"/sessions/{b.id}" in html and f'/sessions/{a.id}"' not in html
    html = client.get(base + "?q=PROMOTION").data.decode()
    assert f"/sessions/{a.id}" in html and f'/sessions/{b.id}"' not in html
    assert client.get(base + "?q=%25_%5C").status_code == 200  # LIKE wildcards are literal


def test_dashboard_lists_overdue_and_due_1on1s_and_items(client_as, org, db, make_session):
    now = utcnow()
    make_session(org.eng, org.lead, held_at=now - timedelta(days=30))  # cadence 14: overdue 16
    make_session(
        org.mate,
        org.lead,
        held_at=now - timedelta(days=10),
        items=[("Write the design doc", "mentee", now.date() - timedelta(days=2))],
    )
    client = client_as("lead")
    html = client.get("/dashboard").data.decode()
    overdue = html[html.index("1:1s overdue") : html.index("Due this week")]
    assert "Eve Engineer" in overdue and "16 days overdue" in overdue
    soon = html[html.index("Due this week") : html.index("Action items past")]
    assert "Max Mate" in soon
    assert "Write the design doc" in html
    assert "Sol Stranger" not in html  # another team


def test_home_sends_leads_to_the_dashboard_and_engineers_to_their_growth(client_as, org):
    client = client_as("lead")
    assert client.get("/").headers["Location"].endswith("/dashboard")
    c = client_as("engineer")
    assert c.get("/").headers["Location"].endswith("/me")
    assert c.get("/dashboard").status_code == 403


def test_dashboard_and_timeline_query_counts_do_not_grow(
    app, client_as, org, db, make_session, make_member
):
    app.extensions["tracker.pages"].size = 0  # count what rendering costs, not a cache hit
    client = client_as("lead")
    make_session(org.eng, org.lead, items=[("a", "mentee", date(2026, 1, 1))])
    urls = ["/dashboard", f"/members/{org.eng.id}/sessions", "/me"]
    counts = {}
    for url in urls[:2]:
        client.get(url)
        with count_queries(app) as n:
            client.get(url)
        counts[url] = n()
    for i in range(12):
        m = make_member(org.team, f"Extra {i}")
        make_session(
            m,
            org.lead,
            held_at=datetime(2026, 10, 1 + i, 9),
            items=[("x", "mentee", date(2026, 1, 1))],
        )
        make_session(
            org.eng,
            org.lead,
            held_at=datetime(2026, 9, 1 + i, 9),
            items=[("y", "lead", date(2026, 2, 1))],
        )
    for url in urls[:2]:
        with count_queries(app) as n:
            assert client.get(url).status_code == 200
        assert n() == counts[url], url


def test_calendar_feed_parses_and_reset_kills_the_old_url(client_as, org, db, make_session):
    from icalendar import Calendar

    s = make_session(
        org.eng,
        org.lead,
        held_at=utcnow() - timedelta(days=3),
        private=PRIVATE,
        shared="shared words",
        agenda="agenda words",
    )
    client = client_as("lead")
    html = client.get("/calendar").data.decode()
    start = html.index("http://tracker.test/calendar/")
    url = html[start : html.index('"', start)].replace("http://tracker.test", "")
    anon = client.application.test_client()
    r = anon.get(url)
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert f"session-{s.id}@team-tracker" in events
    assert f"next-1on1-{org.eng.id}@team-tracker" in events
    assert str(events[f"session-{s.id}@team-tracker"]["summary"]) == "1:1 with Eve Engineer"
    text = r.data.decode()
    for secret in (PRIVATE, "shared words", "agenda words"):
        assert secret not in text
    # Stable UIDs: the same feed twice has the same events.
    assert set(events) == {
        str(e["uid"]) for e in Calendar.from_ical(anon.get(url).data).walk("VEVENT")
    }
    client.form("/calendar/reset")
    assert anon.get(url).status_code == 404
    assert anon.get("/calendar/guess.ics").status_code == 404


def test_engineer_home_shows_items_and_shared_notes(client_as, org, make_session):
    make_session(
        org.eng,
        org.lead,
        shared="We agreed: **pairing** on Fridays",
        private=PRIVATE,
        items=[("Read the MLOps book", "mentee", None), ("Book the course", "lead", None)],
    )
    client = client_as("engineer")
    html = client.get("/me").data.decode()
    assert "<strong>pairing</strong>" in html and "Read the MLOps book" in html
    assert PRIVATE not in html
    assert html.count('aria-label="Tick off:') == 1  # only her own item has a button


def test_dashboard_home_and_feed_carry_delivery(client_as, org, delivery):
    from icalendar import Calendar

    client = client_as("lead")
    html = client.get("/dashboard").data.decode()
    assert "Active sprint:" in html and "Now" in html and "Backfill" in html
    feed_page = client.get("/calendar").data.decode()
    start = feed_page.index("/calendar/")
    url = feed_page[start : feed_page.index('"', start)]
    uids = {str(e["uid"]) for e in Calendar.from_ical(client.get(url).data).walk("VEVENT")}
    assert f"sprint-{org.sprint.id}@team-tracker" in uids
    assert f"milestone-{org.milestone.id}@team-tracker" in uids
    eve = client_as("engineer")
    assert "Backfill" in eve.get("/me").data.decode()  # the milestone she owns
