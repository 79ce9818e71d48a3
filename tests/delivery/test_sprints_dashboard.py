"""The dashboard summary, the engineer's milestones, the calendar events and the demo data."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.sprints.calendar import sprint_events
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.sprints.services import dashboard_summary, milestones_owned

TODAY = date.today()
D = timedelta


def _setup(org, make_project, make_sprint, make_milestone):
    sprint = make_sprint(org.team, TODAY - D(3), state="active", name="Now")
    project = make_project(org.team, "Store")
    make_milestone(project, "Due soon", sprint, org.eng, due_date=TODAY + D(2))
    make_milestone(project, "Overdue", sprint, org.eng, due_date=TODAY - D(1), status="in progress")
    make_milestone(project, "Done", sprint, org.eng, due_date=TODAY, status="done", done_date=TODAY)
    make_milestone(project, "Later", None, org.mate, due_date=TODAY + D(40))
    theirs = make_project(org.other_team, "Their project")
    make_milestone(theirs, "Not yours", None, org.stranger, due_date=TODAY - D(5))
    return sprint


def test_dashboard_summary_per_managed_team(db, org, make_project, make_sprint, make_milestone):
    sprint = _setup(org, make_project, make_sprint, make_milestone)
    (line,) = dashboard_summary(db, org.lead)
    assert line.team.id == org.team.id and line.sprint.id == sprint.id
    assert line.days_left == 11
    assert [m.title for m in line.due_this_sprint] == ["Overdue", "Due soon"]
    assert [m.title for m in line.overdue] == ["Overdue"]
    lines = dashboard_summary(db, org.admin)
    assert [(x.team.name, x.sprint is None) for x in lines] == [
        ("Data Platform", True),
        ("ML Platform", False),
    ]
    assert [m.title for m in lines[0].overdue] == ["Not yours"]


def test_delivery_page_renders_the_dashboard_partial_in_constant_queries(
    app, client_as, org, make_project, make_sprint, make_milestone
):
    _setup(org, make_project, make_sprint, make_milestone)
    client = client_as("lead")
    with count_queries(app) as n:
        html = client.get("/delivery").data.decode()
    assert "Active sprint:" in html and "11 days left" in html
    assert "Due soon" in html and "was due" in html and "Not yours" not in html
    before = n()
    project = make_project(org.team, "More")
    for i in range(10):
        make_milestone(project, f"M{i}", None, org.mate, due_date=TODAY - D(i))
    with count_queries(app) as n:
        client.get("/delivery")
    assert n() == before


def test_engineer_sees_the_milestones_they_own(
    db, client_as, org, make_project, make_sprint, make_milestone
):
    _setup(org, make_project, make_sprint, make_milestone)
    assert [m.title for m in milestones_owned(db, org.eng)] == ["Overdue", "Due soon"]
    assert len(milestones_owned(db, org.eng, include_closed=True)) == 3
    client = client_as("engineer")
    html = client.get("/milestones/mine").data.decode()
    assert "Due soon" in html and "Overdue" in html and "overdue</span>" in html
    assert "Later" not in html and "Not yours" not in html and ">Done<" not in html
    assert client.get(f"/teams/{org.team.id}/delivery").status_code == 403


def test_user_without_a_member_record_owns_nothing(client_as, org):
    client = client_as("admin")
    assert b"You own no open milestones." in client.get("/milestones/mine").data


def test_calendar_events_round_trip(db, org, make_project, make_sprint, make_milestone):
    sprint = _setup(org, make_project, make_sprint, make_milestone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Team Tracker//EN")
    cal.add("version", "2.0")
    for event in sprint_events(db, org.lead):
        cal.add_component(event)
    parsed = icalendar.Calendar.from_ical(cal.to_ical())
    events = {str(e["uid"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {
        f"sprint-{sprint.id}@team-tracker",
        *(
            f"milestone-{m.id}@team-tracker"
            for m in db.scalars(
                select(Milestone).where(Milestone.title.in_(["Due soon", "Overdue", "Later"]))
            )
        ),
    }
    s = events[f"sprint-{sprint.id}@team-tracker"]
    assert str(s["summary"]) == "Sprint: Now (ML Platform)"
    assert s.decoded("dtstart") == sprint.start_date
    assert s.decoded("dtend") == sprint.end_date + D(1)
    assert "dtstamp" in s
    due = next(e for e in events.values() if "Due soon" in str(e["summary"]))
    assert due.decoded("dtstart") == TODAY + D(2)
    # The other lead sees only their team; the admin sees both.
    assert [str(e["summary"]) for e in sprint_events(db, org.other_lead)] == [
        "Due: Not yours (Their project) · Sol Stranger"
    ]
    assert len(sprint_events(db, org.admin)) == 5


def test_demo_seed_creates_delivery_history_once(runner, db):
    r = runner.invoke(args=["tracker", "seed-demo", "--password", "teamtracker-demo"])
    assert r.exit_code == 0, r.output
    assert db.scalar(select(func.count()).select_from(Project)) == 4
    active = db.scalars(select(Sprint).where(Sprint.state == "active")).all()
    assert len(active) == 2 and all(s.contains(TODAY) for s in active)
    assert db.scalar(select(func.count()).select_from(Sprint).where(Sprint.state == "closed")) == 10
    assert db.scalar(select(func.count()).select_from(MilestoneMove)) > 5
    late = db.scalars(select(Milestone).where(Milestone.status == "done")).all()
    assert any(m.delivered_late for m in late)
    counts = [db.scalar(select(func.count()).select_from(t)) for t in (Project, Sprint, Milestone)]
    runner.invoke(args=["tracker", "seed-demo", "--password", "teamtracker-demo"])
    assert [
        db.scalar(select(func.count()).select_from(t)) for t in (Project, Sprint, Milestone)
    ] == counts
