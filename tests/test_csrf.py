"""CSRF: every state-changing route refuses a POST without a token, with a token signed by
another secret, or with another session's token (400, nothing written, still logged in), for
someone who would otherwise be allowed; the very same POST with the right token goes through.
"""

from __future__ import annotations

import io
import secrets
from datetime import date, timedelta
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text

from tests.conftest import PASSWORD, login
from tracker.db import Base

NEW_PASSWORD = "violet-otter-lantern-94"
SMALL_FRAMEWORK = b"""format: team-tracker/framework@1
name: CSRF test framework
scale:
  - {value: 1, label: Aware}
  - {value: 2, label: Working}
levels:
  - {name: Junior}
  - {name: Senior}
categories:
  - key: delivery
    name: Delivery
    competencies:
      - key: shipping
        name: Shipping
        levels:
          Junior: {expected: 1, descriptor: Ships small changes.}
          Senior: {expected: 2, descriptor: Ships large changes.}
"""
JIRA_CSV = b"Issue key,Summary,Status,Due date\nML-1,Imported milestone,In Progress,2026-03-12\n"


@pytest.fixture
def world(app, db, org, framework, plan, one_on_one, delivery, make_member, make_sprint, make_user):
    """The org with a session, an item, a plan, delivery, a planned sprint, a second framework,
    a member to invite, an invitation waiting to be accepted, a second admin and two password
    resets waiting for approval (asked by the second admin)."""
    from tracker.auth.links import requests, reset
    from tracker.auth.sessions import LoginSession, start
    from tracker.competencies.models import Competency
    from tracker.frameworks import io as fio
    from tracker.team.invites import invite_member

    today = date.today()
    later = make_sprint(org.team, today + timedelta(days=60), name="Later")
    invitee = make_member(org.team, "Ivy Invitee", email="ivy@example.com")
    admin2 = make_user("admin", email="admin2@example.com", name="Ari Admin")
    with app.app_context():
        _link, invite_token = invite_member(db, org.plain, org.lead)
        assert reset(db, org.lead, admin2) is None and reset(db, org.other_lead, admin2) is None
        waiting = {r.user_id: r.id for r in requests(db)}
        second = fio.import_framework(db, fio.parse_framework(SMALL_FRAMEWORK, "f.yaml")).framework
        # The lead is logged in on two more devices: one to end, one for "end the others".
        for device in ("Phone", "Laptop"):
            start(db, org.lead, False, "10.0.0.1", device)
    db.commit()
    phone = db.scalar(select(LoginSession.id).where(LoginSession.user_agent == "Phone"))
    comp = db.scalar(
        select(Competency)
        .where(Competency.key == "python-programming")
        .order_by(Competency.id.desc())
    )
    return SimpleNamespace(
        org=org,
        today=today,
        session=one_on_one,
        item=one_on_one.items[0],
        goal=plan.goals[0],
        later=later,
        invitee=invitee,
        invite_token=invite_token,
        lead_reset=waiting[org.lead.id],
        other_reset=waiting[org.other_lead.id],
        second_framework=second,
        comp=comp,
        framework_id=framework.framework_id,
        phone=phone,
    )


def _d(day: date) -> str:
    return day.isoformat()


class Post(NamedTuple):
    """A POST someone may make: who, where, what; the status it gets with a valid token and
    whether it then writes."""

    endpoint: str
    actor: str
    url: str
    data: dict = {}
    status: int = 302
    writes: bool = True


# Every POST route, in an order where each valid POST still makes sense after the ones before.
def _posts(w) -> list[Post]:
    o, t = w.org, w.today
    eve_user = o.eng.user_id
    cid = w.comp.id

    def member_form(**kw):
        data = {
            "name": "Pat Plain",
            "email": "pat@example.com",
            "job_title": "MLE",
            "level": "Entry",
            "start_date": "2024-01-15",
            "cadence_days": "21",
            "team_id": str(o.team.id),
        }
        return data | kw

    return [
        Post("auth.login", "anon", "/login", {"email": "lead@example.com", "password": PASSWORD}),
        # The invitee's browser opened the invitation first (see _clients).
        Post(
            "auth.welcome",
            "invitee",
            "/welcome",
            {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        Post(
            "auth.new_user",
            "admin",
            "/admin/users/new",
            {"email": "new@example.com", "name": "New Person", "role": "engineer"},
            status=200,
        ),
        Post(
            "auth.edit_user",
            "admin",
            f"/admin/users/{eve_user}",
            {"name": "Eve Renamed", "role": "engineer"},
        ),
        Post("auth.deactivate_user", "admin", f"/admin/users/{eve_user}/deactivate"),
        Post("auth.reactivate_user", "admin", f"/admin/users/{eve_user}/reactivate"),
        Post("auth.reset_password", "admin", f"/admin/users/{eve_user}/reset", status=200),
        Post("auth.approve_reset", "admin", f"/admin/resets/{w.lead_reset}/approve", status=200),
        Post("auth.cancel_reset", "admin", f"/admin/resets/{w.other_reset}/cancel"),
        Post("auth.dismiss_notices", "lead", "/account/notices/dismiss"),
        Post(
            "frameworks.import_upload",
            "admin",
            "/admin/frameworks/import",
            {"file": (SMALL_FRAMEWORK.replace(b"CSRF test", b"Another"), "f.yaml")},
            status=200,
            writes=False,
        ),
        Post(
            "frameworks.import_confirm",
            "admin",
            "/admin/frameworks/import/confirm",
            {
                "content": SMALL_FRAMEWORK.replace(b"CSRF test", b"Another").decode(),
                "filename": "f.yaml",
                "make_default": "",
            },
        ),
        Post(
            "frameworks.make_default", "admin", f"/admin/frameworks/{w.second_framework.id}/default"
        ),
        Post("frameworks.make_default", "admin", f"/admin/frameworks/{w.framework_id}/default"),
        Post(
            "team.new_team",
            "lead",
            "/teams/new",
            {
                "name": "New Team",
                "leads": str(o.lead.id),
                "framework_id": "0",
                "sprint_length_days": "14",
            },
        ),
        Post(
            "team.edit_team",
            "lead",
            f"/teams/{o.team.id}/edit",
            {
                "name": "ML Platform",
                "leads": str(o.lead.id),
                "framework_id": "0",
                "sprint_length_days": "10",
            },
        ),
        Post(
            "team.new_member",
            "lead",
            f"/teams/{o.team.id}/members/new",
            member_form(name="Nina New", email="nina@example.com"),
        ),
        Post(
            "team.edit_member",
            "lead",
            f"/members/{o.plain.id}/edit",
            member_form(name="Pat Renamed"),
        ),
        Post("team.archive_member", "lead", f"/members/{w.invitee.id}/archive"),
        Post("team.restore_member", "lead", f"/members/{w.invitee.id}/restore"),
        Post("team.invite_member", "lead", f"/members/{w.invitee.id}/invite", status=200),
        Post(
            "competencies.rate",
            "lead",
            f"/members/{o.eng.id}/ratings",
            {
                "category_id": str(w.comp.category_id),
                f"c{cid}": "3",
                f"n{cid}": "Shown in review",
                f"u{cid}": "",
            },
        ),
        Post(
            "plans.plan",
            "lead",
            f"/members/{o.eng.id}/plan",
            {"target_level": "Lead", "target_date": "2027-12-31", "summary": "Aim higher"},
        ),
        Post(
            "plans.add_goal",
            "lead",
            f"/members/{o.eng.id}/plan/goals",
            {
                "title": "Write a design doc",
                "competency_key": "",
                "target_proficiency": "",
                "due_date": "",
            },
        ),
        Post(
            "plans.gap_goal",
            "lead",
            f"/members/{o.eng.id}/plan/gap-goal",
            {"competency_key": "python-programming"},
        ),
        Post(
            "plans.edit_goal",
            "lead",
            f"/goals/{w.goal.id}/edit",
            {
                "title": "Own the feature store",
                "status": "done",
                "competency_key": "",
                "target_proficiency": "",
                "due_date": "",
            },
        ),
        Post("plans.add_comment", "lead", f"/goals/{w.goal.id}/comments", {"body": "Well done"}),
        Post(
            "mentoring.new_session",
            "lead",
            f"/members/{o.eng.id}/sessions/new",
            {
                "kind": "one_on_one",
                "held_at": f"{_d(t)}T09:00",
                "duration_minutes": "30",
                "mood": "",
            },
        ),
        Post(
            "mentoring.edit_session",
            "lead",
            f"/sessions/{w.session.id}/edit",
            {"kind": "career", "held_at": "2026-11-02T10:00", "duration_minutes": "45", "mood": ""},
        ),
        Post(
            "mentoring.add_item",
            "lead",
            f"/sessions/{w.session.id}/items",
            {"text": "Follow up", "owner": "lead", "due_date": ""},
        ),
        Post("mentoring.item_done", "lead", f"/items/{w.item.id}/done"),
        Post("mentoring.item_reopen", "lead", f"/items/{w.item.id}/reopen"),
        Post("mentoring.reset_calendar", "lead", "/calendar/reset", status=200),
        Post(
            "sprints.new_project",
            "lead",
            f"/teams/{o.team.id}/projects/new",
            {"name": "Search", "status": "active", "owner_id": ""},
        ),
        Post(
            "sprints.edit_project",
            "lead",
            f"/projects/{o.project.id}/edit",
            {"name": "Feature store", "status": "on hold", "owner_id": str(o.mate.id)},
        ),
        Post(
            "sprints.new_milestone",
            "lead",
            f"/projects/{o.project.id}/milestones/new",
            {"title": "Launch", "status": "planned", "owner_id": "", "sprint_id": ""},
        ),
        Post(
            "sprints.edit_milestone",
            "lead",
            f"/milestones/{o.milestone.id}/edit",
            {
                "title": "Backfill",
                "status": "in progress",
                "owner_id": str(o.eng.id),
                "sprint_id": str(o.sprint.id),
                "due_date": _d(t),
            },
        ),
        Post(
            "sprints.new_sprint",
            "lead",
            f"/teams/{o.team.id}/sprints/new",
            {
                "name": "Far",
                "start_date": _d(t + timedelta(days=100)),
                "end_date": _d(t + timedelta(days=113)),
                "goal": "",
            },
        ),
        Post(
            "sprints.edit_sprint",
            "lead",
            f"/sprints/{o.sprint.id}/edit",
            {
                "name": "Now",
                "start_date": _d(o.sprint.start_date),
                "end_date": _d(o.sprint.end_date),
                "goal": "Ship it",
            },
        ),
        Post(
            "sprints.close_sprint",
            "lead",
            f"/sprints/{o.sprint.id}/close",
            {"start_next": "", "carry_reason": "", f"action_{o.milestone.id}": "carry"},
        ),
        Post("sprints.start_sprint", "lead", f"/sprints/{w.later.id}/start"),
        Post(
            "delivery.import_upload",
            "lead",
            f"/teams/{o.team.id}/delivery/import",
            {"file": (JIRA_CSV, "jira.csv"), "project": ""},
            status=200,
            writes=False,
        ),
        Post(
            "delivery.import_confirm",
            "lead",
            f"/teams/{o.team.id}/delivery/import/confirm",
            {"content": JIRA_CSV.decode(), "project": ""},
        ),
        Post("auth.end_session", "lead", f"/account/sessions/{w.phone}/end"),
        Post("auth.end_other_sessions", "lead", "/account/sessions/end-others"),
        Post(
            "auth.account",
            "lead",
            "/account",
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
        Post("auth.logout_everywhere", "lead", "/account/logout-everywhere"),
        Post("auth.logout", "admin", "/logout"),  # ends its login row, server-side
    ]


def _payload(data: dict) -> dict:
    """A fresh copy (uploaded files are streams, read once)."""
    return {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}


def snapshot(db) -> dict[str, object]:
    """Every row of every table, so an UPDATE counts as a write as much as an INSERT (on
    PostgreSQL a count and a digest of the rows per table, in one round trip)."""
    db.commit()
    tables = [t.name for t in Base.metadata.sorted_tables]
    if db.get_bind().dialect.name == "postgresql":
        digest = " UNION ALL ".join(
            f"SELECT '{name}', count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY "
            f"r::text), '')) FROM \"{name}\" r"
            for name in tables
        )
        state = {name: (n, h) for name, n, h in db.execute(text(digest))}
    else:
        state = {}
        for table in Base.metadata.sorted_tables:
            rows = db.execute(select(table).order_by(*table.primary_key.columns)).all()
            state[table.name] = [tuple(r) for r in rows]
    db.commit()
    return state


def _diff(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _raw_token(client) -> str:
    with client.session_transaction() as sess:
        return sess.setdefault("csrf_token", secrets.token_hex(20))


def _bad_token(client, variant: str) -> dict:
    if variant == "missing":
        return {}
    if variant == "empty":
        return {"csrf_token": ""}
    if variant == "other-secret":  # the session's own raw token, signed with another key
        signer = URLSafeTimedSerializer("not-" + secrets.token_hex(16), salt="wtf-csrf-token")
        return {"csrf_token": signer.dumps(_raw_token(client))}
    assert variant == "other-session"  # a genuine token of this app, for another session
    secret = client.application.config["SECRET_KEY"]
    signer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
    return {"csrf_token": signer.dumps(secrets.token_hex(20))}


def _clients(app, world) -> dict:
    clients = {"anon": app.test_client(), "invitee": app.test_client()}
    # An invitation opened in this browser, so that its set-password form can be posted.
    assert clients["invitee"].get(f"/welcome/{world.invite_token}").status_code == 302
    for actor, email in (("lead", "lead@example.com"), ("admin", "admin@example.com")):
        clients[actor] = app.test_client()
        assert login(clients[actor], email).status_code == 302
    for client in clients.values():
        client.csrf_token()  # the session holds a raw token, as after any page with a form
    return clients


def test_every_post_route_is_covered(app, world):
    """A new state-changing route fails here until it has a CSRF case below."""
    posted = {endpoint for endpoint, *_ in _posts(world)}
    routes = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert routes == posted, f"missing: {sorted(routes - posted)}; stale: {sorted(posted - routes)}"


ACTOR = {
    "anon": "anonymous",
    "invitee": "anonymous",
    "lead": "Lee Lead <lead@example.com>",
    "admin": "Ada Admin <admin@example.com>",
}


def _refusals(db) -> list:
    from tracker.auditing import AuditEvent

    db.commit()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "refused")))


@pytest.mark.parametrize("variant", ["missing", "empty", "other-secret", "other-session"])
def test_post_without_a_valid_token_is_refused_and_writes_nothing(app, db, world, variant):
    """Nothing is written but the refusal's own audit row: exactly one, naming who and which
    route, and nothing of what the form carried (passwords, notes, names)."""
    clients = _clients(app, world)
    before = snapshot(db)
    for endpoint, actor, url, data, _status, _writes in _posts(world):
        client = clients[actor]
        seen = len(_refusals(db))
        r = client.post(url, data={**_payload(data), **_bad_token(client, variant)})
        assert r.status_code == 400, f"{endpoint} {url} with a {variant} token: {r.status_code}"
        assert b"Reload the page" in r.data, endpoint  # the CSRF error page, not a form error
        changed = [t for t in _diff(before, snapshot(db)) if t != "audit_event"]
        assert not changed, f"{endpoint} with a {variant} token wrote to {changed}"
        new = _refusals(db)[seen:]
        assert len(new) == 1, f"{endpoint}: {len(new)} audit rows for one refusal"
        assert new[0].actor == ACTOR[actor] and "POST " in new[0].summary, endpoint
        assert f"({endpoint})" in new[0].summary and "CSRF" in new[0].summary
        sent = [v for v in data.values() if isinstance(v, str) and len(v) > 3]
        assert not [v for v in sent if v in new[0].summary], f"{endpoint}: form data logged"
        assert world.invite_token not in new[0].summary  # a token in the path stays out
    # Nobody was logged out or logged in by the refused POSTs.
    assert clients["lead"].get("/account").status_code == 200
    assert clients["admin"].get("/account").status_code == 200
    assert clients["anon"].get("/account").status_code == 302


def test_a_token_in_the_header_is_checked_too(app, db, world):
    """Flask-WTF also reads X-CSRFToken: a forged one there is refused like in the form."""
    clients = _clients(app, world)
    before = snapshot(db)
    lead = clients["lead"]
    forged = _bad_token(lead, "other-secret")["csrf_token"]
    r = lead.post("/calendar/reset", headers={"X-CSRFToken": forged})
    assert r.status_code == 400
    assert [t for t in _diff(before, snapshot(db)) if t != "audit_event"] == []
    assert len(_refusals(db)) == 1


def test_the_same_posts_with_a_valid_token_go_through(app, db, world):
    """The control: each refused POST above is one the actor may make, and it writes."""
    clients = _clients(app, world)
    for endpoint, actor, url, data, status, writes in _posts(world):
        client = clients[actor]
        before = snapshot(db)
        r = client.form(url, _payload(data))
        assert r.status_code == status, f"{endpoint} {url}: {r.status_code}"
        changed = _diff(before, snapshot(db))
        assert bool(changed) == writes, f"{endpoint}: expected writes={writes}, changed {changed}"
    assert clients["invitee"].get("/account").status_code == 200  # logged in by auth.welcome
    # Logged in as the lead by auth.login, then out with every session of the lead.
    assert clients["anon"].get("/account").status_code == 302
    assert clients["lead"].get("/account").status_code == 302  # logged out everywhere
    assert clients["admin"].get("/account").status_code == 302  # logged out
