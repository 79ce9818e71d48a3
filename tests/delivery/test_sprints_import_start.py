"""An import never makes a sprint active: imported sprints are closed or planned, and starting
one that is dated in the future moves it to today like any other (issue #13, defect 3)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker.sprints.models import Sprint

TODAY = date.today()


def _jira(due: date) -> str:
    return (
        "Issue key,Summary,Status,Sprint,Due date\r\n"
        f"ML-1,Serving API,In Progress,ML Sprint 7,{due.isoformat()}\r\n"
    )


def test_an_imported_sprint_is_never_active_and_starts_today(client_as, org, db):
    client = client_as("lead")
    content = _jira(TODAY + timedelta(days=30))
    r = client.form(
        f"/teams/{org.team.id}/delivery/import/confirm", {"content": content, "project": ""}
    )
    assert r.status_code == 302
    sprint = db.scalar(select(Sprint))
    assert sprint.state == "planned" and sprint.start_date > TODAY
    length = sprint.end_date - sprint.start_date
    assert b"starts in" in client.get(f"/sprints/{sprint.id}").data  # true while planned
    html = client.form(f"/sprints/{sprint.id}/start", follow_redirects=True).data.decode()
    db.refresh(sprint)
    assert (sprint.state, sprint.start_date, sprint.end_date) == ("active", TODAY, TODAY + length)
    assert "starts in" not in html and f"{length.days + 1} days left" in html
