"""A sprint made active has begun: starting moves a future start to today, closing early ends
the sprint that day, and every page says the same days left (issue #13, defect 3)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.sprints.models import Sprint

TODAY = date.today()
D = timedelta


@pytest.fixture
def running(org, make_project, make_sprint, make_milestone):
    """An active sprint started 3 days ago (14 days long) with one open milestone."""
    org.sprint = make_sprint(org.team, TODAY - D(3), state="active", name="Sprint 1")
    org.project = make_project(org.team, "Store")
    org.open = make_milestone(org.project, "Open one", sprint=org.sprint, owner=org.eng)
    return org


def _timing(html: str) -> str:
    """The words a page uses for the sprint's days: "N days left" or "starts in N days"."""
    found = re.findall(r"\d+ days? left|starts in \d+ days?", html)
    assert found, "no days left on the page"
    return found[0]


def test_closing_early_and_starting_the_next_now_starts_it_today(client_as, running, db):
    client = client_as("lead")
    r = client.form(
        f"/sprints/{running.sprint.id}/close",
        {f"action_{running.open.id}": "carry", "start_next": "y"},
    )
    assert r.status_code == 302
    nxt = db.scalar(select(Sprint).where(Sprint.state == "active"))
    db.refresh(running.sprint)
    assert (nxt.start_date, nxt.end_date) == (TODAY, TODAY + D(13))  # its length kept
    assert running.sprint.end_date == TODAY - D(1)  # the closed one yields its last days
    board = client.get(f"/sprints/{nxt.id}").data.decode()
    assert "starts in" not in board and _timing(board) == "14 days left"
    for url in ("/delivery", "/dashboard", f"/teams/{running.team.id}/delivery"):
        page = client.get(url).data.decode()
        assert "starts in" not in page and _timing(page) == "14 days left", url
    project = client.get(f"/projects/{running.project.id}").data.decode()
    assert _timing(project) == "14 days left"
    report = client.get(f"/teams/{running.team.id}/sprint-report").data.decode()
    assert _timing(report) == "14 days left"


def test_closing_early_without_starting_ends_the_sprint_the_day_it_closed(
    client_as, running, db, make_sprint
):
    nxt = make_sprint(running.team, running.sprint.end_date + D(1), name="Sprint 2")
    client = client_as("lead")
    client.form(f"/sprints/{running.sprint.id}/close", {f"action_{running.open.id}": "carry"})
    db.refresh(running.sprint)
    db.refresh(nxt)
    assert running.sprint.end_date == TODAY and nxt.state == "planned"
    r = client.form(f"/sprints/{nxt.id}/start", follow_redirects=True)
    assert b"It now runs from today" in r.data and b"starts in" not in r.data
    db.refresh(nxt)
    db.refresh(running.sprint)
    assert (nxt.state, nxt.start_date, nxt.end_date) == ("active", TODAY, TODAY + D(13))
    assert running.sprint.end_date == TODAY - D(1)  # sprints still never overlap


def test_start_button_on_a_future_sprint_starts_it_today_keeping_its_length(
    client_as, org, db, make_sprint
):
    sprint = make_sprint(org.team, TODAY + D(7), TODAY + D(16), name="Future")
    client = client_as("lead")
    html = client.form(f"/sprints/{sprint.id}/start", follow_redirects=True).data.decode()
    db.refresh(sprint)
    assert (sprint.state, sprint.start_date, sprint.end_date) == ("active", TODAY, TODAY + D(9))
    assert _timing(html) == "10 days left"
    assert _timing(client.get("/delivery").data.decode()) == "10 days left"


def test_starting_a_sprint_over_an_earlier_planned_one_is_refused(client_as, org, db, make_sprint):
    first = make_sprint(org.team, TODAY + D(2), TODAY + D(8), name="First")
    later = make_sprint(org.team, TODAY + D(9), name="Later")
    client = client_as("lead")
    r = client.form(f"/sprints/{later.id}/start", follow_redirects=True)
    assert b"These dates overlap First" in r.data
    db.refresh(later)
    db.refresh(first)
    assert later.state == "planned" and later.start_date == TODAY + D(9)


def test_a_sprint_started_and_closed_today_cannot_start_the_next_today(
    client_as, org, db, make_sprint
):
    sprint = make_sprint(org.team, TODAY, state="active", name="Brief")
    client = client_as("lead")
    r = client.form(f"/sprints/{sprint.id}/close", {"start_next": "y"})
    assert r.status_code == 400 and b"Brief ran until today" in r.data
    db.refresh(sprint)
    assert sprint.state == "active"
    assert db.scalar(select(Sprint).where(Sprint.id != sprint.id)) is None


def test_an_active_sprint_cannot_be_moved_into_the_future(client_as, running, db):
    client = client_as("lead")
    r = client.form(
        f"/sprints/{running.sprint.id}/edit",
        {
            "name": "Sprint 1",
            "start_date": (TODAY + D(1)).isoformat(),
            "end_date": (TODAY + D(14)).isoformat(),
        },
    )
    assert r.status_code == 400 and b"its start cannot be after today" in r.data
    db.refresh(running.sprint)
    assert running.sprint.start_date == TODAY - D(3)


@pytest.mark.parametrize(
    ("start", "end", "state", "words"),
    [
        (TODAY + D(1), TODAY + D(5), "planned", "starts in 1 day"),
        (TODAY + D(3), TODAY + D(5), "planned", "starts in 3 days"),
        (TODAY - D(4), TODAY, "active", "1 day left"),
        (TODAY - D(9), TODAY - D(1), "active", "past its end date"),
        (TODAY - D(9), TODAY - D(1), "closed", "closed"),
    ],
)
def test_one_timing_phrase(start, end, state, words):
    assert Sprint(start_date=start, end_date=end, state=state).timing(TODAY) == words
