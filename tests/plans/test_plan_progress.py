"""Growth-plan progress: computed per goal and overall, gaps to the target level, gap → goal,
the print page, the summary partial, goals due soonest and constant query counts."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from tests.conftest import count_queries, login
from tracker.plans import services as plans
from tracker.plans.models import Goal, GoalComment, PlanEvent


def _goal(db, plan, title, **kw) -> Goal:
    goal = Goal(plan_id=plan.id, title=title, **kw)
    db.add(goal)
    db.commit()
    return goal


def _bar(html: str, goal: Goal) -> int:
    """The percentage on a goal's progress bar on the plan page."""
    block = html[html.index(f'id="goal-{goal.id}"') :]
    return int(re.search(r'<progress value="(\d+)" max="100"', block).group(1))


def _overall(html: str) -> int:
    return int(re.search(r'<progress id="overall-\d+" value="(\d+)" max="100"', html).group(1))


def test_progress_is_computed_from_ratings_and_statuses(client_as, org, db, plan, rate):
    in_progress = plan.goals[0]  # 0.5
    py = _goal(db, plan, "Python", competency_key="python-programming", target_proficiency=4)
    sql = _goal(db, plan, "SQL", competency_key="sql", target_proficiency=3)
    unrated = _goal(db, plan, "Models", competency_key="model-development", target_proficiency=4)
    done = _goal(db, plan, "Talk at the meetup", status="done")
    todo = _goal(db, plan, "Write the RFC")
    dropped = _goal(db, plan, "Learn Rust", status="dropped")
    rate(org.eng, "python-programming", 1, rater=org.lead, when=datetime(2026, 1, 1))
    rate(org.eng, "python-programming", 2, rater=org.lead, when=datetime(2026, 6, 1))  # latest
    rate(org.eng, "python-programming", 4, kind="self")  # self-ratings do not count
    rate(org.eng, "sql", 5, rater=org.lead)  # above the target: capped at 100%
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    got = {g.title: _bar(html, g) for g in (in_progress, py, sql, unrated, done, todo, dropped)}
    assert got == {
        "Own the feature store": 50,
        "Python": 50,
        "SQL": 100,
        "Models": 0,
        "Talk at the meetup": 100,
        "Write the RFC": 0,
        "Learn Rust": 0,
    }
    # The mean of the six goals that are not dropped: (50 + 50 + 100 + 0 + 100 + 0) / 6.
    assert _overall(html) == 50
    assert "latest lead rating 2 of a target 4" in html
    assert "dropped: not counted in the overall progress" in html
    rate(org.eng, "model-development", 3, rater=org.lead)
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert _bar(html, unrated) == 75 and _overall(html) == 63  # 375 / 6 = 62.5 → 63 (round)


def test_plan_progress_function(db, org, plan, rate):
    py = _goal(db, plan, "Python", competency_key="python-programming", target_proficiency=4)
    _goal(db, plan, "Old idea", status="dropped", competency_key="sql")
    rate(org.eng, "python-programming", 3, rater=org.lead)
    rate(org.eng, "sql", 2, rater=org.lead)
    rate(org.eng, "mentoring-coaching", 3, rater=org.lead)  # Senior expects 3: no gap
    rate(org.eng, "model-development", 4, kind="self")  # no lead rating: unrated, not a gap
    db.expire_all()  # the goals were added after the plan was loaded in this session
    progress = plans.plan_progress(db, org.eng)
    assert progress.plan.id == plan.id and progress.target.name == "Senior"
    assert [(g.goal.title, g.progress) for g in progress.goals] == [
        ("Own the feature store", 0.5),
        ("Python", 0.75),
        ("Old idea", 0.0),
    ]
    assert progress.goals[1].current == 3 and progress.goals[1].goal is py
    assert progress.overall == (0.5 + 0.75) / 2 and progress.overall_percent == 63
    gaps = {g.competency.key: (g.current, g.expected, g.covered) for g in progress.gaps}
    # Python 3 < 4 (covered by a goal); SQL 2 < 3 (its only goal is dropped: not covered).
    assert gaps == {"python-programming": (3, 4, True), "sql": (2, 3, False)}
    assert progress.unrated == len(progress.view.competencies) - 3
    assert plans.plan_progress(db, org.mate) is None


def test_goals_due_soonest_are_open_goals_dated_first(db, org, plan):
    _goal(db, plan, "Later", due_date=date(2027, 5, 1))
    _goal(db, plan, "Sooner", due_date=date(2027, 1, 1), status="in_progress")
    _goal(db, plan, "Done already", due_date=date(2026, 1, 1), status="done")
    _goal(db, plan, "Dropped", due_date=date(2026, 1, 2), status="dropped")
    titles = [g.title for g in plans.goals_due_soonest(db, org.eng)]
    assert titles == ["Sooner", "Later", "Own the feature store"]  # undated last
    assert [g.title for g in plans.goals_due_soonest(db, org.eng, limit=1)] == ["Sooner"]
    assert plans.goals_due_soonest(db, org.mate) == []


def test_gap_becomes_a_goal_in_one_click(client_as, org, db, plan, rate):
    rate(org.eng, "sql", 1, rater=org.lead)
    rate(org.eng, "python-programming", 4, rater=org.lead)  # meets Senior: no gap
    client = client_as("lead")
    url = f"/members/{org.eng.id}/plan"
    html = client.get(url).data.decode()
    gaps = html[html.index('id="gaps"') :]
    assert 'id="gap-sql"' in gaps and "gap-python-programming" not in gaps
    assert 'name="competency_key" value="sql"' in gaps and "Make this a goal" in gaps
    r = client.form(f"{url}/gap-goal", {"competency_key": "sql"})
    assert r.status_code == 302
    goal = db.scalar(select(Goal).where(Goal.competency_key == "sql"))
    # Senior expects 3 (Practitioner) in SQL; due when the plan is.
    assert goal.title == "Reach Practitioner in SQL and data querying"
    assert (goal.target_proficiency, goal.due_date, goal.status) == (
        3,
        plan.target_date,
        "not_started",
    )
    html = client.get(url).data.decode()
    row = html[html.index('id="gap-sql"') :]
    assert "a goal covers it" in row[: row.index("</tr>")]
    # Issue #13 defect 4: the goal starts from the rating 1 it was made at, so 0%, not 1/3.
    assert goal.baseline_proficiency == 1 and _bar(html, goal) == 0
    assert "started from 1" in html
    r = client.form(f"{url}/gap-goal", {"competency_key": "sql"})
    assert r.status_code == 400 and b"SQL and data querying already has a goal" in r.data
    assert db.scalar(select(Goal.id).where(Goal.competency_key == "sql").offset(1)) is None


def test_engineer_sees_gaps_without_the_button(client_as, org, plan, rate):
    rate(org.eng, "sql", 1, rater=org.lead)
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert 'id="gap-sql"' in html and "Make this a goal" not in html


def test_summary_partial_is_at_the_top_of_the_plan_page(client_as, org, db, plan):
    for i in range(7):
        _goal(db, plan, f"Goal number {i}", position=i + 1)
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    summary = html[html.index('class="plan-summary"') : html.index('id="goals"')]
    assert "Growth plan: towards Senior" in summary and "by 2027-06-30" in summary
    assert "8 goals" in summary and "Overall progress" in summary
    assert summary.count("<li>") == 5  # up to five goals
    assert "Own the feature store" in summary and "Goal number 4" not in summary


def test_print_page_is_clean(client_as, org, db, plan, app):
    db.add(GoalComment(goal_id=plan.goals[0].id, author_id=org.lead.id, body="Good start"))
    db.commit()
    client = client_as("engineer")
    r = client.get(f"/members/{org.eng.id}/plan/print")
    html = r.data.decode()
    assert r.status_code == 200
    assert '<body class="print-page">' in html and 'class="no-print"' in html
    assert "Growth plan: Eve Engineer" in html and "Own the feature store" in html
    assert "Good start" in html and "50%" in html
    main = html[html.index("<main") :]
    assert "<form" not in main and "<progress" not in main
    css = client.get("/static/css/app.css").data.decode()
    assert "/* growth plans */" in css and "@media print" in css.split("/* growth plans */")[1]


def _grow(db, plan, org, rate, make_session, label, n):
    """Add n goals, each with a linked session, two comments, an event and new ratings."""
    for i in range(n):
        session = make_session(org.eng, org.lead, held_at=datetime(2026, 10, i + 1))
        goal = _goal(db, plan, f"{label} goal {i}", competency_key="model-development")
        goal.sessions = [session]
        db.add(GoalComment(goal_id=goal.id, author_id=org.eng.user_id, body="mine"))
        db.add(GoalComment(goal_id=goal.id, author_id=org.lead.id, body="lead's"))
        db.add(PlanEvent(plan_id=plan.id, actor_id=org.lead.id, what=f"event {i}"))
        db.commit()
        rate(org.eng, "model-development", i % 5, rater=org.lead)
        rate(org.eng, "python-programming", i % 5, rater=org.mate.user)


def _queries(app, client, url) -> int:
    with count_queries(app) as n:
        assert client.get(url).status_code == 200
    return n()


def test_plan_and_print_pages_query_counts_do_not_grow(
    app, client, org, db, plan, rate, make_session
):
    rate(org.eng, "sql", 1, rater=org.lead)
    _grow(db, plan, org, rate, make_session, "first", 1)  # one of everything the page loads
    urls = (f"/members/{org.eng.id}/plan", f"/members/{org.eng.id}/plan/print")
    for email in ("lead@example.com", "eve@example.com"):
        client.post("/logout", data={"csrf_token": client.csrf_token()})
        login(client, email)
        client.get(urls[0])
        few = [_queries(app, client, url) for url in urls]
        _grow(db, plan, org, rate, make_session, email, 5)
        many = [_queries(app, client, url) for url in urls]
        assert few == many, (email, few, many)
