"""Every route has an access rule, the rules are what the product promises, and every
response carries the security headers."""

from __future__ import annotations

import pytest

from tests.conftest import login

# Every endpoint and who may reach it. A new route without an entry fails
# test_every_route_has_an_access_rule. Object-level rules (own team, own record) are tested
# per feature; the matrix below walks every route with real IDs.
EXPECTED_ACCESS = {
    "static": ("public",),
    "auth.login": ("public",),
    "auth.logout": ("public",),
    "auth.accept_link": ("public",),
    "auth.welcome": ("public",),
    "auth.reset_requests": ("admin",),
    "auth.approve_reset": ("admin",),
    "auth.cancel_reset": ("admin",),
    "auth.dismiss_notices": ("admin", "lead", "engineer"),
    "auth.account": ("admin", "lead", "engineer"),
    "auth.logout_everywhere": ("admin", "lead", "engineer"),
    "auth.end_session": ("admin", "lead", "engineer"),
    "auth.end_other_sessions": ("admin", "lead", "engineer"),
    "auth.users": ("admin",),
    "auth.new_user": ("admin",),
    "auth.edit_user": ("admin",),
    "auth.deactivate_user": ("admin",),
    "auth.reactivate_user": ("admin",),
    "auth.reset_password": ("admin",),
    "team.home": ("admin", "lead", "engineer"),
    "team.teams": ("admin", "lead"),
    "team.new_team": ("admin", "lead"),
    "team.edit_team": ("admin", "lead"),
    "team.team": ("admin", "lead"),
    "team.new_member": ("admin", "lead"),
    "team.member": ("admin", "lead", "engineer"),
    "team.edit_member": ("admin", "lead", "engineer"),
    "team.archive_member": ("admin", "lead", "engineer"),
    "team.restore_member": ("admin", "lead", "engineer"),
    "team.invite_member": ("admin", "lead", "engineer"),
    "competencies.member": ("admin", "lead", "engineer"),
    "competencies.rate": ("admin", "lead", "engineer"),
    "competencies.radar": ("admin", "lead", "engineer"),
    "competencies.matrix": ("admin", "lead"),
    "competencies.export_matrix": ("admin", "lead"),
    "frameworks.index": ("admin", "lead", "engineer"),
    "frameworks.show": ("admin", "lead", "engineer"),
    "frameworks.compare_levels": ("admin", "lead", "engineer"),
    "frameworks.changes": ("admin", "lead", "engineer"),
    "frameworks.export": ("admin", "lead", "engineer"),
    "frameworks.import_upload": ("admin",),
    "frameworks.import_confirm": ("admin",),
    "frameworks.make_default": ("admin",),
    "plans.plan": ("admin", "lead", "engineer"),
    "plans.add_goal": ("admin", "lead", "engineer"),
    "plans.gap_goal": ("admin", "lead", "engineer"),
    "plans.edit_goal": ("admin", "lead", "engineer"),
    "plans.add_comment": ("admin", "lead", "engineer"),
    "plans.print_plan": ("admin", "lead", "engineer"),
    "plans.goal_comments": ("admin", "lead", "engineer"),
    "plans.plan_history": ("admin", "lead", "engineer"),
    "mentoring.open_items": ("admin", "lead", "engineer"),
    "mentoring.dashboard": ("admin", "lead"),
    "mentoring.me": ("admin", "lead", "engineer"),
    "mentoring.new_session": ("admin", "lead"),
    "mentoring.session": ("admin", "lead", "engineer"),
    "mentoring.edit_session": ("admin", "lead"),
    "mentoring.add_item": ("admin", "lead"),
    "mentoring.item_done": ("admin", "lead", "engineer"),
    "mentoring.item_reopen": ("admin", "lead", "engineer"),
    "mentoring.timeline": ("admin", "lead", "engineer"),
    "mentoring.calendar": ("admin", "lead"),
    "mentoring.reset_calendar": ("admin", "lead"),
    "mentoring.calendar_feed": ("public",),
    "sprints.index": ("admin", "lead"),
    "sprints.new_project": ("admin", "lead"),
    "sprints.edit_project": ("admin", "lead"),
    "sprints.project": ("admin", "lead"),
    "sprints.new_milestone": ("admin", "lead"),
    "sprints.edit_milestone": ("admin", "lead"),
    "sprints.milestone": ("admin", "lead"),
    "sprints.new_sprint": ("admin", "lead"),
    "sprints.edit_sprint": ("admin", "lead"),
    "sprints.board": ("admin", "lead"),
    "sprints.start_sprint": ("admin", "lead"),
    "sprints.close_sprint": ("admin", "lead"),
    "delivery.dashboard": ("admin", "lead"),
    "delivery.mine": ("admin", "lead", "engineer"),
    "delivery.report": ("admin", "lead"),
    "delivery.trend_chart": ("admin", "lead"),
    "delivery.burnup_chart": ("admin", "lead"),
    "delivery.import_upload": ("admin", "lead"),
    "delivery.import_confirm": ("admin", "lead"),
    "audit.index": ("admin",),
}


def test_every_route_has_an_access_rule(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = ("public",) if rule.endpoint == "static" else getattr(view, "access", None)
        assert declared is not None, f"{rule.endpoint} ({rule.rule}) has no access rule"
        assert EXPECTED_ACCESS.get(rule.endpoint) == tuple(declared), (
            f"{rule.endpoint}: declared {declared}, table says {EXPECTED_ACCESS.get(rule.endpoint)}"
        )


FMT = {"competencies.export_matrix": "csv", "frameworks.export": "yaml"}


def _url_for_rule(rule, org):
    ids = {
        "team_id": org.team.id,
        "member_id": org.eng.id,
        "user_id": org.eng.user_id,
        "token": "not-a-real-token",
        "link_id": 1,  # no such reset request
        "filename": "css/app.css",
        "framework_id": org.framework.framework_id if getattr(org, "framework", None) else 1,
        "fmt": FMT.get(rule.endpoint, "csv"),
        "goal_id": org.goal.id if getattr(org, "goal", None) else 1,
        "session_id": org.session.id if getattr(org, "session", None) else 1,
        "item_id": org.session.items[0].id if getattr(org, "session", None) else 1,
        "project_id": org.project.id if getattr(org, "project", None) else 1,
        "sprint_id": org.sprint.id if getattr(org, "sprint", None) else 1,
        "milestone_id": org.milestone.id if getattr(org, "milestone", None) else 1,
        "login_session_id": 2**31 - 1,  # nobody's: only one's own sessions can be ended
    }
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids[arg])).replace(f"<{arg}>", str(ids[arg]))
        url = url.replace(f"<path:{arg}>", str(ids[arg]))
    return url


# Who gets what on the org fixture's objects: the lead owns `team` and `eng`; the other lead
# does not; `eve` is `eng` herself (may read, not manage).
OUTCOMES = {
    # endpoint: {actor: status for GET (or POST when the route is POST-only)}
    "team.team": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "team.edit_team": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "team.new_member": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "team.member": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "team.edit_member": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "team.archive_member": {"admin": 302, "lead": 302, "other": 404, "eve": 403, "anon": 302},
    "team.restore_member": {"admin": 302, "lead": 302, "other": 404, "eve": 403, "anon": 302},
    "team.invite_member": {"admin": 302, "lead": 302, "other": 404, "eve": 403, "anon": 302},
    "team.teams": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    "team.new_team": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    "auth.users": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.new_user": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.edit_user": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.deactivate_user": {"admin": 302, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.reactivate_user": {"admin": 302, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.reset_password": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.account": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "auth.end_session": {"admin": 404, "lead": 404, "other": 404, "eve": 404, "anon": 302},
    "auth.end_other_sessions": {"admin": 302, "lead": 302, "other": 302, "eve": 302, "anon": 302},
    "auth.accept_link": {"admin": 404, "lead": 404, "other": 404, "eve": 404, "anon": 404},
    # No link opened in this browser: nothing to set a password with.
    "auth.welcome": {"admin": 404, "lead": 404, "other": 404, "eve": 404, "anon": 404},
    "auth.reset_requests": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.approve_reset": {"admin": 404, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.cancel_reset": {"admin": 404, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "auth.dismiss_notices": {"admin": 302, "lead": 302, "other": 302, "eve": 302, "anon": 302},
    "competencies.member": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    # An empty rating form: refused as incomplete for those who may rate, hidden from others.
    "competencies.rate": {"admin": 400, "lead": 400, "other": 404, "eve": 400, "anon": 302},
    "competencies.radar": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "competencies.matrix": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "competencies.export_matrix": {
        "admin": 200,
        "lead": 200,
        "other": 404,
        "eve": 403,
        "anon": 302,
    },
    "frameworks.index": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "frameworks.show": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "frameworks.compare_levels": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "frameworks.changes": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "frameworks.export": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "frameworks.import_upload": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "frameworks.import_confirm": {"admin": 400, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    "frameworks.make_default": {"admin": 302, "lead": 403, "other": 403, "eve": 403, "anon": 302},
    # Growth plans (org.eng has a plan with one goal): Eve reads and comments on her own plan
    # but may not edit it (POSTs to plans.plan are in test_plans.py); the empty forms are
    # refused as incomplete (400).
    "plans.plan": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "plans.add_goal": {"admin": 400, "lead": 400, "other": 404, "eve": 403, "anon": 302},
    "plans.gap_goal": {"admin": 400, "lead": 400, "other": 404, "eve": 403, "anon": 302},
    "plans.edit_goal": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "plans.add_comment": {"admin": 400, "lead": 400, "other": 404, "eve": 400, "anon": 302},
    "plans.print_plan": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "plans.goal_comments": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "plans.plan_history": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    # Mentoring: the session is org.lead's with Eve; its item is Eve's own (mentee-owned).
    "mentoring.dashboard": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    "mentoring.me": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "mentoring.new_session": {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "mentoring.session": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    # Only the author edits a session: the admin may read it, not rewrite it.
    "mentoring.edit_session": {"admin": 403, "lead": 200, "other": 404, "eve": 403, "anon": 302},
    "mentoring.add_item": {"admin": 403, "lead": 400, "other": 404, "eve": 403, "anon": 302},
    "mentoring.item_done": {"admin": 302, "lead": 302, "other": 404, "eve": 302, "anon": 302},
    "mentoring.item_reopen": {"admin": 302, "lead": 302, "other": 404, "eve": 302, "anon": 302},
    "mentoring.timeline": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "mentoring.open_items": {"admin": 200, "lead": 200, "other": 404, "eve": 200, "anon": 302},
    "mentoring.calendar": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    # The new address is shown once, on the page the POST answers with.
    "mentoring.reset_calendar": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    "mentoring.calendar_feed": {"admin": 404, "lead": 404, "other": 404, "eve": 404, "anon": 404},
    # Delivery: the team's leads and admins only; engineers see their own milestones (mine).
    **{
        endpoint: {"admin": 200, "lead": 200, "other": 404, "eve": 403, "anon": 302}
        for endpoint in (
            "sprints.index",
            "sprints.new_project",
            "sprints.edit_project",
            "sprints.project",
            "sprints.new_milestone",
            "sprints.edit_milestone",
            "sprints.milestone",
            "sprints.new_sprint",
            "sprints.edit_sprint",
            "sprints.board",
            "sprints.close_sprint",
            "delivery.report",
            "delivery.trend_chart",
            "delivery.burnup_chart",
            "delivery.import_upload",
        )
    },
    # The sprint is already active: starting it again is refused with a message (redirect).
    "sprints.start_sprint": {"admin": 302, "lead": 302, "other": 404, "eve": 403, "anon": 302},
    "delivery.import_confirm": {"admin": 400, "lead": 400, "other": 404, "eve": 403, "anon": 302},
    "delivery.dashboard": {"admin": 200, "lead": 200, "other": 200, "eve": 403, "anon": 302},
    "delivery.mine": {"admin": 200, "lead": 200, "other": 200, "eve": 200, "anon": 302},
    "audit.index": {"admin": 200, "lead": 403, "other": 403, "eve": 403, "anon": 302},
}
ACTORS = {
    "admin": "admin@example.com",
    "lead": "lead@example.com",
    "other": "other@example.com",
    "eve": "eve@example.com",
    "anon": None,
}


def test_every_route_is_in_the_access_matrix(app):
    tested = set(OUTCOMES) | {
        "static",
        "auth.login",
        "auth.logout",
        "auth.logout_everywhere",
        "team.home",
    }
    missing = {r.endpoint for r in app.url_map.iter_rules()} - tested
    assert not missing, f"routes missing from OUTCOMES: {sorted(missing)}"


@pytest.mark.parametrize("actor", list(ACTORS))
def test_access_matrix(app, org, framework, plan, one_on_one, delivery, actor):
    """Each actor gets the expected status on every object route, with real IDs."""
    org.framework = framework
    org.goal = plan.goals[0]
    org.session = one_on_one
    client = app.test_client()
    if ACTORS[actor]:
        assert login(client, ACTORS[actor]).status_code == 302
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for endpoint, outcomes in OUTCOMES.items():
        rule = rules[endpoint]
        url = _url_for_rule(rule, org)
        if "GET" in rule.methods:
            r = client.get(url)
        else:
            r = client.form(url)
        assert r.status_code == outcomes[actor], f"{actor} {endpoint} {url}: {r.status_code}"
        if actor == "other" and r.status_code == 404:
            assert b"Eve Engineer" not in r.data and b"ML Platform" not in r.data


def test_state_changing_routes_refuse_get(app, org, framework, plan, one_on_one, delivery):
    org.framework = framework
    org.goal = plan.goals[0]
    org.session = one_on_one
    client = app.test_client()
    login(client, "admin@example.com")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            assert client.get(_url_for_rule(rule, org)).status_code == 405, rule.endpoint


def test_state_changing_routes_refuse_missing_csrf_token(
    app, org, framework, plan, one_on_one, delivery
):
    org.framework = framework
    org.goal = plan.goals[0]
    org.session = one_on_one
    client = app.test_client()
    login(client, "admin@example.com")
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            r = client.post(_url_for_rule(rule, org), data={})
            assert r.status_code == 400, rule.endpoint


def test_security_headers_on_pages(client, org):
    login(client, "lead@example.com")
    r = client.get(f"/members/{org.eng.id}")
    csp = r.headers["Content-Security-Policy"]
    for part in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "no-store"


def test_hsts_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    r = client.get("/login", base_url="https://tracker.test")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_script_or_style(app):
    from pathlib import Path

    from tracker import ROOT

    for path in Path(ROOT, "templates").rglob("*"):
        if path.is_file():
            assert path.suffix == ".html", f"{path}: templates must be .html (autoescaped)"
            text = path.read_text()
            assert "<script>" not in text and "style=" not in text, path


def test_error_pages_are_styled_and_leak_nothing(client, org):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and b"Team Tracker" in r.data and b"Traceback" not in r.data


def test_500_page_has_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():  # a route added only in this test
        raise RuntimeError("secret internals")

    boom.access = ("public",)
    r = client.get("/boom")
    assert r.status_code == 500
    assert b"secret internals" not in r.data and b"Something went wrong" in r.data


def test_oversized_upload_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post("/login", data={"email": "x" * 5000})
    assert r.status_code == 413
