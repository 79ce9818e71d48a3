"""Every part of the page-cache key, at every `render_cached` call site (the dashboard and the
matrix), is needed: for each part, two requests that differ in that part alone must each get
their own page. The parts: the page's name, each of its arguments (team, filters, sort and
direction, page), the user's login, the session's CSRF secret, the minute and the data version.
Each test here fails when its part is left out of the key (tracker/cache.py `render_cached`,
and the argument tuples the views pass to it)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from flask import g
from flask_login import login_user
from sqlalchemy import update

from tests.conftest import PASSWORD, login

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')
POST_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """The key's minute held still (the minute's own test moves it on purpose)."""
    import tracker.cache

    minute = tracker.cache.utcnow()
    monkeypatch.setattr(tracker.cache, "utcnow", lambda: minute)


def _html(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def _same(page: str) -> str:
    """The page with its form tokens blanked: each render signs them anew (a timestamp)."""
    return CSRF_VALUE.sub(r"\1\2", page)


def _uncached(app, client, url: str) -> str:
    """What the page is, rendered now with the cache off: the truth a cached copy must match."""
    pages = app.extensions["tracker.pages"]
    size, pages.size = pages.size, 0
    try:
        return _same(_html(client, url))
    finally:
        pages.size = size


@pytest.fixture
def site(org, framework, make_session):
    """Both cached pages with something to show: overdue items over two dashboard pages, a
    second team (with its own member) for the lead as well, an archived member."""
    from tracker.team.models import Team

    due = date.today() - timedelta(days=3)
    items = [(f"Overdue thing {i:02d}", "mentee", due - timedelta(days=i)) for i in range(60)]
    make_session(org.eng, org.lead, held_at=datetime(2026, 1, 5, 10), items=items)
    return org, Team


@pytest.fixture
def two_team_lead(site, db):
    """Lee Lead leads both teams: /teams/1/matrix and /teams/2/matrix are both theirs."""
    org, team_cls = site
    other = db.get(team_cls, org.other_team.id)
    other.leads.append(db.merge(org.lead))
    plain = db.merge(org.plain)
    plain.archived, plain.archived_at = True, datetime(2026, 1, 1)
    db.commit()
    return org


# (first URL, second URL): they differ in one argument of the key alone.
ARGUMENTS = {
    "dashboard page": ("/dashboard", "/dashboard?items_page=2"),
    "matrix team": ("/teams/{team}/matrix", "/teams/{other}/matrix"),
    "matrix team, filtered": (
        "/teams/{team}/matrix?category=technical&sort=level&dir=desc",
        "/teams/{other}/matrix?category=technical&sort=level&dir=desc",
    ),
    "matrix category": ("/teams/{team}/matrix", "/teams/{team}/matrix?category=data"),
    "matrix level": ("/teams/{team}/matrix?level=Mid", "/teams/{team}/matrix?level=Senior"),
    "matrix archived": ("/teams/{team}/matrix", "/teams/{team}/matrix?archived=1"),
    "matrix sort": ("/teams/{team}/matrix", "/teams/{team}/matrix?sort=level"),
    "matrix sort by competency": (
        "/teams/{team}/matrix?sort=level",
        "/teams/{team}/matrix?sort=python-programming",
    ),
    "matrix direction": (
        "/teams/{team}/matrix?sort=level",
        "/teams/{team}/matrix?sort=level&dir=desc",
    ),
}


@pytest.mark.parametrize("who", ["admin@example.com", "lead@example.com"])
@pytest.mark.parametrize("case", list(ARGUMENTS))
def test_each_argument_of_the_key_gets_its_own_page(app, client, two_team_lead, case, who):
    org = two_team_lead
    first, second = (u.format(team=org.team.id, other=org.other_team.id) for u in ARGUMENTS[case])
    login(client, who)
    truth = _uncached(app, client, second)
    assert truth != _uncached(app, client, first), case  # they are different pages
    _html(client, first)  # cached
    assert _same(_html(client, second)) == truth, case  # not the first one's entry
    assert _same(_html(client, second)) == truth, case  # and now from its own entry
    assert app.extensions["tracker.pages"].hits == 1


def test_a_lead_of_two_teams_sees_each_teams_matrix(app, client_as, two_team_lead):
    org = two_team_lead
    client = client_as("lead")
    for _round in range(2):  # rendered, then from the cache
        mine = _html(client, f"/teams/{org.team.id}/matrix")
        other = _html(client, f"/teams/{org.other_team.id}/matrix")
        assert "Eve Engineer" in mine and "Sol Stranger" not in mine
        assert "Sol Stranger" in other and "Eve Engineer" not in other


# --- the page's name ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [(), (1,), (1, None, None, False, "name", False)])
def test_the_pages_name_is_part_of_the_key(app, org, args):
    """The call sites' argument tuples differ today, so only the name keeps two pages with
    equal arguments apart: checked on `render_cached` itself, as every call site uses it."""
    from tracker.auth.models import User
    from tracker.cache import current_token, render_cached
    from tracker.db import get_db

    with app.test_request_context("/dashboard"):
        login_user(get_db().get(User, org.lead.id))
        g.page_token = current_token(get_db())
        names = ["dashboard", "matrix", "another page"]
        for name in names:
            assert render_cached(name, args, lambda n=name: f"<p>{n}</p>") == f"<p>{name}</p>"
        for name in names:  # and each from its own entry
            assert render_cached(name, args, lambda: "rendered again") == f"<p>{name}</p>"


# --- the user ----------------------------------------------------------------------------------

URLS = [
    "/dashboard",
    "/dashboard?items_page=2",
    "/teams/{team}/matrix",
    "/teams/{team}/matrix?sort=level",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(
    "pair",
    [
        ("lead@example.com", "co@example.com"),
        ("co@example.com", "admin@example.com"),
        ("admin@example.com", "lead@example.com"),
    ],
)
def test_users_with_the_same_session_secret_never_share_a_page(app, site, make_user, db, pair, url):
    """Everything in the key but the user forced equal (the CSRF secret too): each user must
    get the page rendered for them."""
    org, team_cls = site
    co = make_user("lead", email="co@example.com", name="Cora Colead")
    db.get(team_cls, org.team.id).leads.append(co)
    db.commit()
    url = url.format(team=org.team.id)
    clients = []
    for email in pair:
        c = app.test_client()
        assert login(c, email).status_code == 302
        with c.session_transaction() as s:
            s["csrf_token"] = "one-secret-for-every-user"
        clients.append(c)
    truths = [_uncached(app, c, url) for c in clients]
    assert truths[0] != truths[1]
    for c, truth in zip(clients, truths, strict=True):
        assert _same(_html(c, url)) == truth, url
    for c, truth in zip(clients, truths, strict=True):
        assert _same(_html(c, url)) == truth, url  # from their own entries
    assert app.extensions["tracker.pages"].hits == 2


# --- the session's CSRF secret -------------------------------------------------------------------


def _post_forms(client, page: str) -> None:
    """Post the page's POST forms as a browser would (one of each kind, logging out last):
    a form signed for another session's secret is refused with 400."""
    forms = {}
    for action, body in POST_FORM.findall(page):
        forms.setdefault(action.split("/")[1], (action, dict(HIDDEN.findall(body))))
    assert "logout" in forms, forms.keys()
    for kind, (action, fields) in sorted(forms.items(), key=lambda kv: kv[0] == "logout"):
        assert "csrf_token" in fields, action
        if kind == "search":  # the nav's search answers with its results page, not a redirect
            r = client.post(action, data={**fields, "q": "Platform"})
            assert r.status_code == 200, (kind, action, r.status_code)
            continue
        r = client.post(action, data=fields)
        assert r.status_code in (302, 303), (kind, action, r.status_code)


def _restart_browser(app, client) -> None:
    """The browser closed and opened again: the session cookie is gone, the remember-me
    cookie brings the same login back in a new session (with a new CSRF secret)."""
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"], domain="tracker.test")


@pytest.mark.parametrize("url", URLS)
def test_a_page_cached_for_a_session_is_not_served_to_a_new_session_of_the_same_login(
    app, site, url
):
    org, _team = site
    url = url.format(team=org.team.id)
    client = app.test_client()
    r = client.form("/login", {"email": "lead@example.com", "password": PASSWORD, "remember": "y"})
    assert r.status_code == 302
    _html(client, url)
    _html(client, url)  # cached for the first session
    _restart_browser(app, client)
    page = _html(client, url)  # the same login (the same user part of the key), a new secret
    with client.session_transaction() as s:
        assert s.get("csrf_token"), "a new session with its own secret"
    _post_forms(client, page)


@pytest.mark.parametrize("url", URLS)
def test_a_second_login_of_the_same_user_posts_its_own_pages_forms(app, site, url):
    org, _team = site
    url = url.format(team=org.team.id)
    first, second = app.test_client(), app.test_client()
    login(first, "lead@example.com")
    _html(first, url)
    _html(first, url)
    login(second, "lead@example.com")
    page = _html(second, url)
    _post_forms(second, page)
    _post_forms(first, _html(first, url))  # the first session's own page still posts too


# --- the minute ----------------------------------------------------------------------------------


@pytest.fixture
def clock(app, monkeypatch):
    """One clock for the cache's key and the dashboard: set `clock.now` to move both."""
    import tracker.cache

    class Clock:
        now = datetime(2026, 3, 10, 23, 59)

    monkeypatch.setattr(tracker.cache, "utcnow", lambda: Clock.now)
    app.config["TRACKER_NOW"] = lambda: Clock.now  # the pages' clock (tracker/localtime.py)
    return Clock


def test_a_new_minute_renders_the_dashboard_again(app, client_as, org, make_session, clock):
    """At 23:59 an item due today is not overdue; a minute later, on the next day, it is."""
    make_session(
        org.eng,
        org.lead,
        held_at=datetime(2026, 3, 1, 10),
        items=[("Due-on-the-tenth", "mentee", date(2026, 3, 10))],
    )
    client = client_as("lead")
    for _twice in range(2):
        page = _html(client, "/dashboard")
        assert "Due-on-the-tenth" not in page
    clock.now = datetime(2026, 3, 11, 0, 0)
    assert "Due-on-the-tenth" in _html(client, "/dashboard")


@pytest.mark.parametrize("url", ["/teams/{team}/matrix", "/teams/{team}/matrix?category=data"])
def test_a_new_minute_is_a_new_matrix_entry(app, client_as, org, framework, clock, url):
    """Nothing on the matrix reads the clock, but its forms' tokens age: a new minute is a new
    render, so a page's tokens are never more than a minute old when served."""
    pages = app.extensions["tracker.pages"]
    url = url.format(team=org.team.id)
    client = client_as("lead")
    _html(client, url)
    _html(client, url)
    assert (pages.hits, pages.misses) == (1, 1)
    clock.now += timedelta(minutes=1)
    _html(client, url)
    assert (pages.hits, pages.misses) == (1, 2)


# --- the data version ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("how", ["orm", "bulk"])
def test_a_write_between_two_loads_is_shown(app, client_as, site, db, url, how):
    from tracker.team.models import Member

    org, _team = site
    url = url.format(team=org.team.id)
    client = client_as("lead")
    _html(client, url)
    assert "Eve Renamed" not in _html(client, url)
    if how == "orm":
        db.get(Member, org.eng.id).name = "Eve Renamed"
    else:
        db.execute(update(Member).where(Member.id == org.eng.id).values(name="Eve Renamed"))
    db.commit()
    assert "Eve Renamed" in _html(client, url)
