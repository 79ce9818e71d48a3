"""Growth plans through HTTP: who may read, comment and edit; history; bad and hostile input."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import login
from tracker.plans.models import Goal, GoalComment, GrowthPlan, PlanEvent


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _events(db) -> list[str]:
    return list(db.scalars(select(PlanEvent.what).order_by(PlanEvent.id)))


def _snapshot(db):
    """Everything a plan request could write, to check that a refused one wrote nothing."""
    plans = [
        (p.target_level, p.target_date, p.summary)
        for p in db.scalars(select(GrowthPlan).order_by(GrowthPlan.id))
    ]
    goals = [
        (g.title, g.status, g.competency_key, g.target_proficiency, g.due_date)
        for g in db.scalars(select(Goal).order_by(Goal.id))
    ]
    return plans, goals, _count(db, GoalComment), _events(db)


# --- creating and updating, with history --------------------------------------------------


def test_lead_creates_then_updates_a_plan_and_history_records_it(client_as, org, db, framework):
    client = client_as("lead")
    url = f"/members/{org.eng.id}/plan"
    html = client.get(url).data.decode()
    assert "Create Eve Engineer’s growth plan" in html and "Create plan" in html
    r = client.form(
        url, {"target_level": "Senior", "target_date": "2027-03-31", "summary": "Own a model"}
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(url)
    plan = db.scalar(select(GrowthPlan))
    assert (plan.member_id, plan.target_level, str(plan.target_date), plan.summary) == (
        org.eng.id,
        "Senior",
        "2027-03-31",
        "Own a model",
    )
    r = client.form(
        url, {"target_level": "Lead", "target_date": "2027-09-30", "summary": "Own a model"}
    )
    assert r.status_code == 302 and _count(db, GrowthPlan) == 1
    assert _events(db) == [
        "Plan created: target level Senior by 2027-03-31",
        "Target level changed from Senior to Lead",
        "Target date changed from 2027-03-31 to 2027-09-30",
    ]
    assert {e.actor_id for e in db.scalars(select(PlanEvent))} == {org.lead.id}
    client.form(url, {"target_level": "Lead", "target_date": "2027-09-30", "summary": "New"})
    assert len(_events(db)) == 3  # a new summary alone is not history
    html = client.get(url).data.decode()
    history = html[html.index('id="history"') :]
    assert "Target level changed from Senior to Lead" in history and "Lee Lead" in history


def test_admin_creates_a_plan_for_any_member(client_as, org, db, framework):
    client = client_as("admin")
    r = client.form(f"/members/{org.stranger.id}/plan", {"target_level": "Lead"})
    assert r.status_code == 302
    assert db.scalar(select(GrowthPlan.member_id)) == org.stranger.id


def test_engineer_without_a_plan_sees_no_plan_yet(client_as, org, framework):
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert "No growth plan yet. Your lead creates it" in html
    assert "Create plan" not in html and 'name="target_level"' not in html
    assert client.get(f"/members/{org.eng.id}/plan/print").status_code == 404


# --- who may do what ------------------------------------------------------------------------


def _all_requests(client, org, goal_id):
    """Every plan route for org.eng's plan: (method, url, status) as seen by `client`."""
    m = org.eng.id
    return {
        "plan": client.get(f"/members/{m}/plan").status_code,
        "print": client.get(f"/members/{m}/plan/print").status_code,
        "save": client.form(f"/members/{m}/plan", {"target_level": "Lead"}).status_code,
        "add": client.form(f"/members/{m}/plan/goals", {"title": "x"}).status_code,
        "gap": client.form(f"/members/{m}/plan/gap-goal", {"competency_key": "sql"}).status_code,
        "edit_get": client.get(f"/goals/{goal_id}/edit").status_code,
        "edit_post": client.form(
            f"/goals/{goal_id}/edit", {"title": "Hijacked", "status": "dropped"}
        ).status_code,
        "comment": client.form(f"/goals/{goal_id}/comments", {"body": "hello"}).status_code,
    }


def test_engineer_reads_and_comments_on_own_plan_but_cannot_edit(client_as, org, db, plan):
    goal_id = plan.goals[0].id
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert "Own the feature store" in html and "Add a comment" in html
    for lead_only in ("Make this a goal", "Add a goal", "edit goal", 'name="target_level"'):
        assert lead_only not in html
    before = _snapshot(db)
    got = _all_requests(client, org, goal_id)
    assert got == {
        "plan": 200,
        "print": 200,
        "save": 403,
        "add": 403,
        "gap": 403,
        "edit_get": 403,
        "edit_post": 403,
        "comment": 302,
    }
    plans, goals, comments, events = _snapshot(db)
    assert (plans, goals, events) == before[:2] + before[3:] and comments == 1
    comment = db.scalar(select(GoalComment))
    assert (comment.author_id, comment.body, comment.goal_id) == (org.eng.user_id, "hello", goal_id)


def test_another_engineer_or_lead_guessing_ids_gets_404_and_writes_nothing(client, org, db, plan):
    goal_id = plan.goals[0].id
    before = _snapshot(db)
    for email in ("max@example.com", "sol@example.com", "other@example.com"):
        client.post("/logout", data={"csrf_token": client.csrf_token()})
        login(client, email)
        got = _all_requests(client, org, goal_id)
        assert set(got.values()) == {404}, (email, got)
    assert _snapshot(db) == before
    assert client.get("/goals/999999/edit").status_code == 404
    assert client.get("/members/999999/plan").status_code == 404


def test_anonymous_is_sent_to_log_in(client, org, db, plan):
    before = _snapshot(db)
    got = _all_requests(client, org, plan.goals[0].id)
    assert set(got.values()) == {302}
    assert "/login" in client.get(f"/members/{org.eng.id}/plan").headers["Location"]
    assert _snapshot(db) == before


def test_lead_and_admin_may_do_everything(client, org, db, plan, rate):
    rate(org.eng, "sql", 1, rater=org.lead)
    for email in ("lead@example.com", "admin@example.com"):
        client.post("/logout", data={"csrf_token": client.csrf_token()})
        login(client, email)
        got = _all_requests(client, org, plan.goals[0].id)
        expected_gap = 302 if email == "lead@example.com" else 400  # the second: a goal exists
        assert got == {
            "plan": 200,
            "print": 200,
            "save": 302,
            "add": 302,
            "gap": expected_gap,
            "edit_get": 200,
            "edit_post": 302,
            "comment": 302,
        }, email


# --- goals -------------------------------------------------------------------------------------


def test_lead_adds_a_competency_goal_and_edits_it_with_history(
    client_as, org, db, plan, make_session
):
    session = make_session(org.eng, org.lead)
    client = client_as("lead")
    r = client.form(
        f"/members/{org.eng.id}/plan/goals",
        {
            "title": "Lead the Python packaging work",
            "description": "Ship the internal library",
            "competency_key": "python-programming",
            "target_proficiency": "4",
            "due_date": "2027-01-31",
        },
    )
    assert r.status_code == 302
    goal = db.scalar(select(Goal).where(Goal.title.startswith("Lead the")))
    assert r.headers["Location"].endswith(f"/members/{org.eng.id}/plan#goal-{goal.id}")
    assert (goal.competency_key, goal.target_proficiency, str(goal.due_date), goal.status) == (
        "python-programming",
        4,
        "2027-01-31",
        "not_started",
    )
    assert goal.position == 1  # after the fixture's goal
    edit = f"/goals/{goal.id}/edit"
    html = client.get(edit).data.decode()
    assert 'value="Lead the Python packaging work"' in html and "2026-11-02 · 1:1" in html
    assert '<option selected value="python-programming">' in html
    assert '<option selected value="4">' in html and 'value="2027-01-31"' in html
    fields = {
        "title": goal.title,
        "competency_key": "python-programming",
        "target_proficiency": "4",
        "due_date": "2027-01-31",
    }
    for status in ("in_progress", "dropped", "not_started", "done"):
        r = client.form(edit, {**fields, "status": status, "sessions": [session.id]})
        assert r.status_code == 302, r.data
    assert [e for e in _events(db) if "Python packaging" in e] == [
        "Added goal “Lead the Python packaging work”",
        "Dropped goal “Lead the Python packaging work”",
        "Re-opened goal “Lead the Python packaging work”",
        "Marked goal “Lead the Python packaging work” done",
    ]
    db.refresh(goal)
    assert [s.id for s in goal.sessions] == [session.id] and goal.status == "done"
    r = client.form(
        f"/members/{org.eng.id}/plan/goals",
        {"title": "Mentor", "competency_key": "mentoring-coaching"},
    )
    assert r.status_code == 302  # no target typed: what Senior expects (3)
    assert db.scalar(select(Goal.target_proficiency).where(Goal.title == "Mentor")) == 3
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert "Discussed in: 2026-11-02 (1:1)" in html
    history = html[html.index('id="history"') :]
    assert "Dropped goal" in history and "Re-opened goal" in history


def test_linking_another_members_session_is_refused(client_as, org, db, plan, make_session):
    mine, theirs = make_session(org.eng, org.lead), make_session(org.mate, org.lead)
    goal = plan.goals[0]
    client = client_as("lead")
    before = _snapshot(db)
    r = client.form(
        f"/goals/{goal.id}/edit",
        {"title": "Renamed", "status": "done", "sessions": [mine.id, theirs.id]},
    )
    assert r.status_code == 400
    assert "Only Eve Engineer&#39;s own sessions can be linked." in r.data.decode()
    assert 'value="Renamed"' in r.data.decode()
    assert _snapshot(db) == before
    assert db.scalar(select(func.count()).select_from(Goal).where(Goal.sessions.any())) == 0


def test_competency_goal_links_to_self_assessment_and_the_competencies_page(
    client_as, org, db, plan
):
    db.add(Goal(plan_id=plan.id, title="SQL", competency_key="sql", target_proficiency=3))
    db.commit()
    client = client_as("engineer")
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert f"/members/{org.eng.id}/competencies?target=Senior#comp-sql" in html
    assert "Self-assess SQL and data querying" in html
    assert f'href="/members/{org.eng.id}/competencies?target=Senior"' in html
    assert f'href="/members/{org.eng.id}/plan/print"' in html


# --- bad input: a clear message naming the field, the typing kept, nothing written -----------


def test_target_level_outside_the_framework_is_refused(client_as, org, db, framework):
    client = client_as("lead")
    r = client.form(
        f"/members/{org.eng.id}/plan", {"target_level": "Wizard", "summary": "kept summary"}
    )
    html = r.data.decode()
    assert r.status_code == 400
    assert "Target level &#39;Wizard&#39; is not a level of Eve Engineer&#39;s framework" in html
    assert "Entry, Mid, Senior, Lead" in html and "kept summary</textarea>" in html
    assert _count(db, GrowthPlan) == 0 and _count(db, PlanEvent) == 0


def test_changing_to_an_unknown_level_leaves_the_plan_as_it_was(client_as, org, db, plan):
    client = client_as("lead")
    before = _snapshot(db)
    r = client.form(
        f"/members/{org.eng.id}/plan", {"target_level": "Staff", "target_date": "2028-01-01"}
    )
    assert r.status_code == 400 and b"Target level" in r.data
    assert _snapshot(db) == before


def test_unparseable_dates_are_refused_and_kept(client_as, org, db, plan):
    client = client_as("lead")
    before = _snapshot(db)
    r = client.form(
        f"/members/{org.eng.id}/plan", {"target_level": "Lead", "target_date": "next spring"}
    )
    html = r.data.decode()
    assert r.status_code == 400
    assert "Target date: &#39;next spring&#39; is not a date; use YYYY-MM-DD." in html
    assert 'value="next spring"' in html
    r = client.form(
        f"/members/{org.eng.id}/plan/goals", {"title": "Keep me", "due_date": "31/02/2027"}
    )
    html = r.data.decode()
    assert r.status_code == 400
    assert "Due date: &#39;31/02/2027&#39; is not a date" in html
    assert 'value="31/02/2027"' in html and 'value="Keep me"' in html
    r = client.form(
        f"/goals/{plan.goals[0].id}/edit",
        {"title": "Own it", "status": "done", "due_date": "tomorrow"},
    )
    assert r.status_code == 400 and b"Due date: &#39;tomorrow&#39;" in r.data
    assert _snapshot(db) == before


def test_competency_outside_the_framework_is_refused(client_as, org, db, plan):
    client = client_as("lead")
    before = _snapshot(db)
    r = client.form(
        f"/members/{org.eng.id}/plan/goals",
        {"title": "Weave", "competency_key": "basket-weaving", "target_proficiency": "3"},
    )
    html = r.data.decode()
    assert r.status_code == 400
    assert "Competency &#39;basket-weaving&#39; is not part of Lead Machine Learning" in html
    assert 'value="Weave"' in html
    r = client.form(
        f"/goals/{plan.goals[0].id}/edit",
        {"title": "x", "status": "done", "competency_key": "basket-weaving"},
    )
    assert r.status_code == 400 and b"basket-weaving" in r.data
    r = client.form(f"/members/{org.eng.id}/plan/gap-goal", {"competency_key": "basket-weaving"})
    assert r.status_code == 400 and b"basket-weaving" in r.data
    assert _snapshot(db) == before


def test_target_proficiency_off_the_scale_is_refused(client_as, org, db, plan):
    client = client_as("lead")
    before = _snapshot(db)
    for value in ("9", "-1", "three"):
        r = client.form(
            f"/members/{org.eng.id}/plan/goals",
            {"title": "SQL", "competency_key": "sql", "target_proficiency": value},
        )
        assert r.status_code == 400
        assert "Target proficiency must be a value on the scale (0 to 5)." in r.data.decode()
    r = client.form(f"/members/{org.eng.id}/plan/goals", {"title": "x", "target_proficiency": "3"})
    assert r.status_code == 400 and b"A target proficiency needs a competency." in r.data
    r = client.form(
        f"/goals/{plan.goals[0].id}/edit",
        {"title": "x", "status": "done", "competency_key": "sql", "target_proficiency": "6"},
    )
    assert r.status_code == 400 and b"on the scale" in r.data
    assert _snapshot(db) == before


def test_missing_title_unknown_status_and_empty_comment_are_refused(client_as, org, db, plan):
    goal = plan.goals[0]
    client = client_as("lead")
    before = _snapshot(db)
    r = client.form(f"/members/{org.eng.id}/plan/goals", {"title": "  ", "description": "kept"})
    assert r.status_code == 400 and b"Title is required." in r.data and b"kept</textarea>" in r.data
    r = client.form(f"/goals/{goal.id}/edit", {"title": "x", "status": "finished"})
    assert r.status_code == 400 and b"Status must be one of" in r.data
    r = client.form(f"/goals/{goal.id}/comments", {"body": "   "})
    assert r.status_code == 400 and b"Comment is empty" in r.data
    r = client.form(f"/goals/{goal.id}/comments", {"body": "x" * 5001})
    assert r.status_code == 400 and b"5000" in r.data
    assert _snapshot(db) == before


def test_comment_typing_is_kept_when_refused(client_as, org, db, plan):
    client = client_as("engineer")
    r = client.form(f"/goals/{plan.goals[0].id}/comments", {"body": "y" * 5001})
    assert r.status_code == 400 and ("y" * 5001 + "</textarea>") in r.data.decode()
    assert _count(db, GoalComment) == 0


def test_archived_members_plan_is_read_only(client_as, org, db, plan):
    client = client_as("lead")
    client.form(f"/members/{org.eng.id}/archive")
    before = _snapshot(db)
    r = client.form(f"/members/{org.eng.id}/plan", {"target_level": "Lead"})
    assert r.status_code == 400 and b"archived" in r.data
    r = client.form(f"/members/{org.eng.id}/plan/goals", {"title": "More"})
    assert r.status_code == 400 and b"archived" in r.data
    assert _snapshot(db) == before


# --- hostile input ---------------------------------------------------------------------------


def test_script_in_titles_and_comments_is_escaped(client_as, org, db, plan):
    client = client_as("lead")
    evil = "<script>alert(1)</script>"
    client.form(f"/members/{org.eng.id}/plan/goals", {"title": evil, "description": evil})
    client.form(f"/goals/{plan.goals[0].id}/comments", {"body": evil})
    client.form(f"/members/{org.eng.id}/plan", {"target_level": "Senior", "summary": evil})
    assert _count(db, GoalComment) == 1 and _count(db, Goal) == 2
    for url in (f"/members/{org.eng.id}/plan", f"/members/{org.eng.id}/plan/print"):
        html = client.get(url).data.decode()
        assert "<script>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_goal_links_milestones_the_member_owns(client_as, org, db, plan, delivery, make_milestone):
    from tracker.plans.models import Goal

    goal = plan.goals[0]
    not_hers = make_milestone(org.project, "Max's work", owner=org.mate)
    client = client_as("lead")
    edit = f"/goals/{goal.id}/edit"
    assert "Backfill" in client.get(edit).data.decode()  # Eve's milestone is offered
    r = client.form(
        edit, {"title": goal.title, "status": "in_progress", "milestones": [str(not_hers.id)]}
    )
    assert r.status_code in (200, 400) and "Only milestones Eve Engineer owns" in r.data.decode()
    assert db.get(Goal, goal.id).milestones == []
    r = client.form(
        edit, {"title": goal.title, "status": "in_progress", "milestones": [str(org.milestone.id)]}
    )
    assert r.status_code == 302
    assert [m.id for m in db.get(Goal, goal.id).milestones] == [org.milestone.id]
    html = client.get(f"/members/{org.eng.id}/plan").data.decode()
    assert "Proven by:" in html and "Backfill" in html
