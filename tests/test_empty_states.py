"""Empty pages lead somewhere: a brand-new lead, a team without members, a team whose members
have no ratings, sessions, sprints or projects, and an engineer without a plan each see what
to do next, with a link to the action that does it, one this viewer may take."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date

import pytest

ANCHOR = re.compile(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def link(page: str, words: str) -> str:
    """The href of the link whose text is `words` (fails naming the page's links if none)."""
    found = {
        " ".join(re.sub(r"<[^>]+>", "", text).split()): htmllib.unescape(href)
        for href, text in ANCHOR.findall(page)
    }
    assert words in found, f"no link {words!r} among {sorted(found)}"
    return found[words]


def follow(client, page: str, words: str) -> str:
    """The link named `words` on `page`, after checking that the viewer may open it."""
    href = link(page, words)
    target = href.split("#")[0] or None
    if target:
        assert client.get(target).status_code == 200, href
    return href


@pytest.fixture
def new_lead(make_user, client_as, framework):
    lead = make_user("lead", email="newbie@example.com", name="Nia Newbie")
    return lead, client_as(lead)


def test_a_new_leads_dashboard_says_create_a_team(new_lead):
    _, client = new_lead
    page = client.get("/dashboard").data.decode()
    assert "Start here" in page and "You lead no team yet" in page
    assert follow(client, page, "Create your first team") == "/teams/new"
    assert "1:1s overdue" not in page  # no empty panels about nobody


def test_a_new_leads_delivery_and_teams_pages_lead_to_a_new_team(new_lead):
    _, client = new_lead
    page = client.get("/delivery").data.decode()
    assert "You manage no teams yet" in page
    assert follow(client, page, "Create your first team") == "/teams/new"
    page = client.get("/teams").data.decode()
    assert "No teams yet" in page and follow(client, page, "New team") == "/teams/new"


def test_a_team_without_members_says_add_one(new_lead, make_team):
    lead, client = new_lead
    team = make_team("Fresh", leads=[lead])
    add = f"/teams/{team.id}/members/new"
    page = client.get("/dashboard").data.decode()
    assert "Add your team's members" in page
    assert follow(client, page, "Add a member to Fresh") == add
    page = client.get(f"/teams/{team.id}").data.decode()
    assert follow(client, page, "Add the first member of this team") == add
    page = client.get(f"/teams/{team.id}/matrix").data.decode()
    assert "No members yet" in page and "Bus-factor" not in page
    assert follow(client, page, "Add a member") == add


def test_a_team_without_sprints_or_projects_says_plan_them(new_lead, make_team, make_member):
    lead, client = new_lead
    team = make_team("Fresh", leads=[lead])
    make_member(team, "Mo Member")
    new_sprint, new_project = f"/teams/{team.id}/sprints/new", f"/teams/{team.id}/projects/new"
    page = client.get(f"/teams/{team.id}/delivery").data.decode()
    assert follow(client, page, "plan the first one") == new_sprint
    assert follow(client, page, "create the first project") == new_project
    assert follow(client, page, "Plan a sprint") == new_sprint
    page = client.get(f"/teams/{team.id}/sprint-report").data.decode()
    assert "No sprint has started yet" in page
    assert follow(client, page, "plan or start a sprint") == f"/teams/{team.id}/delivery"
    assert follow(client, page, "create one") == new_project
    page = client.get("/dashboard").data.decode()  # members now: the usual panels
    assert "1:1s overdue" in page and "Start here" not in page
    assert follow(client, page, "Plan a sprint") == new_sprint


def test_a_member_without_ratings_sessions_or_items(new_lead, make_team, make_member):
    lead, client = new_lead
    team = make_team("Fresh", leads=[lead])
    member = make_member(team, "Mo Member")
    page = client.get(f"/teams/{team.id}/matrix").data.decode()
    assert "Nobody is rated yet" in page and "<h2>Bus-factor risks</h2>" not in page
    assert follow(client, page, "Rate Mo Member") == f"/members/{member.id}/competencies"
    page = client.get(f"/members/{member.id}/competencies").data.decode()
    assert "Nothing rated yet" in page and link(page, "choose ratings below") == "#ratings"
    assert 'id="ratings"' in page
    new_session = f"/members/{member.id}/sessions/new"
    page = client.get(f"/members/{member.id}/sessions").data.decode()
    assert "No sessions yet" in page
    assert follow(client, page, "Log or book the first 1:1 with Mo Member") == new_session
    page = client.get(f"/members/{member.id}/items").data.decode()
    assert follow(client, page, "log a 1:1 with Mo Member") == new_session


def test_an_engineer_without_plan_ratings_or_sessions(client_as, org, framework):
    client = client_as("engineer")
    eve = org.eng.id
    page = client.get("/me").data.decode()
    assert "No growth plan yet" in page
    assert follow(client, page, "rate yourself") == f"/members/{eve}/competencies"
    assert follow(client, page, "Your sessions") == f"/members/{eve}/sessions"
    page = client.get(f"/members/{eve}/plan").data.decode()
    assert follow(client, page, "rate yourself") == f"/members/{eve}/competencies"
    page = client.get(f"/members/{eve}/competencies").data.decode()
    assert "Your lead has not rated you yet" in page
    assert link(page, "add your self-ratings below") == "#ratings" and 'id="ratings"' in page
    page = client.get(f"/members/{eve}/sessions").data.decode()
    assert "Your 1:1s show here once your lead logs them" in page
    assert "/sessions/new" not in page  # an engineer is never sent to an action of a lead's
    page = client.get(f"/members/{eve}/items").data.decode()
    assert follow(client, page, "your sessions") == f"/members/{eve}/sessions"
    assert "/sessions/new" not in page and "/teams/new" not in page


def test_a_project_and_a_sprint_without_milestones(new_lead, make_team, make_project, make_sprint):
    lead, client = new_lead
    team = make_team("Fresh", leads=[lead])
    project = make_project(team, "Store")
    sprint = make_sprint(team, date.today(), state="active", name="Now")
    page = client.get(f"/projects/{project.id}").data.decode()
    new_milestone = f"/projects/{project.id}/milestones/new"
    assert follow(client, page, "add the first milestone") == new_milestone
    page = client.get(f"/sprints/{sprint.id}").data.decode()
    assert "Nothing is planned for this sprint yet" in page
    assert follow(client, page, "the team's projects") == f"/teams/{team.id}/delivery"


def test_a_matrix_without_a_framework_says_who_loads_one(make_user, make_team, client_as):
    lead = make_user("lead", email="early@example.com")
    team = make_team("Early", leads=[lead])
    client = client_as(lead)
    page = client.get(f"/teams/{team.id}/matrix").data.decode()
    assert "No competency framework is loaded yet" in page
    assert follow(client, page, "the frameworks page") == "/frameworks"
    assert "/admin/frameworks/import" not in page  # a lead cannot import one
    admin = client_as(make_user("admin", email="root@example.com"))
    page = admin.get(f"/teams/{team.id}/matrix").data.decode()
    assert follow(admin, page, "Import a framework") == "/admin/frameworks/import"
