"""Every security header docs/security.md promises, on every kind of response: every GET
route as every role (pages, redirects, 403s, 404s), errors (400, 404, 405, 413, 500), exports,
the calendar feed, charts (SVG, with their own narrow policy) and static files (cacheable), over
HTTP and HTTPS (HSTS only there)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, login
from tests.test_routes import ACTORS, _url_for_rule

HTTPS = "https://tracker.test"
YEAR = 365 * 24 * 3600

# docs/security.md ("Only the right person gets in", Headers), as directives and headers.
PAGE_CSP = {
    "default-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
EVERYWHERE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _csp(value: str) -> dict[str, set[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            assert words[0].lower() not in directives, f"{words[0]} given twice"
            directives[words[0].lower()] = set(words[1:])
    return directives


def assert_headers(r, what: str, https: bool = False) -> None:
    """The promised headers on one response."""
    h = r.headers
    for name, value in EVERYWHERE.items():
        assert h.get(name) == value, (what, name, h.get(name))
    csp = _csp(h.get("Content-Security-Policy", ""))
    assert csp, (what, "no Content-Security-Policy")
    every_source = {s for sources in csp.values() for s in sources}
    assert not every_source & {"'unsafe-eval'", "*", "data:*"}, (what, csp)
    assert "'unsafe-inline'" not in csp.get("script-src", csp.get("default-src", set()))
    if r.mimetype == "image/svg+xml":
        # A chart: nothing may load or run, only its own inline styles.
        assert csp.get("default-src") == {"'none'"}, (what, csp)
        assert set(csp) <= {"default-src", "style-src"}, (what, csp)
    else:
        for directive, sources in PAGE_CSP.items():
            assert csp.get(directive) == sources, (what, directive, csp.get(directive))
        assert "'unsafe-inline'" not in every_source, (what, csp)  # no inline scripts or styles
        assert csp.get("img-src", {"'self'"}) <= {"'self'", "data:"}, (what, csp)
    if r.request.path.startswith("/static/"):
        assert "no-store" not in h.get("Cache-Control", ""), what  # files may be cached
    else:
        assert "no-store" in h.get("Cache-Control", ""), (what, h.get("Cache-Control"))
    hsts = h.get("Strict-Transport-Security")
    if https:
        assert hsts, what
        age = int(re.search(r"max-age=(\d+)", hsts).group(1))
        assert age >= YEAR and "includeSubDomains" in hsts, (what, hsts)
    else:
        assert hsts is None, what  # over plain HTTP a browser must ignore it anyway


@pytest.fixture
def everything(app, org, framework, plan, one_on_one, delivery):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    org.framework = framework
    org.goal = plan.goals[0]
    org.session = one_on_one
    return org


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_get_route_as_every_role(app, everything, actor, https):
    """Pages, redirects to login, 403s and 404s: one response per GET route and role."""
    base = HTTPS if https else "http://tracker.test"
    client = app.test_client()
    if ACTORS[actor]:
        assert login(client, ACTORS[actor]).status_code == 302
    statuses = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        r = client.get(_url_for_rule(rule, everything), base_url=base)
        statuses.add(r.status_code)
        assert_headers(r, f"{actor} GET {rule.rule} -> {r.status_code}", https)
    assert 200 in statuses  # every role reaches something (static files at least)


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_errors_and_redirects(app, client, everything, https):
    base = HTTPS if https else "http://tracker.test"

    @app.route("/boom")
    def boom():  # a route added only in this test, as in test_routes
        raise RuntimeError("boom")

    boom.access = ("public",)
    cases = {
        "404 unknown page": client.get("/no/such/page", base_url=base),
        "400 missing CSRF token": client.post("/login", data={}, base_url=base),
        "400 NUL character": client.get("/login?q=a%00b", base_url=base),
        "405 GET on a POST route": client.get("/logout", base_url=base),
        "500": client.get("/boom", base_url=base),
        "302 anonymous to login": client.get("/teams", base_url=base),
    }
    referer = {"Referer": f"{base}/"}  # Flask-WTF checks it on HTTPS, as browsers send it
    r = client.form(
        "/login",
        {"email": "lead@example.com", "password": PASSWORD},
        base_url=base,
        headers=referer,
    )
    cases["302 after login"] = r
    cases["403 wrong role"] = client.get("/admin/audit", base_url=base)
    cases["404 other team"] = client.get(f"/teams/{everything.other_team.id}/matrix", base_url=base)
    cases["302 after a tick"] = client.form(
        f"/items/{everything.session.items[0].id}/done",
        {"next": "/dashboard"},
        base_url=base,
        headers=referer,
    )
    app.config["MAX_CONTENT_LENGTH"] = 1000
    cases["413 too large"] = client.post("/login", data={"email": "x" * 5000}, base_url=base)
    for name, r in cases.items():
        assert str(r.status_code) == name.split()[0], (name, r.status_code)
        assert_headers(r, name, https)


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_exports_feed_charts_and_static_files(app, client, everything, https):
    base = HTTPS if https else "http://tracker.test"
    o = everything
    login(client, "lead@example.com")
    page = client.get("/calendar", base_url=base).get_data(as_text=True)
    feed = re.search(r'value="https?://[^/"]+(/calendar/[^"]+\.ics)"', page).group(1)
    anonymous = app.test_client()
    urls = {
        f"/teams/{o.team.id}/matrix.csv": "text/csv",
        f"/teams/{o.team.id}/matrix.xlsx": "application/vnd.openxmlformats-officedocument"
        ".spreadsheetml.sheet",
        f"/teams/{o.team.id}/matrix.json": "application/json",
        f"/frameworks/{o.framework.framework_id}/export.yaml": "application/yaml",
        f"/frameworks/{o.framework.framework_id}/export.json": "application/json",
        f"/members/{o.eng.id}/radar.svg": "image/svg+xml",
        f"/teams/{o.team.id}/delivery-trend.svg": "image/svg+xml",
        f"/projects/{o.project.id}/burnup.svg": "image/svg+xml",
        "/static/css/app.css": "text/css",
    }
    for url, mimetype in urls.items():
        r = client.get(url, base_url=base)
        assert r.status_code == 200 and r.mimetype == mimetype, (url, r.status_code, r.mimetype)
        assert_headers(r, url, https)
    r = anonymous.get(feed, base_url=base)  # the feed is read by calendar apps, not logged in
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert_headers(r, "calendar feed", https)
    r = anonymous.get("/calendar/not-a-token.ics", base_url=base)
    assert r.status_code == 404
    assert_headers(r, "calendar feed, bad token", https)
