"""The audit log records logouts, "log out everywhere", ended sessions and every access refusal
(403s and CSRF failures): exactly one row each, with the actor and what was refused, and never
note text, a search term or a token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tracker.auditing import AuditEvent
from tracker.auth.models import User

SECRET = "AUDIT-REFUSAL-CANARY-7f3a"
ACTORS = {
    "lead@example.com": "Lee Lead <lead@example.com>",
    "eve@example.com": "Eve Engineer <eve@example.com>",
    "admin@example.com": "Ada Admin <admin@example.com>",
}


def _events(db, **where) -> list[AuditEvent]:
    db.commit()
    query = select(AuditEvent).order_by(AuditEvent.id)
    for k, v in where.items():
        query = query.where(getattr(AuditEvent, k) == v)
    return list(db.scalars(query))


def _new(db, seen: int) -> list[AuditEvent]:
    return _events(db)[seen:]


@pytest.mark.parametrize(
    "action, url, summary",
    [
        ("logout", "/logout", "session #"),
        ("logout everywhere", "/account/logout-everywhere", "2 sessions ended"),
        ("end session", "/account/sessions/{other}/end", "session #{other} from 127.0.0.1"),
        ("end other sessions", "/account/sessions/end-others", "1 sessions ended"),
    ],
)
def test_ending_sessions_is_audited_once(client_as, app, db, org, action, url, summary):
    from tracker.auth.sessions import LoginSession

    client_as("lead")  # another device of the lead's, logged in first
    client = client_as("lead")
    db.commit()
    other_id = db.scalar(select(func.min(LoginSession.id)))
    seen = len(_events(db))
    assert client.form(url.format(other=other_id)).status_code == 302
    new = _new(db, seen)
    assert [(e.action, e.actor, e.actor_id) for e in new] == [
        (action, ACTORS["lead@example.com"], org.lead.id)
    ]
    assert summary.format(other=other_id) in new[0].summary


# Who is refused where: role refusals (permissions.roles) and the views' own 403s, by GET and
# by POST; the form and the query string carry the canary, which must not reach the log.
REFUSALS = [
    ("eve@example.com", "GET", "/teams?q={secret}", "team.teams", "role engineer"),
    ("eve@example.com", "GET", "/admin/users", "auth.users", "role engineer"),
    ("eve@example.com", "GET", "/members/{eng}/edit", "team.edit_member", None),
    ("lead@example.com", "GET", "/admin/audit?actor={secret}", "audit.index", "role lead"),
    ("lead@example.com", "POST", "/admin/users/new", "auth.new_user", "role lead"),
    ("admin@example.com", "GET", "/sessions/{session}/edit", "mentoring.edit_session", None),
    ("admin@example.com", "POST", "/sessions/{session}/edit", "mentoring.edit_session", None),
    ("eve@example.com", "POST", "/members/{eng}/archive", "team.archive_member", None),
]


@pytest.mark.parametrize("email, method, url, endpoint, reason", REFUSALS)
def test_every_refusal_is_audited_once_without_what_was_sent(
    app, db, org, one_on_one, email, method, url, endpoint, reason
):
    client = app.test_client()
    login(client, email)
    url = url.format(secret=SECRET, eng=org.eng.id, session=one_on_one.id)
    seen = len(_events(db))
    if method == "GET":
        r = client.get(url)
    else:
        data = {"private_notes": SECRET, "shared_notes": SECRET, "name": SECRET}
        r = client.form(url, {**data, "email": f"{SECRET}@example.com", "role": "admin"})
    assert r.status_code == 403
    new = _new(db, seen)
    assert len(new) == 1, [e.summary for e in new]
    event = new[0]
    assert event.action == "refused" and event.actor == ACTORS[email]
    assert event.actor_id == db.scalar(select(User.id).where(User.email == email))
    path = url.split("?")[0]
    assert event.summary.startswith(f"403: {method} {path} ({endpoint})"), event.summary
    if reason:
        assert reason in event.summary
    assert SECRET not in event.summary and SECRET not in event.actor


def test_a_refused_get_keeps_the_page_cache_and_the_request_a_read(app, db, org):
    from tracker.cache import DataVersion

    pages = app.extensions["tracker.pages"]
    lead, eve = app.test_client(), app.test_client()
    login(lead, "lead@example.com")
    login(eve, "eve@example.com")
    first = lead.get("/dashboard").get_data(as_text=True)
    token = db.scalar(select(DataVersion.token))
    for _ in range(3):
        assert eve.get("/dashboard").status_code == 403
        hits = pages.hits
        assert lead.get("/dashboard").get_data(as_text=True) == first
        assert pages.hits == hits + 1
    assert db.scalar(select(DataVersion.token)) == token
    assert len(_events(db, action="refused")) == 3


def test_a_refusal_while_someone_else_writes_is_still_recorded(client_as, app, db, org, one_on_one):
    """A refused POST runs in a write transaction (SQLite: BEGIN IMMEDIATE); its audit row is
    written after that transaction has ended, so it neither waits on itself nor is lost."""
    admin = client_as("admin")
    for i in range(5):
        r = admin.form(f"/sessions/{one_on_one.id}/edit", {"private_notes": f"{SECRET} {i}"})
        assert r.status_code == 403
    events = _events(db, action="refused")
    assert len(events) == 5 and all(SECRET not in e.summary for e in events)
