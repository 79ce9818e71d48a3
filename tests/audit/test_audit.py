"""The audit log: changes are recorded with who and when, exports too, never note text."""

from __future__ import annotations

from sqlalchemy import select

from tracker.auditing import AuditEvent

SECRET = "AUDIT-CANARY-51d2"


def _events(db, **where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for k, v in where.items():
        query = query.where(getattr(AuditEvent, k) == v)
    return list(db.scalars(query))


def test_member_changes_and_archiving_are_recorded(client_as, org, db):
    client = client_as("lead")
    client.form(f"/members/{org.plain.id}/archive")
    client.form(f"/members/{org.plain.id}/restore")
    actions = [(e.action, e.object_type, e.object_id) for e in _events(db, object_type="member")]
    assert ("archive", "member", org.plain.id) in actions
    assert ("restore", "member", org.plain.id) in actions
    archive = next(e for e in _events(db, action="archive"))
    assert archive.actor == "Lee Lead <lead@example.com>" and archive.actor_id == org.lead.id
    assert "archived: False → True" in archive.summary


def test_role_changes_and_deactivation_are_recorded(client_as, org, db):
    client = client_as("admin")
    client.form(f"/admin/users/{org.eng.user_id}", {"name": "Eve Engineer", "role": "lead"})
    client.form(f"/admin/users/{org.eng.user_id}/deactivate")
    users = _events(db, object_type="user", object_id=org.eng.user_id)
    assert any("role: engineer → lead" in e.summary for e in users)
    assert any(e.action == "deactivate" for e in users)
    assert all("password" not in e.summary and "token" not in e.summary for e in users)


def test_team_lead_changes_are_recorded(client_as, org, db):
    client = client_as("lead")
    client.form(
        f"/teams/{org.team.id}/edit",
        {"name": "ML Platform", "leads": [str(org.lead.id), str(org.other_lead.id)]},
    )
    team = _events(db, object_type="team", object_id=org.team.id)
    assert any("leads: +other@example.com" in e.summary for e in team)


def test_ratings_plans_and_exports_are_recorded(client_as, org, db, framework, plan):
    from tracker.competencies.models import Category, Competency

    client = client_as("lead")
    cat = db.scalar(select(Category).where(Category.version_id == framework.id).limit(1))
    comp = db.scalar(select(Competency).where(Competency.category_id == cat.id).limit(1))
    client.form(f"/members/{org.eng.id}/ratings", {"category_id": cat.id, f"c{comp.id}": "3"})
    rating = _events(db, object_type="rating")
    assert len(rating) == 1 and "value: 3" in rating[0].summary
    client.get(f"/teams/{org.team.id}/matrix.csv")
    export = _events(db, action="export")
    assert export and export[0].object_type == "team" and "as csv" in export[0].summary


def test_session_notes_never_enter_the_log(client_as, org, db, framework):
    client = client_as("lead")
    client.form(
        f"/members/{org.eng.id}/sessions/new",
        {
            "kind": "one_on_one",
            "held_at": "2026-11-20T10:00",
            "duration_minutes": "30",
            "agenda": f"agenda {SECRET}",
            "shared_notes": f"shared {SECRET}",
            "private_notes": f"private {SECRET}",
        },
    )
    session_events = _events(db, object_type="session")
    assert session_events and session_events[0].action == "create"
    sid = session_events[0].object_id
    client.form(
        f"/sessions/{sid}/edit",
        {
            "kind": "one_on_one",
            "held_at": "2026-11-20T10:00",
            "duration_minutes": "30",
            "private_notes": f"changed {SECRET}",
        },
    )
    changed = _events(db, object_type="session", action="update")
    assert changed and "private_notes changed" in changed[0].summary
    for e in _events(db):
        assert SECRET not in e.summary and "private " not in e.summary


def test_admin_reads_and_filters_the_log_others_cannot(client_as, org, db):
    client = client_as("lead")
    client.form(f"/members/{org.plain.id}/archive")
    lead_client = client
    admin = client_as("admin")
    html = admin.get("/admin/audit").data.decode()
    assert "archive" in html and "Lee Lead" in html
    html = admin.get("/admin/audit?action=archive&type=member&actor=lee").data.decode()
    assert f"member #{org.plain.id}" in html
    html = admin.get("/admin/audit?actor=nobody-at-all").data.decode()
    assert "Nothing recorded matches" in html
    assert admin.get("/admin/audit?from=garbage&page=-3").status_code == 200
    assert lead_client.get("/admin/audit").status_code == 403
    eve = client_as("engineer")
    assert eve.get("/admin/audit").status_code == 403


def test_seed_demo_writes_no_audit_noise(runner, db):
    runner.invoke(args=["tracker", "seed-demo"])
    assert _events(db) == []
