"""Audit rows always fit their columns: a user with the longest name and e-mail the app allows
(and wide characters in them) does audited writes through HTTP on both engines, never a 500,
and every text written to audit_event is cut to its column's length, read from the model."""

from __future__ import annotations

import pytest
from sqlalchemy import String, select

from tests.conftest import login
from tracker.auditing import AuditEvent
from tracker.competencies.models import Competency


def _email(local_char: str = "l") -> str:
    """A 254-character address (the column's and RFC 5321's limit), labels of at most 63."""
    domain = ".".join(["d" * 61, "e" * 61, "f" * 61]) + ".com"
    local = local_char * (254 - 1 - len(domain))
    email = f"{local}@{domain}"
    assert len(email) == 254
    return email


NAMES = {
    "ascii": "N" * 120,
    "accented": "É" * 120,  # two bytes each in UTF-8: columns count characters, not bytes
    "cjk": "名" * 120,
    "emoji": "😀" * 120,  # outside the BMP
    "spaced": ("Ann Marie " * 12)[:120],
}
TEXT_COLUMNS = {
    c.name: c.type.length
    for c in AuditEvent.__table__.columns
    if isinstance(c.type, String) and c.type.length
}


@pytest.fixture(params=list(NAMES), ids=list(NAMES))
def long_lead(request, app, db, org, make_user, framework):
    """A lead of org.team with a 120-character name and a 254-character e-mail, logged in."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    name = NAMES[request.param]
    user = make_user("lead", email=_email(), name=name)
    org.team.leads.append(user)
    db.commit()
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client, user


def _writes(client, org, db):
    """Audited writes of every kind a lead makes, as (what, response)."""
    comp = db.scalar(
        select(Competency)
        .where(Competency.key == "python-programming")
        .order_by(Competency.id.desc())
    )
    t, e = org.team.id, org.eng.id
    out = [
        (
            "session",
            client.form(
                f"/members/{e}/sessions/new",
                {"kind": "one_on_one", "held_at": "2026-11-02T10:00", "duration_minutes": "30"},
            ),
        ),
    ]
    session_id = int(out[0][1].headers["Location"].rsplit("/", 1)[1])
    item = client.form(f"/sessions/{session_id}/items", {"text": "Read", "owner": "mentee"})
    out.append(("item", item))
    from tracker.mentoring.models import ActionItem

    item_id = db.scalar(select(ActionItem.id).where(ActionItem.session_id == session_id))
    out += [
        ("tick", client.form(f"/items/{item_id}/done", {"next": "/"})),
        (
            "rating",
            client.form(
                f"/members/{e}/ratings",
                {"category_id": comp.category_id, f"c{comp.id}": "3", f"n{comp.id}": "ok"},
            ),
        ),
        ("archive", client.form(f"/members/{org.plain.id}/archive")),
        ("restore", client.form(f"/members/{org.plain.id}/restore")),
        ("export", client.get(f"/teams/{t}/matrix.csv")),
        (
            "team",
            client.form(
                f"/teams/{t}/edit",
                {
                    "name": "ML Platform 2",
                    "leads": [str(u.id) for u in org.team.leads],
                    "framework_id": "0",
                    "sprint_length_days": "14",
                },
            ),
        ),
    ]
    return out


def test_audited_writes_by_a_user_with_the_longest_name_and_email(long_lead, org, db):
    client, user = long_lead
    for what, r in _writes(client, org, db):
        assert r.status_code in (200, 302), (what, r.status_code)
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id)))
    kinds = {(e.action, e.object_type) for e in events}
    for expected in [
        ("create", "session"),
        ("create", "action item"),
        ("update", "action item"),
        ("create", "rating"),
        ("archive", "member"),
        ("export", "team"),
        ("update", "team"),
    ]:
        assert expected in kinds, (expected, kinds)
    for e in events:
        assert len(e.actor) <= TEXT_COLUMNS["actor"]
        assert e.actor.startswith(user.name)  # still says who it was
        assert e.actor.endswith("…")  # and that it was cut


@pytest.mark.parametrize("extra", [1, 50, 5000])
def test_every_text_column_is_cut_to_its_length(app, db, org, extra):
    """`record` with every text longer than its column: stored, cut, nothing fails."""
    from tracker.auditing import record

    values = {name: "x" * (length + extra) for name, length in TEXT_COLUMNS.items()}
    assert set(values) == {"actor", "action", "object_type", "summary"}
    with app.test_request_context():
        from flask_login import login_user

        org.admin.name = "A" * 120
        org.admin.email = _email("a")
        db.commit()
        login_user(org.admin)  # the request's own app context: current_user is the admin
        from tracker.db import get_db

        session = get_db()
        record(session, values["action"], values["object_type"], 1, values["summary"])
        session.commit()
    row = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    for name, length in TEXT_COLUMNS.items():
        stored = getattr(row, name)
        assert len(stored) == length, name
        assert stored.endswith("…"), name
