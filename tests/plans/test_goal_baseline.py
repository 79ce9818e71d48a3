"""Issue #13 defect 4: a goal's progress starts from the lead rating it was made at (0% at
creation, 100% at the target, never below 0 or over 100), and the plan's overall follows."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import select, text

from tests.test_migrations import _cfg
from tracker.db import get_db, get_engine, make_engine
from tracker.plans import services as plans
from tracker.plans.models import Goal


def _bar(html: str, goal_id: int) -> int:
    block = html[html.index(f'id="goal-{goal_id}"') :]
    return int(re.search(r'<progress value="(\d+)" max="100"', block).group(1))


def _overall(html: str) -> int:
    return int(re.search(r'<progress id="overall-\d+" value="(\d+)" max="100"', html).group(1))


@pytest.mark.parametrize(
    ("current", "baseline", "target", "expected"),
    [
        (3, 3, 4, 0.0),  # at creation
        (4, 3, 4, 1.0),  # at the target
        (5, 3, 4, 1.0),  # past it: never over 100%
        (2, 3, 4, 0.0),  # fell below where it started: never negative
        (2, 1, 5, 0.25),
        (4, 4, 4, 1.0),  # baseline = target, still there
        (3, 4, 4, 0.0),  # baseline = target, fell below it
        (3, 4, 3, 1.0),  # target lowered under the baseline, and met
        (2, 4, 3, 0.0),  # target lowered under the baseline, not met
    ],
)
def test_travelled_boundaries(current, baseline, target, expected):
    assert plans.travelled(current, baseline, target) == expected


def test_a_goal_from_a_gap_starts_at_zero(client_as, org, db, plan, rate):
    rate(org.eng, "python-programming", 3, rater=org.lead)  # Senior expects 4: a gap
    client = client_as("lead")
    url = f"/members/{org.eng.id}/plan"
    assert client.form(f"{url}/gap-goal", {"competency_key": "python-programming"}).status_code
    goal = db.scalar(select(Goal).where(Goal.competency_key == "python-programming"))
    assert goal.baseline_proficiency == 3 and goal.status == "not_started"
    html = client.get(url).data.decode()
    assert _bar(html, goal.id) == 0  # was 75% (3 of 4) while "Not started"
    assert _overall(html) == 25  # the in-progress goal's 50% and this goal's 0%
    rate(org.eng, "python-programming", 4, rater=org.lead)
    html = client.get(url).data.decode()
    assert _bar(html, goal.id) == 100 and _overall(html) == 75
    rate(org.eng, "python-programming", 2, rater=org.lead)  # below where it started
    html = client.get(url).data.decode()
    assert _bar(html, goal.id) == 0 and _overall(html) == 25


def test_an_unrated_competency_starts_from_the_lowest_value(client_as, org, db, plan, rate):
    client = client_as("lead")
    url = f"/members/{org.eng.id}/plan"
    data = {"title": "Models", "competency_key": "model-development", "target_proficiency": "4"}
    assert client.form(f"{url}/goals", data).status_code == 302
    goal = db.scalar(select(Goal).where(Goal.competency_key == "model-development"))
    assert goal.baseline_proficiency == 0  # the scale runs 0 (None) to 5
    assert _bar(client.get(url).data.decode(), goal.id) == 0
    rate(org.eng, "model-development", 2, rater=org.lead)
    rate(org.eng, "model-development", 4, kind="self")  # self-ratings never count
    html = client.get(url).data.decode()
    assert _bar(html, goal.id) == 50 and "started from 0" in html


def _edit(client, goal_id: int, **changes):
    data = {
        "title": "Python",
        "competency_key": "python-programming",
        "target_proficiency": "4",
        "status": "in_progress",
    } | changes
    return client.form(f"/goals/{goal_id}/edit", data)


def test_a_changed_target_keeps_the_baseline_a_changed_competency_moves_it(
    client_as, org, db, plan, rate
):
    rate(org.eng, "python-programming", 2, rater=org.lead)
    rate(org.eng, "sql", 1, rater=org.lead)
    client = client_as("lead")
    url = f"/members/{org.eng.id}/plan"
    data = {"title": "Python", "competency_key": "python-programming", "target_proficiency": "4"}
    assert client.form(f"{url}/goals", data).status_code == 302
    goal_id = db.scalar(select(Goal.id).where(Goal.title == "Python"))
    rate(org.eng, "python-programming", 3, rater=org.lead)
    assert _bar(client.get(url).data.decode(), goal_id) == 50  # 2 → 3 of 2 → 4
    assert _edit(client, goal_id, target_proficiency="5").status_code == 302
    assert db.get(Goal, goal_id).baseline_proficiency == 2  # the start does not move
    assert _bar(client.get(url).data.decode(), goal_id) == 33  # 2 → 3 of 2 → 5
    assert _edit(client, goal_id, target_proficiency="2").status_code == 302
    assert _bar(client.get(url).data.decode(), goal_id) == 100  # baseline = target, met
    assert _edit(client, goal_id, competency_key="sql", target_proficiency="3").status_code == 302
    assert db.get(Goal, goal_id).baseline_proficiency == 1  # SQL's own starting point
    assert _bar(client.get(url).data.decode(), goal_id) == 0


def test_migration_backfills_the_baseline(fresh_url):
    from tracker.seed.demo import seed

    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "head")
        db = get_db()
        seed(db, "demo-passphrase-1")
        db.commit()
        db.close()
        get_engine().dispose()
        command.downgrade(cfg, "0012")
        engine = make_engine(fresh_url)
        with engine.begin() as conn:
            q = conn.execute
            plan_id, member_id = q(text("SELECT id, member_id FROM growth_plan LIMIT 1")).one()
            comps = q(text("SELECT id, key FROM competency ORDER BY id LIMIT 2")).all()
            (rated_id, rated), (_unrated_id, unrated) = comps
            q(text("DELETE FROM rating WHERE member_id = :m"), {"m": member_id})
            for kind, value, at in (
                ("lead", 2, datetime(2026, 1, 1)),
                ("self", 5, datetime(2026, 2, 1)),  # self-ratings never count
                ("lead", 3, datetime(2026, 3, 1)),
            ):
                q(
                    text(
                        "INSERT INTO rating (member_id, competency_id, kind, value, note, "
                        "evidence_url, created_at) VALUES (:m, :c, :k, :v, '', '', :at)"
                    ),
                    {"m": member_id, "c": rated_id, "k": kind, "v": value, "at": at},
                )
            made = {
                "between": (rated, datetime(2026, 2, 15)),
                "after": (rated, datetime(2026, 4, 1)),
                "before any": (rated, datetime(2025, 6, 1)),
                "never rated": (unrated, datetime(2026, 2, 15)),
                "no competency": (None, datetime(2026, 2, 15)),
            }
            for title, (key, at) in made.items():
                q(
                    text(
                        "INSERT INTO goal (plan_id, title, description, competency_key, "
                        "target_proficiency, status, position, created_at) "
                        "VALUES (:p, :t, '', :k, 4, 'not_started', 99, :at)"
                    ),
                    {"p": plan_id, "t": title, "k": key, "at": at},
                )
        engine.dispose()
        command.upgrade(cfg, "0013")
    finally:
        ctx.pop()
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        got = dict(
            conn.execute(
                text("SELECT title, baseline_proficiency FROM goal WHERE position = 99")
            ).all()
        )
    engine.dispose()
    assert got == {
        "between": 2,  # the rating it was made at
        "after": 3,
        "before any": 2,  # made before the first rating: the earliest one
        "never rated": None,  # the scale's lowest value, as for a new goal
        "no competency": None,
    }
