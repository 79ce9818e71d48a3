"""The sprint board and closing a sprint: carry-over (each move recorded) or drop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.sprints.models import Milestone, MilestoneMove, Sprint

TODAY = date.today()


@pytest.fixture
def running(org, make_project, make_sprint, make_milestone):
    """An active sprint (started 3 days ago, 14 days long) with one milestone per status."""
    sprint = make_sprint(
        org.team, TODAY - timedelta(days=3), state="active", name="Now", goal="Ship the store"
    )
    project = make_project(org.team, "Feature store")
    org.sprint, org.project = sprint, project
    org.ms = {
        "planned": make_milestone(project, "Plan it", sprint=sprint, owner=org.eng),
        "progress": make_milestone(
            project, "Doing it", sprint=sprint, owner=org.mate, status="in progress"
        ),
        "done": make_milestone(
            project, "Did it", sprint=sprint, owner=org.eng, status="done", done_date=TODAY
        ),
        "dropped": make_milestone(
            project, "Gave up", sprint=sprint, status="dropped", drop_reason="No longer needed"
        ),
    }
    return org


def test_board_shows_milestones_by_status_with_owners_goal_and_days_left(client_as, running):
    client = client_as("lead")
    html = client.get(f"/sprints/{running.sprint.id}").data.decode()
    assert "Ship the store" in html
    assert "11 days left" in html  # 14-day sprint, 3 days gone, today counts
    for status in ("Planned", "In progress", "Done", "Dropped"):
        assert f"{status} <small>(1)</small>" in html
    planned_col = html[html.index('aria-label="Planned"') : html.index('aria-label="In progress"')]
    assert "Plan it" in planned_col and "Eve Engineer" in planned_col
    assert "Doing it" in html[html.index('aria-label="In progress"') :]


def test_board_of_a_future_sprint_says_when_it_starts(client_as, org, make_sprint):
    sprint = make_sprint(org.team, TODAY + timedelta(days=5))
    client = client_as("lead")
    assert b"starts in 5 days" in client.get(f"/sprints/{sprint.id}").data


def test_close_page_shows_planned_done_and_left(client_as, running):
    client = client_as("lead")
    html = client.get(f"/sprints/{running.sprint.id}/close").data.decode()
    assert "<dt>Planned</dt><dd>4</dd>" in html
    assert "<dt>Done</dt><dd>1</dd>" in html
    assert "<dt>Left</dt><dd>2</dd>" in html
    assert "a new sprint, <strong>" in html  # none planned yet: one will be created


def test_closing_carries_unfinished_milestones_to_a_new_next_sprint(client_as, running, db):
    client = client_as("lead")
    ms = running.ms
    r = client.form(
        f"/sprints/{running.sprint.id}/close",
        {
            f"action_{ms['planned'].id}": "carry",
            f"action_{ms['progress'].id}": "carry",
            "carry_reason": "Review took longer",
            "start_next": "y",
        },
    )
    assert r.status_code == 302
    db.refresh(running.sprint)
    assert running.sprint.state == "closed" and running.sprint.closed_at is not None
    nxt = db.scalar(select(Sprint).where(Sprint.id != running.sprint.id))
    assert nxt.state == "active"
    assert nxt.start_date == running.sprint.end_date + timedelta(days=1)
    assert nxt.end_date == nxt.start_date + timedelta(days=13)
    moves = db.scalars(select(MilestoneMove).order_by(MilestoneMove.milestone_id)).all()
    assert [(m.milestone_id, m.from_sprint_id, m.to_sprint_id) for m in moves] == [
        (ms["planned"].id, running.sprint.id, nxt.id),
        (ms["progress"].id, running.sprint.id, nxt.id),
    ]
    assert all(m.carried_over and m.reason == "Review took longer" for m in moves)
    assert all(m.moved_by_id == running.lead.id for m in moves)
    for key, sprint_id in (("planned", nxt.id), ("done", running.sprint.id)):
        assert db.get(Milestone, ms[key].id).sprint_id == sprint_id
    assert r.headers["Location"].endswith(f"/sprints/{nxt.id}")


def test_closing_uses_the_planned_next_sprint_and_drops_with_a_reason(
    client_as, running, db, make_sprint
):
    later = make_sprint(running.team, running.sprint.end_date + timedelta(days=10), name="Later")
    nxt = make_sprint(
        running.team,
        running.sprint.end_date + timedelta(days=1),
        end=running.sprint.end_date + timedelta(days=9),
        name="Next",
    )
    client = client_as("lead")
    ms = running.ms
    r = client.form(
        f"/sprints/{running.sprint.id}/close",
        {
            f"action_{ms['planned'].id}": "carry",
            f"action_{ms['progress'].id}": "drop",
            f"reason_{ms['progress'].id}": "Superseded",
        },
    )
    assert r.status_code == 302
    assert db.get(Milestone, ms["planned"].id).sprint_id == nxt.id
    dropped = db.get(Milestone, ms["progress"].id)
    assert (dropped.status, dropped.drop_reason) == ("dropped", "Superseded")
    assert db.scalar(select(func.count()).select_from(MilestoneMove)) == 1
    db.refresh(nxt)
    db.refresh(later)
    assert nxt.state == "planned" and later.state == "planned"  # start_next unticked
    assert db.scalar(select(func.count()).select_from(Sprint)) == 3


def test_dropping_without_a_reason_saves_nothing(client_as, running, db):
    client = client_as("lead")
    ms = running.ms
    r = client.form(
        f"/sprints/{running.sprint.id}/close",
        {f"action_{ms['planned'].id}": "carry", f"action_{ms['progress'].id}": "drop"},
    )
    assert r.status_code == 400
    assert b"Give a reason for dropping Doing it." in r.data
    db.refresh(running.sprint)
    assert running.sprint.state == "active"
    assert db.scalar(select(func.count()).select_from(MilestoneMove)) == 0
    assert db.scalar(select(func.count()).select_from(Sprint)) == 1
    assert db.get(Milestone, ms["planned"].id).sprint_id == running.sprint.id


def test_only_the_active_sprint_can_be_closed(client_as, org, db, make_sprint):
    sprint = make_sprint(org.team, TODAY + timedelta(days=20))
    client = client_as("lead")
    r = client.get(f"/sprints/{sprint.id}/close")
    assert b"only the active sprint can be closed" in r.data
    client.form(f"/sprints/{sprint.id}/close", {})
    db.refresh(sprint)
    assert sprint.state == "planned"


def test_engineer_and_other_lead_cannot_reach_the_board(client_as, running):
    client = client_as("engineer")
    assert client.get(f"/sprints/{running.sprint.id}").status_code == 403
    assert client.form(f"/sprints/{running.sprint.id}/close", {}).status_code == 403
    other = client_as("other@example.com")
    assert other.get(f"/sprints/{running.sprint.id}").status_code == 404
    assert other.form(f"/sprints/{running.sprint.id}/close", {}).status_code == 404
    assert other.get(f"/milestones/{running.ms['done'].id}").status_code == 404
    assert other.get(f"/projects/{running.project.id}").status_code == 404
