"""The org-scale generator (`seed-demo --teams/--members/--weeks/--seed`) at a tiny size."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import _empty_all_tables, login
from tracker.auditing import AuditEvent
from tracker.auth.models import User
from tracker.competencies.models import Rating
from tracker.db import get_engine
from tracker.mentoring.models import ActionItem, Meeting
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.team.models import Member, Team

ARGS = ["tracker", "seed-demo", "--teams", "2", "--members", "12", "--weeks", "4", "--seed", "1"]
ARGS += ["--password", "teamtracker-demo"]  # outside development the default is a random one
MODELS = (
    User,
    Team,
    Member,
    Rating,
    Meeting,
    ActionItem,
    Sprint,
    Milestone,
    MilestoneMove,
)


def _snapshot(db):
    counts = {m.__name__: db.scalar(select(func.count()).select_from(m)) for m in MODELS}
    first_ratings = db.execute(
        select(Rating.member_id, Rating.competency_id, Rating.kind, Rating.value, Rating.created_at)
        .order_by(Rating.id)
        .limit(5)
    ).all()
    first_sessions = db.execute(
        select(Meeting.member_id, Meeting.held_at, Meeting.shared_notes)
        .order_by(Meeting.id)
        .limit(5)
    ).all()
    members = db.execute(select(Member.email, Member.level).order_by(Member.id).limit(5)).all()
    return counts, first_ratings, first_sessions, members


def test_scale_seed_counts_determinism_and_pages(app, db, runner, client):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert "Generated in" in result.output
    first = _snapshot(db)
    counts = first[0]
    assert counts["Team"] == 2 and counts["Member"] == 12
    assert counts["User"] >= 2 and counts["Rating"] > 12 * 39
    assert counts["Meeting"] > 12 and counts["ActionItem"] > 0
    assert counts["Sprint"] >= 2 * 2 and counts["Milestone"] > 0
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0  # no audit rows
    # A second run is refused, not duplicated.
    assert runner.invoke(args=ARGS).exit_code != 0
    assert db.scalar(select(func.count()).select_from(Member)) == 12

    # Same seed, empty database: the same data.
    db.commit()  # end the test session's read transaction: TRUNCATE waits for it on PostgreSQL
    with app.app_context():
        _empty_all_tables(get_engine())
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert _snapshot(db) == first

    # Pages for a generated lead render.
    team = db.scalar(select(Team).order_by(Team.id))
    member = db.scalar(select(Member).where(Member.team_id == team.id).order_by(Member.id))
    sprint = db.scalar(select(Sprint).where(Sprint.team_id == team.id, Sprint.state == "active"))
    project = db.scalar(select(Project).where(Project.team_id == team.id))
    assert login(client, "lead01@scale.example.com", "teamtracker-demo").status_code == 302
    for url in (
        "/dashboard",
        f"/teams/{team.id}",
        f"/members/{member.id}",
        f"/members/{member.id}/competencies",
        f"/members/{member.id}/sessions",
        f"/teams/{team.id}/matrix",
        f"/sprints/{sprint.id}",
        f"/teams/{team.id}/sprint-report",
        f"/projects/{project.id}",
    ):
        assert client.get(url).status_code == 200, url
    engineer = db.scalar(
        select(User).where(User.role == "engineer", User.email.like("%@scale.example.com"))
    )
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    assert login(client, engineer.email, "teamtracker-demo").status_code == 302
    assert client.get("/me").status_code == 200


def test_timeline_pages_at_fifty_with_constant_statements(app, client_as, org, make_session):
    from datetime import datetime, timedelta

    from tests.conftest import count_queries

    start = datetime(2025, 1, 6, 10)
    for i in range(55):
        make_session(org.eng, org.lead, held_at=start + timedelta(days=7 * i), shared=f"note {i}")
    client = client_as("lead")
    url = f"/members/{org.eng.id}/sessions"
    with count_queries(app) as n:
        first = client.get(url).get_data(as_text=True)
    assert first.count('class="notes"') == 50 and "note 54" in first and "older" in first
    with count_queries(app) as m:
        older = client.get(url + "?page=2").get_data(as_text=True)
    assert older.count('class="notes"') == 5 and "note 0" in older and "newer" in older
    assert n() == m()


def test_dashboard_pages_overdue_items(app, client_as, org, make_session):
    from datetime import date, datetime, timedelta

    items = [(f"item {i:02d}", "mentee", date(2025, 1, 1) + timedelta(days=i)) for i in range(60)]
    make_session(org.eng, org.lead, held_at=datetime(2024, 12, 1, 10), items=items)
    client = client_as("lead")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "item 00" in html and "item 49" in html and "item 50" not in html
    assert "1–50 of 60" in html
    html = client.get("/dashboard?items_page=2").get_data(as_text=True)
    assert "item 50" in html and "item 59" in html and "item 00" not in html
