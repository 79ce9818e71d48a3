"""The sprint report, the charts and the project timeline: figures, colours, query counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.conftest import count_queries
from tracker.delivery.reports import sprint_report
from tracker.sprints.models import MilestoneMove
from tracker.sprints.reports import project_timeline

TODAY = date.today()
D = timedelta


@pytest.fixture
def history(org, db, make_project, make_sprint, make_milestone):
    """Four sprints of history (three closed, one active, one planned) with every kind of
    outcome: on time, slipped twice and late, late without slipping, moved and overdue."""
    s = [
        make_sprint(org.team, TODAY - D(45), state="closed", name="S1"),
        make_sprint(org.team, TODAY - D(31), state="closed", name="S2"),
        make_sprint(org.team, TODAY - D(17), state="closed", name="S3"),
        make_sprint(org.team, TODAY - D(3), state="active", name="S4"),
        make_sprint(org.team, TODAY + D(11), name="S5"),
    ]
    p = make_project(org.team, "Store")
    old = datetime.combine(s[0].start_date, datetime.min.time())
    ms = {
        "a": make_milestone(p, "On time", s[0], org.eng, status="done",
                            done_date=s[0].start_date + D(5), due_date=s[0].start_date + D(6),
                            created_at=old),
        "b": make_milestone(p, "Slipper", s[2], org.mate, status="done",
                            done_date=s[2].start_date + D(2), due_date=s[0].end_date,
                            created_at=old),
        "c": make_milestone(p, "Late one", s[1], org.eng, status="done",
                            done_date=s[1].start_date + D(10), due_date=s[1].start_date + D(5)),
        "d": make_milestone(p, "Overdue", s[3], org.eng, status="in progress",
                            due_date=s[2].end_date),
        "e": make_milestone(p, "Not started", s[3], org.eng, due_date=TODAY + D(2)),
        "f": make_milestone(p, "Going fine", s[3], org.mate, status="in progress",
                            due_date=TODAY + D(5)),
        "g": make_milestone(p, "Next up", s[4], org.mate, due_date=s[4].start_date + D(3)),
    }  # fmt: skip
    moves = [
        ("b", 0, 1, True),
        ("b", 1, 2, True),
        ("d", 2, 3, False),
    ]
    for key, a, b, carried in moves:
        db.add(
            MilestoneMove(
                milestone_id=ms[key].id,
                from_sprint_id=s[a].id,
                to_sprint_id=s[b].id,
                carried_over=carried,
                moved_by_id=org.lead.id,
            )
        )
    db.commit()
    org.s, org.p, org.ms = s, p, ms
    return org


def test_report_figures(db, history):
    report = sprint_report(db, history.team, n=6)
    rows = {
        r.sprint.name: (r.planned, r.delivered, r.late, r.slipped, r.carried) for r in report.rows
    }
    assert rows == {
        "S1": (2, 1, 0, 1, 1),
        "S2": (2, 1, 1, 1, 1),
        "S3": (2, 1, 1, 1, 0),
        "S4": (3, 0, 0, 0, 0),
    }  # S5 has not started
    assert [(r.milestone.title, r.slips, r.path) for r in report.slipped] == [
        ("Slipper", 2, ["S1", "S2", "S3"]),
        ("Overdue", 1, ["S3", "S4"]),
    ]
    (burnup,) = report.burnups
    assert burnup.points[0] == ("S1", 2, 1)  # two milestones existed then; one delivered
    assert burnup.points[-1] == ("S4", 7, 3)


def test_report_page_shows_the_table_slips_and_charts(client_as, history):
    client = client_as("lead")
    html = client.get(f"/teams/{history.team.id}/sprint-report").data.decode()
    assert "<td>2</td><td>1</td><td>1</td>\n    <td>1</td><td>1</td>" in html  # S2
    assert "Slipper" in html and "2×" in html and "S1 → S2 → S3" in html
    assert f'src="/teams/{history.team.id}/delivery-trend.svg?n=6"' in html
    assert f"/projects/{history.p.id}/burnup.svg" in html
    html = client.get(f"/teams/{history.team.id}/sprint-report?n=2").data.decode()
    assert ">S3</a>" in html and ">S4</a>" in html and ">S2</a>" not in html
    assert client.get(f"/teams/{history.team.id}/sprint-report?n=x").status_code == 200


def test_charts_are_svg_images_with_their_own_csp(client_as, history):
    client = client_as("lead")
    for url in (
        f"/teams/{history.team.id}/delivery-trend.svg",
        f"/projects/{history.p.id}/burnup.svg",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
        assert (
            r.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        )
        # No external scripts (pygal's inline config never runs: the CSP and <img> forbid it).
        assert b'xlink:href="http' not in r.data and b'src="http' not in r.data
    r = client.get(f"/teams/{history.team.id}/delivery-trend.svg")
    assert b"Planned" in r.data and b"Delivered" in r.data and b"S3" in r.data


def test_timeline_colours_each_state(db, history):
    timeline = project_timeline(db, history.p)
    states = {row.milestone.title: row.state for row in timeline.rows}
    assert states == {
        "On time": "done",
        "Slipper": "done",
        "Late one": "done",
        "Overdue": "late",
        "Not started": "at-risk",
        "Going fine": "on-track",
        "Next up": "on-track",
    }
    assert [s.name for s in timeline.sprints] == ["S1", "S2", "S3", "S4", "S5"]
    slipper = next(r for r in timeline.rows if r.milestone.title == "Slipper")
    assert [sorted(c) for c in slipper.cells] == [
        ["due", "slipped"],
        ["slipped"],
        ["delivered", "planned"],
        [],
        [],
    ]
    assert slipper.slips == 2


def test_timeline_page(client_as, history):
    client = client_as("lead")
    html = client.get(f"/projects/{history.p.id}").data.decode()
    assert 'class="ms-row-at-risk"' in html and 'class="ms-row-late"' in html
    assert "slipped 2×" in html and 'th scope="col" class="current"' in html


def _page_counts(app, client, history):
    counts = []
    for url in (
        f"/sprints/{history.s[3].id}",
        f"/teams/{history.team.id}/sprint-report",
        f"/projects/{history.p.id}",
        f"/teams/{history.team.id}/delivery",
        f"/teams/{history.team.id}/delivery-trend.svg",
        f"/projects/{history.p.id}/burnup.svg",
        "/delivery",
    ):
        with count_queries(app) as n:
            assert client.get(url).status_code == 200, url
        counts.append(n())
    return counts


def test_pages_run_a_constant_number_of_queries(
    app, client_as, history, db, make_sprint, make_milestone, make_project
):
    client = client_as("lead")
    before = _page_counts(app, client, history)
    extra = [
        make_sprint(history.team, TODAY - D(200 - 14 * i), state="closed", name=f"Old {i}")
        for i in range(5)
    ]
    other = make_project(history.team, "Other", owner=history.eng)
    for i in range(20):
        m = make_milestone(
            history.p if i % 2 else other,
            f"Extra {i}",
            history.s[3] if i % 3 else extra[i % 5],
            history.eng if i % 2 else history.mate,
            due_date=TODAY - D(i),
            status="done" if i % 4 == 0 else "planned",
            done_date=TODAY - D(i) if i % 4 == 0 else None,
        )
        db.add(
            MilestoneMove(
                milestone_id=m.id, from_sprint_id=extra[i % 5].id, to_sprint_id=history.s[3].id
            )
        )
    db.commit()
    after = _page_counts(app, client, history)
    assert after == before, f"{before} -> {after}"
    assert max(after) <= 12
