"""What a sprint planned counts what moved out of it; carried milestones due before the next
sprint starts are flagged; status words are labels; counted nouns agree (issue #13, item 7)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.delivery.reports import sprint_report
from tracker.sprints.models import Sprint
from tracker.text import count_of, status_label

TODAY = date.today()
D = timedelta


@pytest.fixture
def running(org, make_project, make_sprint, make_milestone):
    """An active sprint started 3 days ago: two open milestones (one due in 2 days), one done."""
    org.sprint = make_sprint(org.team, TODAY - D(3), state="active", name="Sprint 1")
    org.project = make_project(org.team, "Store")
    org.soon = make_milestone(
        org.project, "Due soon", sprint=org.sprint, owner=org.eng, due_date=TODAY + D(2)
    )
    org.later = make_milestone(org.project, "No date", sprint=org.sprint, status="in progress")
    org.done = make_milestone(
        org.project, "Shipped", sprint=org.sprint, status="done", done_date=TODAY
    )
    return org


def _close(client, running, start_next: bool) -> None:
    data = {f"action_{running.soon.id}": "carry", f"action_{running.later.id}": "carry"}
    if start_next:
        data["start_next"] = "y"
    assert client.form(f"/sprints/{running.sprint.id}/close", data).status_code == 302


def test_a_closed_sprints_board_counts_what_was_carried_out_of_it(client_as, running, db):
    client = client_as("lead")
    _close(client, running, start_next=True)
    html = client.get(f"/sprints/{running.sprint.id}").data.decode()
    assert "3 milestones planned for this sprint, 2 of them moved to another sprint" in html
    moved = html[html.index('aria-label="Moved to another sprint"') :]
    assert "Due soon" in moved and "No date" in moved and "now in Sprint 2" in moved
    report = sprint_report(db, running.team)
    row = next(r for r in report.rows if r.sprint.id == running.sprint.id)
    assert (row.planned, row.carried, row.delivered) == (3, 2, 1)  # the same count


def test_close_page_counts_milestones_moved_out_mid_sprint(client_as, running, db, make_sprint):
    later = make_sprint(running.team, running.sprint.end_date + D(1), name="Sprint 2")
    client = client_as("lead")
    r = client.form(
        f"/milestones/{running.later.id}/edit",
        {
            "title": "No date",
            "status": "in progress",
            "sprint_id": str(later.id),
            "move_reason": "Blocked",
        },
    )
    assert r.status_code == 302
    html = client.get(f"/sprints/{running.sprint.id}/close").data.decode()
    assert "<dt>Planned</dt><dd>3</dd>" in html
    assert "<dt>Moved to another sprint</dt><dd>1</dd>" in html
    assert "<dt>Left</dt><dd>1</dd>" in html


def test_carried_milestone_due_before_the_next_sprint_keeps_its_date_flagged(
    client_as, running, db
):
    client = client_as("lead")
    close_page = client.get(f"/sprints/{running.sprint.id}/close").data.decode()
    notice = close_page[close_page.index('id="due-early"') :]
    assert "Due soon</strong> (due " in notice and "keeps its due date" in notice
    _close(client, running, start_next=False)
    nxt = db.scalar(select(Sprint).where(Sprint.state == "planned"))
    html = client.get(f"/sprints/{nxt.id}").data.decode()
    assert "Due before this sprint started" in html
    soon_card = html[html.index("Due soon") :]
    assert soon_card.index("Due before this sprint started") < soon_card.index("</article>")
    assert "No date" in html and html.count("Due before this sprint started") == 1
    assert db.get(type(running.soon), running.soon.id).due_date == TODAY + D(2)


def test_started_now_the_carried_date_is_no_longer_before_the_start(client_as, running, db):
    client = client_as("lead")
    r = client.form(
        f"/sprints/{running.sprint.id}/close",
        {
            f"action_{running.soon.id}": "carry",
            f"action_{running.later.id}": "carry",
            "start_next": "y",
        },
        follow_redirects=True,
    )
    assert b"Due before this sprint started" not in r.data  # due in 2 days, started today


def test_status_words_are_labels_on_every_delivery_page(client_as, running, db, make_milestone):
    at_risk = make_milestone(running.project, "Risky", sprint=running.sprint, due_date=TODAY)
    client = client_as("lead")
    pages = [
        f"/sprints/{running.sprint.id}",
        f"/projects/{running.project.id}",
        f"/milestones/{at_risk.id}",
        f"/teams/{running.team.id}/delivery",
        f"/teams/{running.team.id}/sprint-report",
    ]
    for url in pages:
        html = client.get(url).data.decode()
        text = re.sub(r"<[^>]+>", " ", html)  # class names may keep the raw word
        assert "at-risk" not in text and "on-track" not in text, url
    board = client.get(f"/sprints/{running.sprint.id}").data.decode()
    assert ">At risk</span>" in board
    project = client.get(f"/projects/{running.project.id}").data.decode()
    assert ">On track</span>" in project and ">At risk: due this sprint" in project
    assert ">On track</span>" in client.get(f"/milestones/{running.later.id}").data.decode()


def test_label_and_count_words():
    assert [status_label(w) for w in ("at-risk", "on-track", "in progress", "done", None)] == [
        "At risk",
        "On track",
        "In progress",
        "Done",
        "",
    ]
    assert [count_of(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]


def test_a_one_day_sprint_length_is_singular(client_as, org, db):
    org.team.sprint_length_days = 1
    db.commit()
    client = client_as("lead")
    assert "sprints of 1 day," in client.get(f"/teams/{org.team.id}/delivery").data.decode()
    html = client.get(f"/teams/{org.team.id}/sprints/new").data.decode()
    assert "sprint length (1 day)" in html
