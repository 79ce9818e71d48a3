"""Issue #13, a person at a glance: the member page shows the panels later features offer
through team's hook (tracker/team/hooks.py), in order, to exactly who saw the page before,
never a private note, and at a cost that does not grow with the member's history."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import count_queries
from tracker.db import utcnow
from tracker.team.hooks import GLANCES

CANARY = "PRIVATE-CANARY-7f3e9"  # in every private note here: it must never be on the page
HEADINGS = [
    "glance-meetings-h",
    "glance-mood-h",
    "glance-items-h",
    "glance-plan-h",
    "glance-disconnects-h",
    "glance-milestones-h",
]


def _history(org, db, make_session, rate, make_project, make_sprint, make_milestone, n: int):
    """n sessions (moods, private canary notes, open items both ways), n goals, n milestones
    and ratings with disconnects for Eve."""
    from tracker.plans.models import Goal, GrowthPlan
    from tracker.sprints.models import MilestoneMove

    now, today = utcnow(), date.today()
    for i in range(n):
        s = make_session(
            org.eng,
            org.lead,
            held_at=now - timedelta(days=7 * (n - i)),
            shared=f"shared {i}",
            private=f"{CANARY} {i}",
            items=[(f"Eve item {i}", "mentee", None), (f"Lead item {i}", "lead", today)],
        )
        s.mood = 1 + i % 5
    db.add(GrowthPlan(member_id=org.eng.id, target_level="Senior", goals=[]))
    db.commit()
    plan = db.query(GrowthPlan).filter_by(member_id=org.eng.id).one()
    for i in range(n):
        db.add(Goal(plan_id=plan.id, title=f"Goal {i}", status="done" if i % 2 else "in_progress"))
    sprint = make_sprint(org.team, today - timedelta(days=3), state="active", name="Now")
    earlier = make_sprint(org.team, today - timedelta(days=20), end=today - timedelta(days=7))
    project = make_project(org.team, "Feature store")
    for i in range(n):
        m = make_milestone(
            project, f"Late {i}", sprint=sprint, owner=org.eng, due_date=today - timedelta(days=1)
        )
        db.add(MilestoneMove(milestone_id=m.id, from_sprint_id=earlier.id, to_sprint_id=sprint.id))
    db.commit()
    rate(org.eng, "python-programming", 1, rater=org.lead)
    rate(org.eng, "python-programming", 4, kind="self", rater=org.eng.user)


def test_panels_show_in_order_to_the_lead(client_as, org, framework, plan, one_on_one, delivery):
    html = client_as("lead").get(f"/members/{org.eng.id}").get_data(as_text=True)
    assert "At a glance" in html
    places = [html.index(f'id="{h}"') for h in HEADINGS]
    assert places == sorted(places)


def test_every_later_feature_offers_its_panel(app):
    assert sorted((g.order, g.name) for g in GLANCES.values()) == [
        (10, "meetings"),
        (20, "mood"),
        (30, "action_items"),
        (40, "growth_plan"),
        (50, "disconnects"),
        (60, "milestones"),
    ]


def test_a_panel_with_nothing_to_say_is_left_out(client_as, org):
    """No framework: nothing to rate against, so no disconnects panel; the rest still show."""
    html = client_as("lead").get(f"/members/{org.eng.id}").get_data(as_text=True)
    assert 'id="glance-disconnects-h"' not in html
    assert 'id="glance-meetings-h"' in html and 'id="glance-plan-h"' in html


def test_who_sees_the_member_page_is_unchanged(client_as, org):
    url = f"/members/{org.eng.id}"
    assert client_as("lead").get(url).status_code == 200
    assert client_as("admin").get(url).status_code == 200
    assert client_as("engineer").get(url).status_code == 200  # Eve herself
    assert client_as("max@example.com").get(url).status_code == 404  # a teammate
    assert client_as("other@example.com").get(url).status_code == 404  # another team's lead
    assert client_as("lead").get(f"/members/{org.stranger.id}").status_code == 404


def test_no_private_note_reaches_the_page_for_anyone(
    client_as, org, db, framework, make_session, rate, make_project, make_sprint, make_milestone
):
    """Not to the engineer, not to an admin, and not even to the author: the page shows only
    shared data; the note stays on its own session page, for its author (the control)."""
    _history(org, db, make_session, rate, make_project, make_sprint, make_milestone, 3)
    for who in ("lead", "admin", "engineer"):
        html = client_as(who).get(f"/members/{org.eng.id}").get_data(as_text=True)
        assert 'id="glance-mood-h"' in html and "Lead item 2" in html, who
        assert CANARY not in html, who
        start = html.index('class="glances"')
        panels = html[start : html.index("</section>", start)]
        assert "private" not in panels.lower(), who  # no count or mention of private notes
    from tracker.mentoring.models import Meeting

    session_id = db.query(Meeting.id).filter_by(member_id=org.eng.id).first()[0]
    assert CANARY in client_as("lead").get(f"/sessions/{session_id}").get_data(as_text=True)


def test_the_page_costs_the_same_for_a_long_history(
    app,
    client_as,
    org,
    db,
    framework,
    make_member,
    make_session,
    rate,
    make_project,
    make_sprint,
    make_milestone,
):
    client = client_as("lead")
    _history(org, db, make_session, rate, make_project, make_sprint, make_milestone, 2)
    url = f"/members/{org.eng.id}"
    client.get(url)
    with count_queries(app) as small:
        html = client.get(url).get_data(as_text=True)
    assert "Late 1" in html
    from tracker.mentoring.models import ActionItem, Meeting
    from tracker.plans.models import Goal, GrowthPlan
    from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint

    # Twelve times the history: more sessions, items, goals, milestones and moves.
    now, today = utcnow(), date.today()
    plan = db.query(GrowthPlan).filter_by(member_id=org.eng.id).one()
    sprint = db.query(Sprint).filter_by(name="Now").one()
    earlier = db.query(Sprint).filter(Sprint.name != "Now").first()
    project = db.query(Project).filter_by(name="Feature store").one()
    for i in range(22):
        s = Meeting(
            member_id=org.eng.id,
            mentor_id=org.lead.id,
            held_at=now - timedelta(days=200 + i),
            private_notes=CANARY,
            mood=1 + i % 5,
        )
        db.add(s)
        db.flush()
        db.add(ActionItem(session_id=s.id, member_id=org.eng.id, text=f"More {i}", owner="lead"))
        db.add(ActionItem(session_id=s.id, member_id=org.eng.id, text=f"Mine {i}", owner="mentee"))
        db.add(Goal(plan_id=plan.id, title=f"More goal {i}", status="not_started"))
        m = Milestone(
            project_id=project.id,
            title=f"More late {i}",
            sprint_id=sprint.id,
            owner_id=org.eng.id,
            due_date=today - timedelta(days=2),
        )
        db.add(m)
        db.flush()
        db.add(MilestoneMove(milestone_id=m.id, from_sprint_id=earlier.id, to_sprint_id=sprint.id))
    db.commit()
    with count_queries(app) as large:
        html = client.get(url).get_data(as_text=True)
    assert "of 24" in html  # the milestones' "most urgent of 24"
    assert CANARY not in html
    assert large() == small()
    assert small() <= 40  # the member's own six and each panel's few
