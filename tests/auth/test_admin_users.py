"""The admin's user pages."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import login
from tracker.auth.models import User


def test_admin_lists_users(client_as, org):
    client = client_as("admin")
    r = client.get("/admin/users")
    assert r.status_code == 200
    for email in (b"lead@example.com", b"eve@example.com", b"sol@example.com"):
        assert email in r.data


def test_non_admins_get_403_on_admin_pages(client, org):
    for email in ("lead@example.com", "eve@example.com"):
        c = client.application.test_client()
        login(c, email)
        assert c.get("/admin/users").status_code == 403
        assert c.get("/admin/users/new").status_code == 403
        assert c.get(f"/admin/users/{org.eng.user_id}").status_code == 403
        assert c.form(f"/admin/users/{org.eng.user_id}/deactivate").status_code == 403
        assert c.form(f"/admin/users/{org.eng.user_id}/reset").status_code == 403


def test_admin_creates_user_and_gets_a_one_time_link(client_as, org, db):
    client = client_as("admin")
    r = client.form("/admin/users/new", {"email": "New@Example.com", "name": "Nu", "role": "lead"})
    assert r.status_code == 200 and b"/welcome/" in r.data
    user = db.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "lead" and user.password_hash is None


def test_admin_create_user_rejects_duplicates_and_unknown_roles(client_as, org, db):
    client = client_as("admin")
    r = client.form(
        "/admin/users/new", {"email": "lead@example.com", "name": "Dup", "role": "lead"}
    )
    assert b"already exists" in r.data and b'value="Dup"' in r.data
    r = client.form("/admin/users/new", {"email": "x@example.com", "name": "X", "role": "overlord"})
    assert b"Not a valid choice" in r.data
    r = client.form("/admin/users/new", {"email": "nope", "name": "X", "role": "lead"})
    assert b"Invalid email address." in r.data
    assert db.scalar(select(func.count()).select_from(User)) == 6  # the org fixture's


def test_admin_changes_role_which_ends_sessions(app, client_as, org, db):
    eve = client_as("engineer")
    client = client_as("admin")
    r = client.form(f"/admin/users/{org.eng.user_id}", {"name": "Eve E.", "role": "lead"})
    assert r.status_code == 302
    assert db.get(User, org.eng.user_id).role == "lead"
    assert eve.get("/").status_code == 302  # logged out: must log in again with the new role


def test_admin_cannot_demote_or_deactivate_self(client_as, org, db):
    client = client_as("admin")
    r = client.form(f"/admin/users/{org.admin.id}", {"name": "Ada", "role": "lead"})
    assert b"cannot remove your own admin role" in r.data
    r = client.form(f"/admin/users/{org.admin.id}/deactivate", follow_redirects=True)
    assert b"cannot deactivate your own account" in r.data
    user = db.get(User, org.admin.id)
    assert user.role == "admin" and user.active


def test_deactivation_ends_sessions_at_once_and_reactivation_restores(app, client_as, org, db):
    eve = client_as("engineer")
    assert eve.get(f"/members/{org.eng.id}").status_code == 200
    client = client_as("admin")
    assert client.form(f"/admin/users/{org.eng.user_id}/deactivate").status_code == 302
    assert eve.get(f"/members/{org.eng.id}").status_code == 302
    assert login(eve, "eve@example.com").status_code == 401
    assert client.form(f"/admin/users/{org.eng.user_id}/reactivate").status_code == 302
    assert login(eve, "eve@example.com").status_code == 302


def test_unknown_user_is_404(client_as, org):
    client = client_as("admin")
    assert client.get("/admin/users/999999").status_code == 404
    assert client.form("/admin/users/999999/deactivate").status_code == 404


def test_a_lead_who_still_leads_a_team_cannot_be_demoted(app, client_as, db, org):
    """Found in review: a demoted lead stayed in the team's leads and kept managing it."""
    client = client_as("admin")
    r = client.form(f"/admin/users/{org.lead.id}", {"name": "Lee Lead", "role": "engineer"})
    assert r.status_code == 400
    assert "still leads ML Platform" in r.get_data(as_text=True)
    db.expire_all()
    assert org.lead.role == "lead"


def test_the_role_is_checked_not_just_the_team_s_list_of_leads(client_as, app, db, org, one_on_one):
    """Even with team_lead rows left behind (a role changed outside the app), a user whose
    role is no longer lead manages no team."""
    org.lead.role = "engineer"
    db.commit()
    ex = client_as("lead")
    urls = [
        f"/members/{org.eng.id}",
        f"/members/{org.eng.id}/sessions",
        f"/members/{org.eng.id}/competencies",
        f"/members/{org.eng.id}/edit",
        f"/members/{org.mate.id}/plan",
        f"/sessions/{one_on_one.id}",
        f"/teams/{org.team.id}",
    ]
    statuses = {url: ex.get(url).status_code for url in urls}
    assert all(code in (403, 404) for code in statuses.values()), statuses
