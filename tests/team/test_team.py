"""Teams and the member roster: ownership rules, validation, archiving and query counts."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import count_queries, login
from tracker.team.models import Member, Team

MEMBER = {
    "name": "Nia New",
    "email": "nia@example.com",
    "job_title": "ML Engineer",
    "level": "Mid",
    "start_date": "2025-03-03",
    "cadence_days": "14",
}


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


# --- teams ------------------------------------------------------------------------------------


def test_lead_sees_only_own_teams(client_as, org):
    client = client_as("lead")
    r = client.get("/teams")
    assert b"ML Platform" in r.data and b"Data Platform" not in r.data


def test_admin_sees_every_team(client_as, org):
    client = client_as("admin")
    r = client.get("/teams")
    assert b"ML Platform" in r.data and b"Data Platform" in r.data


def test_engineer_cannot_reach_team_pages(client_as, org):
    client = client_as("engineer")
    assert client.get("/teams").status_code == 403
    assert client.get(f"/teams/{org.team.id}").status_code == 403
    assert client.form("/teams/new", {"name": "Mine", "leads": ""}).status_code == 403


def test_lead_creates_team_and_leads_it(client_as, org, db):
    client = client_as("lead")
    r = client.form("/teams/new", {"name": "Vision", "leads": str(org.lead.id)})
    assert r.status_code == 302
    team = db.scalar(select(Team).where(Team.name == "Vision"))
    assert [u.id for u in team.leads] == [org.lead.id]


def test_lead_cannot_create_team_without_leading_it(client_as, org, db):
    client = client_as("lead")
    r = client.form("/teams/new", {"name": "Vision", "leads": str(org.other_lead.id)})
    assert b"You must be one of the leads" in r.data
    assert b'value="Vision"' in r.data
    assert _count(db, Team, Team.name == "Vision") == 0


def test_team_name_must_be_unique_and_present(client_as, org, db):
    client = client_as("lead")
    r = client.form("/teams/new", {"name": "ml platform", "leads": str(org.lead.id)})
    assert b"already exists" in r.data
    r = client.form("/teams/new", {"name": "", "leads": str(org.lead.id)})
    assert b"This field is required." in r.data
    assert _count(db, Team) == 2


def test_team_needs_a_lead(client_as, org, db):
    client = client_as("admin")
    r = client.form("/teams/new", {"name": "Leaderless"})
    assert b"at least one lead" in r.data
    assert _count(db, Team, Team.name == "Leaderless") == 0


def test_engineer_cannot_be_made_a_team_lead(client_as, org, db):
    client = client_as("admin")
    r = client.form("/teams/new", {"name": "Odd", "leads": str(org.eng.user_id)})
    assert r.status_code == 200  # not a valid choice: rejected by the form
    assert _count(db, Team, Team.name == "Odd") == 0


def test_lead_adds_co_lead(client_as, org, db):
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/edit",
        {"name": "ML Platform", "leads": [str(org.lead.id), str(org.other_lead.id)]},
    )
    assert r.status_code == 302
    login_other = client_as("other@example.com")
    assert login_other.get(f"/teams/{org.team.id}").status_code == 200


def test_other_lead_gets_404_on_every_team_route(client_as, org):
    client = client_as("other@example.com")
    tid = org.team.id
    assert client.get(f"/teams/{tid}").status_code == 404
    assert client.get(f"/teams/{tid}/edit").status_code == 404
    assert client.form(f"/teams/{tid}/edit", {"name": "Taken", "leads": "1"}).status_code == 404
    assert client.get(f"/teams/{tid}/members/new").status_code == 404
    assert client.form(f"/teams/{tid}/members/new", MEMBER).status_code == 404
    assert client.get("/teams/999999").status_code == 404


# --- members ----------------------------------------------------------------------------------


def test_lead_adds_member(client_as, org, db):
    client = client_as("lead")
    r = client.form(f"/teams/{org.team.id}/members/new", {**MEMBER, "team_id": org.team.id})
    assert r.status_code == 302
    member = db.scalar(select(Member).where(Member.email == "nia@example.com"))
    assert member.team_id == org.team.id and member.level == "Mid" and member.cadence_days == 14
    assert str(member.start_date) == "2025-03-03"


def test_member_validation_names_the_field_and_keeps_typing(client_as, org, db):
    client = client_as("lead")
    url = f"/teams/{org.team.id}/members/new"
    bad = {**MEMBER, "team_id": org.team.id, "email": "not-an-email", "cadence_days": "0"}
    r = client.form(url, bad)
    html = r.data.decode()
    assert "Invalid email address." in html
    assert "Number must be between 1 and 365." in html
    assert 'value="Nia New"' in html and 'value="not-an-email"' in html
    r = client.form(url, {**MEMBER, "team_id": org.team.id, "level": "Wizard"})
    assert "Unknown level &#39;Wizard&#39;: choose one of Entry, Mid, Senior, Lead." in (
        r.data.decode()
    )
    r = client.form(url, {**MEMBER, "team_id": org.team.id, "start_date": "2025-13-45"})
    assert "Not a valid date value." in r.data.decode()
    assert _count(db, Member, Member.email == "nia@example.com") == 0


def test_member_email_unique_per_team(client_as, org, db):
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/members/new",
        {**MEMBER, "email": "EVE@example.com", "team_id": org.team.id},
    )
    assert b"eve@example.com is already on this team" in r.data
    assert _count(db, Member, Member.email == "eve@example.com") == 1


def test_same_email_allowed_on_another_team(client_as, org, db, make_member):
    client = client_as("other@example.com")
    r = client.form(
        f"/teams/{org.other_team.id}/members/new",
        {**MEMBER, "email": "eve@example.com", "team_id": org.other_team.id},
    )
    assert r.status_code == 302
    assert _count(db, Member, Member.email == "eve@example.com") == 2


def test_lead_cannot_move_member_to_a_team_they_do_not_lead(client_as, org, db):
    client = client_as("lead")
    r = client.form(
        f"/members/{org.plain.id}/edit",
        {**MEMBER, "email": org.plain.email, "team_id": org.other_team.id},
    )
    assert r.status_code == 200 and b"Not a valid choice" in r.data
    assert db.get(Member, org.plain.id).team_id == org.team.id


def test_lead_edits_member(client_as, org, db):
    client = client_as("lead")
    data = {
        **MEMBER,
        "name": "Pat Promoted",
        "email": org.plain.email,
        "level": "Senior",
        "team_id": org.team.id,
    }
    assert client.form(f"/members/{org.plain.id}/edit", data).status_code == 302
    member = db.get(Member, org.plain.id)
    assert member.name == "Pat Promoted" and member.level == "Senior"


def test_archive_hides_member_keeps_record_and_restore_brings_back(client_as, org, db):
    client = client_as("lead")
    assert client.form(f"/members/{org.eng.id}/archive").status_code == 302
    member = db.get(Member, org.eng.id)
    assert member.archived and member.archived_at is not None
    assert member.user is not None and not member.user.active  # their login ends
    link = f'href="/members/{org.eng.id}"'.encode()
    r = client.get(f"/teams/{org.team.id}")
    assert link not in r.data
    r = client.get(f"/teams/{org.team.id}?status=archived")
    assert link in r.data
    assert client.get(f"/members/{org.eng.id}").status_code == 200  # history still readable
    eve = client.application.test_client()
    assert login(eve, "eve@example.com").status_code == 401
    r = client.form(f"/members/{org.eng.id}/restore", follow_redirects=True)
    assert "Their account stays deactivated: an admin can reactivate it." in r.text
    assert not db.get(Member, org.eng.id).archived
    # A lead never reactivates an account (they could undo an admin's deactivation): an admin does.
    assert login(eve, "eve@example.com").status_code == 401
    admin = client_as("admin")
    assert admin.form(f"/admin/users/{org.eng.user_id}/reactivate").status_code == 302
    assert login(eve, "eve@example.com").status_code == 302


def test_a_lead_cannot_undo_an_admin_deactivation_nor_switch_off_a_lead(app, client_as, org, db):
    """Found in review: archive then restore reactivated an account an admin had deactivated,
    and archiving could deactivate an account above engineer."""
    from tracker.auth.models import User

    admin = client_as("admin")
    assert admin.form(f"/admin/users/{org.eng.user_id}/deactivate").status_code == 302
    client = client_as("lead")
    assert client.form(f"/members/{org.eng.id}/archive").status_code == 302
    assert client.form(f"/members/{org.eng.id}/restore").status_code == 302
    db.expire_all()
    assert not db.get(User, org.eng.user_id).active
    # A member whose account was made a lead: archiving them leaves the account alone.
    db.get(User, org.mate.user_id).role = "lead"
    db.commit()
    assert client.form(f"/members/{org.mate.id}/archive").status_code == 302
    db.expire_all()
    assert db.get(User, org.mate.user_id).active


def test_no_route_deletes_members(app):
    rules = [r for r in app.url_map.iter_rules() if "DELETE" in r.methods]
    assert rules == []
    assert not any("delete" in r.endpoint for r in app.url_map.iter_rules())


def test_engineer_sees_own_record_only(client_as, org):
    client = client_as("engineer")
    r = client.get("/", follow_redirects=True)
    assert b"Eve Engineer" in r.data
    assert client.get(f"/members/{org.eng.id}").status_code == 200
    assert client.get(f"/members/{org.mate.id}").status_code == 404
    assert client.get(f"/members/{org.stranger.id}").status_code == 404


def test_engineer_cannot_edit_archive_or_invite_even_self(client_as, org, db):
    client = client_as("engineer")
    assert client.get(f"/members/{org.eng.id}/edit").status_code == 403
    assert client.form(f"/members/{org.eng.id}/edit", MEMBER).status_code == 403
    assert client.form(f"/members/{org.eng.id}/archive").status_code == 403
    assert client.form(f"/members/{org.mate.id}/archive").status_code == 404
    assert client.form(f"/members/{org.plain.id}/invite").status_code == 404
    assert not db.get(Member, org.mate.id).archived


def test_other_lead_gets_404_on_every_member_route(client_as, org, db):
    client = client_as("other@example.com")
    mid = org.eng.id
    assert client.get(f"/members/{mid}").status_code == 404
    assert client.get(f"/members/{mid}/edit").status_code == 404
    assert client.form(f"/members/{mid}/edit", MEMBER).status_code == 404
    assert client.form(f"/members/{mid}/archive").status_code == 404
    assert client.form(f"/members/{mid}/restore").status_code == 404
    assert client.form(f"/members/{org.plain.id}/invite").status_code == 404
    assert not db.get(Member, mid).archived


def test_member_list_sorts_and_filters(client_as, org):
    client = client_as("lead")
    html = client.get(f"/teams/{org.team.id}?sort=level").data.decode()
    assert html.index("Pat Plain") < html.index("Eve Engineer") < html.index("Max Mate")
    html = client.get(f"/teams/{org.team.id}?sort=level&dir=desc").data.decode()
    assert html.index("Max Mate") < html.index("Eve Engineer") < html.index("Pat Plain")
    html = client.get(f"/teams/{org.team.id}?level=Senior").data.decode()
    assert "Max Mate" in html and "Eve Engineer" not in html
    # Unknown values fall back to defaults rather than failing.
    assert client.get(f"/teams/{org.team.id}?sort=evil&status=x&level=y").status_code == 200


def test_member_list_query_count_does_not_grow(app, client_as, org, make_member):
    client = client_as("lead")
    url = f"/teams/{org.team.id}"
    client.get(url)
    with count_queries(app) as small:
        assert client.get(url).status_code == 200
    for i in range(25):
        make_member(org.team, f"Extra {i:02d}", account=(i % 3 == 0))
    with count_queries(app) as large:
        html = client.get(url).data.decode()
    assert "Extra 24" in html
    assert large() == small()
    assert small() <= 8


def test_teams_page_query_count_does_not_grow(app, client_as, org, make_team, make_member):
    client = client_as("admin")
    client.get("/teams")
    with count_queries(app) as small:
        client.get("/teams")
    for i in range(5):
        make_member(make_team(f"Extra team {i}"), f"Someone {i}")
    with count_queries(app) as large:
        assert b"Extra team 4" in client.get("/teams").data
    assert large() == small()


def test_member_page_query_count_is_small(app, client_as, org):
    client = client_as("lead")
    with count_queries(app) as n:
        assert client.get(f"/members/{org.eng.id}").status_code == 200
    # The member's own six, and the "at a glance" panels' few with nothing to show yet (with a
    # long history they stay the same: tests/team/test_glance.py).
    assert n() <= 20
