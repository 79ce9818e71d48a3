"""CSRF: every state-changing route refuses a POST without a token, with a token signed by
another secret, or with another session's token (400, nothing written, still logged in), for
someone who would otherwise be allowed; the very same POST with the right token goes through.
"""

from __future__ import annotations

import io
import secrets
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, text

from tests.conftest import login
from tests.route_table import ROUTES, SMALL_FRAMEWORK
from tracker.db import Base


@pytest.fixture
def world(
    app,
    db,
    org,
    framework,
    plan,
    one_on_one,
    delivery,
    make_member,
    make_sprint,
    make_user,
    agenda_template,
):
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
        template=agenda_template,
    )


# Every POST route's valid POSTs are its row's in tests/route_table.py, in the table's order.
def _posts(w) -> list[tuple]:
    """(endpoint, actor, url, data, status, writes) for every valid POST, in order."""
    return [(route.endpoint, *post) for route in ROUTES if route.posts for post in route.posts(w)]


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
