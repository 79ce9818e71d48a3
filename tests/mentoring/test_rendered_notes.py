"""Notes are rendered once, when written, and pages serve the stored HTML: no view renders
Markdown. Every writer stores the HTML (the forms, the model, the demo and scale seeds, the
migration's backfill); notes over their cap are refused naming the field; the audit log names
note fields and their HTML, never their contents."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, insert, select, text, update

from tests.conftest import login
from tracker.auditing import AuditEvent
from tracker.db import utcnow
from tracker.mentoring import markdown
from tracker.mentoring.models import Meeting

NOTES = ("agenda", "shared_notes", "private_notes")
COSTLY = "![" * 10000


@pytest.fixture
def renders(monkeypatch):
    """Every Markdown parse and sanitiser pass from now on, counted (and really run)."""
    calls: list[str] = []
    parse, clean = markdown._md.render, markdown.sanitise
    monkeypatch.setattr(markdown._md, "render", lambda *a: calls.append("parse") or parse(*a))
    monkeypatch.setattr(markdown, "sanitise", lambda html: calls.append("clean") or clean(html))
    return calls


def assert_stored(db) -> int:
    """Every session's HTML is what the renderer makes of its notes; returns the rows seen."""
    db.expire_all()
    rows = db.scalars(select(Meeting)).all()
    for s in rows:
        for name in NOTES:
            assert getattr(s, f"{name}_html") == str(markdown.render(getattr(s, name))), name
    return len(rows)


def test_a_timeline_of_50_costly_notes_renders_nothing_per_view(
    app, client_as, db, org, make_session, renders
):
    start = utcnow() - timedelta(days=400)
    first = make_session(org.eng, org.lead, held_at=start, shared=COSTLY)
    assert renders == ["parse"]  # written: rendered once (over the budget: no sanitiser pass)
    # 48 more like it, their HTML copied as the model stored it (rendering each is slow).
    row = {c.key: getattr(first, c.key) for c in Meeting.__table__.columns}
    db.execute(
        insert(Meeting),
        [row | {"id": None, "held_at": start + timedelta(days=7 * i)} for i in range(1, 49)],
    )
    db.commit()
    sessions = [first, make_session(org.eng, org.lead, shared="**agreed** [doc](https://e.com)")]
    assert db.scalar(select(func.count()).select_from(Meeting)) == 50
    renders.clear()
    eve = client_as("engineer")
    client = client_as("lead")
    pages = [
        (client, f"/members/{org.eng.id}/sessions"),
        (eve, f"/members/{org.eng.id}/sessions"),
        (eve, "/me"),
        (client, f"/sessions/{sessions[0].id}"),
        (client, f"/sessions/{sessions[-1].id}"),
    ]
    for who, url in pages * 2:
        body = who.get(url).data.decode()
        assert str(markdown.plain(COSTLY)) in body or "<strong>agreed</strong>" in body, url
    assert renders == [], "a page rendered Markdown"


def test_pages_serve_the_stored_html_and_private_html_only_to_its_author(
    app, client_as, db, org, make_user, make_session, renders
):
    org.team.leads.append(make_user("lead", email="colead@example.com", name="Cora Colead"))
    s = make_session(org.eng, org.lead, agenda="a", shared="b", private="c")
    db.execute(
        update(Meeting)
        .where(Meeting.id == s.id)
        .values({f"{name}_html": f"<p>stored-{name}</p>" for name in NOTES})
    )
    db.commit()
    renders.clear()
    client = client_as("lead")
    body = client.get(f"/sessions/{s.id}").data.decode()
    assert all(f"<p>stored-{name}</p>" in body for name in NOTES)
    for email in ("eve@example.com", "colead@example.com", "admin@example.com"):
        other = app.test_client()
        login(other, email)
        body = other.get(f"/sessions/{s.id}").data.decode()
        assert "<p>stored-shared_notes</p>" in body and "stored-private_notes" not in body, email
        if email == "eve@example.com":
            assert "<p>stored-shared_notes</p>" in other.get("/me").data.decode()
    assert renders == []


FORM = {"kind": "one_on_one", "held_at": "2026-11-20T10:00", "duration_minutes": "30"}
SOURCES = {
    "agenda": "- **open** items\n- [doc](https://example.com)",
    "shared_notes": "| a | b |\n|---|---|\n| `x` | ~~y~~ |\n\n<script>alert(1)</script>",
    "private_notes": COSTLY,
}


def test_the_forms_store_the_html_of_what_they_save(client_as, db, org, framework):
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/sessions/new", FORM | SOURCES)
    assert r.status_code == 302
    assert assert_stored(db) == 1
    s = db.scalar(select(Meeting))
    assert "<strong>open</strong>" in s.agenda_html and s.private_notes_html.startswith("<p>![")
    before = s.agenda_html
    r = client.form(f"/sessions/{s.id}/edit", FORM | SOURCES | {"agenda": "*changed*"})
    assert r.status_code == 302 and assert_stored(db) == 1
    db.refresh(s)
    assert s.agenda_html != before and "<em>changed</em>" in s.agenda_html


def test_the_model_renders_whenever_a_note_is_set(db, org):
    s = Meeting(
        member_id=org.eng.id, mentor_id=org.lead.id, held_at=datetime(2026, 1, 5), **SOURCES
    )
    db.add(s)
    db.flush()
    assert s.agenda_html == str(markdown.render(SOURCES["agenda"]))
    for name in NOTES:
        setattr(s, name, f"**{name}**")
        assert getattr(s, f"{name}_html") == f"<p><strong>{name}</strong></p>\n"
        setattr(s, name, "")
        assert getattr(s, f"{name}_html") == ""
    db.commit()
    assert assert_stored(db) == 1


def test_the_demo_and_scale_seeds_store_the_html(app, db):
    from tracker.seed.demo import seed
    from tracker.seed.org import seed_scale

    with app.app_context():  # password hashing reads the app's settings
        seed(db, "demo-passphrase-1")
        seed_scale(db, teams=1, members=3, weeks=6, password="demo-passphrase-1")
    db.commit()
    assert assert_stored(db) > 10


TAMPERED = {"shared_notes_html": "<script>alert(1)</script>", "agenda_html": "<img src=x>"}


def test_render_notes_replaces_html_this_renderer_did_not_make(runner, db, org, make_session):
    s = make_session(org.eng, org.lead, agenda="**a**", shared="*b*", private="c")
    make_session(org.eng, org.lead, shared="untouched")
    db.execute(update(Meeting).where(Meeting.id == s.id).values(TAMPERED))
    db.commit()
    updated_at = db.scalar(select(Meeting.updated_at).where(Meeting.id == s.id))
    r = runner.invoke(args=["tracker", "render-notes"])
    assert r.exit_code == 0 and "1 session(s) changed" in r.output, r.output
    assert assert_stored(db) == 2
    assert db.get(Meeting, s.id).updated_at == updated_at  # not an edit
    assert "0 session(s) changed" in runner.invoke(args=["tracker", "render-notes"]).output


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite backups only")
def test_a_restored_backup_shows_only_html_this_renderer_made(
    runner, db, org, make_session, tmp_path
):
    s = make_session(org.eng, org.lead, agenda="**a**", shared="*b*", private="c")
    out = tmp_path / "backup.db"
    assert runner.invoke(args=["tracker", "backup", str(out)]).exit_code == 0
    with sqlite3.connect(out) as conn:
        conn.execute(
            "UPDATE mentoring_session SET shared_notes_html = ?, agenda_html = ? WHERE id = ?",
            (TAMPERED["shared_notes_html"], TAMPERED["agenda_html"], s.id),
        )
    r = runner.invoke(args=["tracker", "restore", str(out), "--yes"])
    assert r.exit_code == 0 and "1 session(s) changed" in r.output, r.output
    db.rollback()
    assert assert_stored(db) == 1


# --- caps --------------------------------------------------------------------------------------

CAPS = [("agenda", "Agenda", 5000), ("shared_notes", "Shared notes", 20000)]
CAPS.append(("private_notes", "Private notes", 20000))


@pytest.mark.parametrize(("name", "label", "limit"), CAPS)
@pytest.mark.parametrize("over", [1, 13, 20000])
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_a_note_over_its_cap_is_refused_naming_the_field(
    client_as, db, org, framework, make_session, name, label, limit, over, editing
):
    s = make_session(org.eng, org.lead, held_at=datetime(2026, 11, 20, 10)) if editing else None
    typed = ('<b>"tag" & ' + "word " * limit)[: limit + over]
    client = client_as("lead")
    url = f"/sessions/{s.id}/edit" if editing else f"/members/{org.eng.id}/sessions/new"
    r = client.form(url, FORM | {name: typed})
    body = r.data.decode()
    assert r.status_code == 200
    assert f"{label} can be at most {limit:,} characters (this has {limit + over})." in body
    assert str(escape(typed)) in body  # the typing is kept
    db.expire_all()
    rows = db.scalars(select(Meeting)).all()
    assert len(rows) == (1 if editing else 0) and all(getattr(x, name) == "" for x in rows)


@pytest.mark.parametrize(("name", "label", "limit"), CAPS)
def test_a_note_at_its_cap_is_saved_a_typed_line_break_counting_once(
    client_as, db, org, framework, name, label, limit
):
    lines = "line\r\n" * (limit // 5)
    typed = lines[: limit + limit // 5]  # over the cap in CRLFs, at it in line breaks
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/sessions/new", FORM | {name: typed})
    assert r.status_code == 302, r.data.decode()[-3000:]
    stored = getattr(db.scalar(select(Meeting)), name)
    assert stored == typed.replace("\r\n", "\n") and len(stored) <= limit


@pytest.mark.parametrize(("name", "label", "limit"), CAPS)
def test_the_service_refuses_an_over_long_note_naming_the_field(db, org, name, label, limit):
    from tracker.mentoring import services

    data = services.SessionData("one_on_one", datetime(2026, 11, 20), 30, **{name: "x" * limit})
    data_over = services.SessionData("one_on_one", datetime(2026, 11, 20), 30)
    setattr(data_over, name, "x" * (limit + 1))
    services.create_session(db, org.eng, org.lead, data, None)
    with pytest.raises(services.MentoringError) as error:
        services.create_session(db, org.eng, org.lead, data_over, None)
    assert error.value.field == name and str(error.value).startswith(label)


# --- the audit log -----------------------------------------------------------------------------


@pytest.mark.parametrize("shown_anyway", [False, True], ids=["as is", "sessions shown"])
def test_the_log_names_notes_and_their_html_never_their_contents(
    client_as, db, org, framework, monkeypatch, shown_anyway
):
    from tracker import auditing as audit

    if shown_anyway:  # a careless change: sessions no longer hidden, notes listed as shown
        monkeypatch.setattr(Meeting, "audit_values", True)
        monkeypatch.setattr(audit, "SHOWN", audit.SHOWN | audit.NOTE_FIELDS)
    client = client_as("lead")
    notes = {name: f"**MARK{i}** [MARK{i}](https://e.com/MARK{i})" for i, name in enumerate(NOTES)}
    assert client.form(f"/members/{org.eng.id}/sessions/new", FORM | notes).status_code == 302
    s = db.scalar(select(Meeting))
    changed = {name: text.replace("MARK", "EDIT") for name, text in notes.items()}
    assert client.form(f"/sessions/{s.id}/edit", FORM | changed).status_code == 302
    events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "session")).all()
    summaries = " ".join(e.summary for e in events)
    assert all(f"{name}_html changed" in summaries for name in NOTES)
    assert "MARK" not in summaries and "EDIT" not in summaries and "<" not in summaries
    raw = db.execute(text("SELECT summary FROM audit_event")).scalars().all()
    assert not [x for x in raw if "MARK" in x or "EDIT" in x]
