"""Projects, sprints and milestones: the rules, through the forms a lead uses."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.team.models import Team

TODAY = date.today()


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _sprint(name, start, end, goal=""):
    return {"name": name, "start_date": str(start), "end_date": str(end), "goal": goal}


# --- sprints ----------------------------------------------------------------------------------


def test_lead_plans_a_sprint(client_as, org, db):
    client = client_as("lead")
    start = date(2026, 12, 7)
    r = client.form(
        f"/teams/{org.team.id}/sprints/new", _sprint("S1", start, start + timedelta(13), "Ship")
    )
    assert r.status_code == 302
    sprint = db.scalar(select(Sprint).where(Sprint.team_id == org.team.id))
    assert (sprint.name, sprint.state, sprint.goal) == ("S1", "planned", "Ship")


def test_next_sprint_is_proposed_from_the_team_sprint_length(client_as, org, db, make_sprint):
    db.get(Team, org.team.id).sprint_length_days = 10
    db.commit()
    make_sprint(org.team, date(2026, 11, 2), date(2026, 11, 15), name="Sprint 7")
    client = client_as("lead")
    html = client.get(f"/teams/{org.team.id}/sprints/new").data.decode()
    assert 'value="Sprint 8"' in html
    assert 'value="2026-11-16"' in html and 'value="2026-11-25"' in html


def test_first_sprint_proposal_starts_today(client_as, org):
    client = client_as("lead")
    html = client.get(f"/teams/{org.team.id}/sprints/new").data.decode()
    assert f'value="{TODAY.isoformat()}"' in html and 'value="Sprint 1"' in html


def test_sprint_ending_before_it_starts_is_refused(client_as, org, db):
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/sprints/new",
        _sprint("Backwards", date(2026, 12, 7), date(2026, 12, 1)),
    )
    assert r.status_code == 400
    html = r.data.decode()
    assert "ends (2026-12-01) before it starts (2026-12-07)" in html
    assert 'value="Backwards"' in html  # what the user typed is kept
    assert _count(db, Sprint) == 0


def test_overlapping_sprints_are_refused(client_as, org, db, make_sprint):
    make_sprint(org.team, date(2026, 12, 7), date(2026, 12, 20), name="Existing")
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/sprints/new", _sprint("Clash", date(2026, 12, 20), date(2027, 1, 2))
    )
    assert r.status_code == 400
    assert b"overlap Existing (2026-12-07 to 2026-12-20)" in r.data
    assert _count(db, Sprint) == 1


def test_other_teams_sprints_do_not_overlap_ours(client_as, org, db, make_sprint):
    make_sprint(org.other_team, date(2026, 12, 7), name="Theirs")
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/sprints/new", _sprint("Ours", date(2026, 12, 7), date(2026, 12, 20))
    )
    assert r.status_code == 302


def test_editing_a_sprint_into_an_overlap_is_refused(client_as, org, db, make_sprint):
    make_sprint(org.team, date(2026, 12, 7), name="A")
    b = make_sprint(org.team, date(2026, 12, 21), name="B")
    client = client_as("lead")
    r = client.form(f"/sprints/{b.id}/edit", _sprint("B", date(2026, 12, 14), date(2026, 12, 27)))
    assert r.status_code == 400 and b"overlap A" in r.data
    db.refresh(b)
    assert b.start_date == date(2026, 12, 21)
    r = client.form(f"/sprints/{b.id}/edit", _sprint("B", date(2026, 12, 21), date(2026, 12, 31)))
    assert r.status_code == 302


def test_duplicate_sprint_name_is_refused(client_as, org, make_sprint):
    make_sprint(org.team, date(2026, 12, 7), name="Sprint 9")
    client = client_as("lead")
    r = client.form(
        f"/teams/{org.team.id}/sprints/new",
        _sprint("sprint 9", date(2027, 1, 4), date(2027, 1, 17)),
    )
    assert r.status_code == 400 and b"already has a sprint called" in r.data


def test_a_second_active_sprint_is_refused(client_as, org, db, make_sprint):
    active = make_sprint(org.team, date(2026, 11, 23), state="active", name="Current")
    later = make_sprint(org.team, date(2026, 12, 7), name="Later")
    client = client_as("lead")
    r = client.form(f"/sprints/{later.id}/start", follow_redirects=True)
    assert b"Current is already the active sprint: close it before starting Later" in r.data
    db.refresh(later)
    assert later.state == "planned" and active.state == "active"
    assert _count(db, Sprint, Sprint.state == "active") == 1


def test_starting_a_planned_sprint(client_as, org, db, make_sprint):
    sprint = make_sprint(org.team, date(2026, 11, 23), name="Go")
    client = client_as("lead")
    assert client.form(f"/sprints/{sprint.id}/start").status_code == 302
    db.refresh(sprint)
    assert sprint.state == "active"


def test_team_sprint_length_is_validated_and_saved(client_as, org, db):
    client = client_as("lead")
    url = f"/teams/{org.team.id}/edit"
    base = {"name": "ML Platform", "leads": str(org.lead.id)}
    r = client.form(url, {**base, "sprint_length_days": "61"})
    assert r.status_code == 200 and b"between 1 and 60" in r.data
    assert client.form(url, {**base, "sprint_length_days": "7"}).status_code == 302
    assert db.get(Team, org.team.id).sprint_length_days == 7
    r = client.form("/teams/new", {"name": "Vision", "leads": str(org.lead.id)})
    assert r.status_code == 302
    assert db.scalar(select(Team).where(Team.name == "Vision")).sprint_length_days == 14


# --- projects ---------------------------------------------------------------------------------


def test_lead_creates_and_edits_a_project(client_as, org, db):
    client = client_as("lead")
    data = {
        "name": "Feature store",
        "description": "One store",
        "status": "active",
        "owner_id": str(org.mate.id),
        "start_date": "2026-11-02",
        "target_date": "2027-03-31",
    }
    assert client.form(f"/teams/{org.team.id}/projects/new", data).status_code == 302
    project = db.scalar(select(Project))
    assert project.owner_id == org.mate.id and project.target_date == date(2027, 3, 31)
    r = client.form(f"/projects/{project.id}/edit", {**data, "target_date": "2026-10-01"})
    assert r.status_code == 400 and b"target date is before the start date" in r.data
    r = client.form(f"/projects/{project.id}/edit", {**data, "status": "on hold"})
    assert r.status_code == 302
    db.refresh(project)
    assert project.status == "on hold"


def test_project_owner_from_another_team_is_refused(client_as, org, db):
    client = client_as("lead")
    data = {"name": "Sneaky", "status": "active", "owner_id": str(org.stranger.id)}
    r = client.form(f"/teams/{org.team.id}/projects/new", data)
    assert r.status_code == 400
    assert b"The owner must be a member of ML Platform." in r.data
    assert b"Sol Stranger" not in r.data
    assert _count(db, Project) == 0


def test_project_names_are_unique_per_team(client_as, org, make_project):
    make_project(org.team, "Alpha")
    make_project(org.other_team, "Beta")
    client = client_as("lead")
    r = client.form(f"/teams/{org.team.id}/projects/new", {"name": "alpha", "status": "active"})
    assert r.status_code == 400 and b"already has a project called" in r.data
    r = client.form(f"/teams/{org.team.id}/projects/new", {"name": "Beta", "status": "active"})
    assert r.status_code == 302


# --- milestones -------------------------------------------------------------------------------


def _milestone(**kwargs):
    data = {"title": "Backfill", "status": "planned", "owner_id": "", "sprint_id": ""}
    data.update({k: str(v) for k, v in kwargs.items()})
    return data


def test_lead_adds_a_milestone(client_as, org, db, make_project, make_sprint):
    project = make_project(org.team, "P")
    sprint = make_sprint(org.team, date(2026, 11, 23), state="active")
    client = client_as("lead")
    r = client.form(
        f"/projects/{project.id}/milestones/new",
        _milestone(owner_id=org.eng.id, sprint_id=sprint.id, due_date="2026-12-01"),
    )
    assert r.status_code == 302
    m = db.scalar(select(Milestone))
    assert (m.owner_id, m.sprint_id, m.status) == (org.eng.id, sprint.id, "planned")
    assert _count(db, MilestoneMove) == 0  # planning is not a move


def test_milestone_owner_from_another_team_is_refused(client_as, org, db, make_project):
    project = make_project(org.team, "P")
    client = client_as("lead")
    r = client.form(f"/projects/{project.id}/milestones/new", _milestone(owner_id=org.stranger.id))
    assert r.status_code == 400
    assert b"The owner must be a member of ML Platform." in r.data
    assert b'value="Backfill"' in r.data
    assert _count(db, Milestone) == 0


def test_milestone_sprint_from_another_team_is_refused(
    client_as, org, db, make_project, make_sprint
):
    project = make_project(org.team, "P")
    theirs = make_sprint(org.other_team, date(2026, 11, 23))
    client = client_as("lead")
    r = client.form(f"/projects/{project.id}/milestones/new", _milestone(sprint_id=theirs.id))
    assert r.status_code == 400 and b"Choose one of ML Platform&#39;s sprints." in r.data
    assert _count(db, Milestone) == 0


def test_moving_a_milestone_records_the_move(
    client_as, org, db, make_project, make_sprint, make_milestone
):
    project = make_project(org.team, "P")
    s1 = make_sprint(org.team, date(2026, 11, 23), state="active", name="S1")
    s2 = make_sprint(org.team, date(2026, 12, 7), name="S2")
    m = make_milestone(project, "Backfill", sprint=s1)
    client = client_as("lead")
    r = client.form(
        f"/milestones/{m.id}/edit",
        _milestone(sprint_id=s2.id, move_reason="Waiting on the data team"),
    )
    assert r.status_code == 302
    move = db.scalar(select(MilestoneMove))
    assert (move.from_sprint_id, move.to_sprint_id) == (s1.id, s2.id)
    assert move.moved_by_id == org.lead.id and move.reason == "Waiting on the data team"
    assert not move.carried_over and move.moved_at is not None
    html = client.get(f"/milestones/{m.id}").data.decode()
    assert "Waiting on the data team" in html and "Lee Lead" in html
    assert "1 time" in html  # one slip: S2 ends after S1
    # Saving again without a change of sprint records nothing more.
    client.form(f"/milestones/{m.id}/edit", _milestone(sprint_id=s2.id, title="Renamed"))
    assert _count(db, MilestoneMove) == 1


def test_moving_into_a_closed_sprint_is_refused(
    client_as, org, db, make_project, make_sprint, make_milestone
):
    project = make_project(org.team, "P")
    old = make_sprint(org.team, date(2026, 11, 9), state="closed", name="Old")
    now = make_sprint(org.team, date(2026, 11, 23), state="active", name="Now")
    m = make_milestone(project, "X", sprint=now)
    client = client_as("lead")
    r = client.form(f"/milestones/{m.id}/edit", _milestone(title="X", sprint_id=old.id))
    assert r.status_code == 400 and b"Old is closed" in r.data
    assert _count(db, MilestoneMove) == 0


def test_done_date_defaults_to_today_and_cannot_be_in_the_future(
    client_as, org, db, make_project, make_milestone
):
    project = make_project(org.team, "P")
    m = make_milestone(project, "X")
    client = client_as("lead")
    future = TODAY + timedelta(days=2)
    r = client.form(
        f"/milestones/{m.id}/edit", _milestone(title="X", status="done", done_date=future)
    )
    assert r.status_code == 400 and b"cannot be in the future" in r.data
    assert (
        client.form(f"/milestones/{m.id}/edit", _milestone(title="X", status="done")).status_code
        == 302
    )
    db.refresh(m)
    assert m.status == "done" and m.done_date == TODAY


def test_dropping_needs_a_reason(client_as, org, db, make_project, make_milestone):
    project = make_project(org.team, "P")
    m = make_milestone(project, "X")
    client = client_as("lead")
    r = client.form(f"/milestones/{m.id}/edit", _milestone(title="X", status="dropped"))
    assert r.status_code == 400 and b"Say why the milestone is dropped." in r.data
    r = client.form(
        f"/milestones/{m.id}/edit", _milestone(title="X", status="dropped", drop_reason="Descoped")
    )
    assert r.status_code == 302
    db.refresh(m)
    assert (m.status, m.drop_reason) == ("dropped", "Descoped")


def test_hostile_titles_are_escaped(client_as, org, make_project, make_sprint, make_milestone):
    project = make_project(org.team, "<b>P</b>")
    sprint = make_sprint(org.team, TODAY - timedelta(days=1), state="active", goal="<i>g</i>")
    m = make_milestone(project, "<script>alert(1)</script>", sprint=sprint, due_date=TODAY)
    client = client_as("lead")
    for url in (
        f"/sprints/{sprint.id}",
        f"/projects/{project.id}",
        f"/milestones/{m.id}",
        f"/teams/{org.team.id}/delivery",
        f"/teams/{org.team.id}/sprint-report",
        f"/sprints/{sprint.id}/close",
    ):
        html = client.get(url).data.decode()
        assert "<script>alert(1)</script>" not in html and "<b>P</b>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;b&gt;P" in html, url
