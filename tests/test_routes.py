"""Every route has an access rule, the rules are what the product promises, and every
response carries the security headers."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.route_table import BY_ENDPOINT, MATRIX_ACTORS, ROUTES

# Every endpoint's row (who may reach it, what each persona gets, its methods, its POSTs) is in
# tests/route_table.py. Object-level rules (own team, own record) are tested per feature; the
# matrix below walks every route with real IDs.


def test_every_route_has_a_row_and_every_row_a_route(app):
    routes = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    rows = [route.endpoint for route in ROUTES]
    assert len(rows) == len(set(rows)), "an endpoint has two rows"
    assert not set(routes) - set(rows), f"routes without a row: {sorted(set(routes) - set(rows))}"
    assert not set(rows) - set(routes), f"rows without a route: {sorted(set(rows) - set(routes))}"
    for endpoint, rule in routes.items():
        methods = set(rule.methods) - {"HEAD", "OPTIONS"}
        assert set(BY_ENDPOINT[endpoint].methods.split()) == methods, (endpoint, methods)


def test_every_route_has_an_access_rule(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = ("public",) if rule.endpoint == "static" else getattr(view, "access", None)
        assert declared is not None, f"{rule.endpoint} ({rule.rule}) has no access rule"
        row = BY_ENDPOINT.get(rule.endpoint)
        expected = row.access if row else None
        assert expected == tuple(declared), (
            f"{rule.endpoint}: declared {declared}, table says {expected}"
        )


def _first_format(endpoint: str) -> str:
    row = BY_ENDPOINT.get(endpoint)
    return row.formats[0] if row and row.formats else "csv"


def _url_for_rule(rule, org):
    ids = {
        "team_id": org.team.id,
        "member_id": org.eng.id,
        "user_id": org.eng.user_id,
        "token": "not-a-real-token",
        "link_id": 1,  # no such reset request
        "filename": "css/app.css",
        "framework_id": org.framework.framework_id if getattr(org, "framework", None) else 1,
        "fmt": _first_format(rule.endpoint),
        "goal_id": org.goal.id if getattr(org, "goal", None) else 1,
        "session_id": org.session.id if getattr(org, "session", None) else 1,
        "item_id": org.session.items[0].id if getattr(org, "session", None) else 1,
        "project_id": org.project.id if getattr(org, "project", None) else 1,
        "sprint_id": org.sprint.id if getattr(org, "sprint", None) else 1,
        "milestone_id": org.milestone.id if getattr(org, "milestone", None) else 1,
        "login_session_id": 2**31 - 1,  # nobody's: only one's own sessions can be ended
        "template_id": org.template.id if getattr(org, "template", None) else 1,
        "job_id": "no-such-job",
    }
    url = rule.rule
    for arg in rule.arguments:
        url = url.replace(f"<int:{arg}>", str(ids[arg])).replace(f"<{arg}>", str(ids[arg]))
        url = url.replace(f"<path:{arg}>", str(ids[arg]))
    return url


ACTORS = {
    "admin": "admin@example.com",
    "lead": "lead@example.com",
    "other": "other@example.com",
    "eve": "eve@example.com",
    "anon": None,
}


def test_every_route_is_in_the_access_matrix(app):
    assert tuple(ACTORS) == MATRIX_ACTORS  # the table's outcomes name these, in this order
    tested = {route.endpoint for route in ROUTES if route.outcomes is not None} | {
        "static",
        "auth.login",
        "auth.logout",
        "auth.logout_everywhere",
        "team.home",
    }
    missing = {r.endpoint for r in app.url_map.iter_rules()} - tested
    assert not missing, f"routes without outcomes in tests/route_table.py: {sorted(missing)}"


@pytest.mark.parametrize("actor", list(ACTORS))
def test_access_matrix(app, org, framework, plan, one_on_one, delivery, agenda_template, actor):
    """Each actor gets the expected status on every object route, with real IDs."""
    org.template = agenda_template  # org.lead's own
    org.framework = framework
    org.goal = plan.goals[0]
    org.session = one_on_one
    client = app.test_client()
    if ACTORS[actor]:
        assert login(client, ACTORS[actor]).status_code == 302
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for route in ROUTES:
        endpoint, outcomes = route.endpoint, route.outcomes
        if outcomes is None:
            continue
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
