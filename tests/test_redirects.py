"""Return targets (`next`) through the real login form and the real tick route: a generated
family of hostile targets always lands on a same-site path (or the fallback), never a 500,
and the login or the tick is still committed; good targets keep working."""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.http import safe_redirect_target

HOST = "tracker.test"  # the SERVER_NAME of the test app
FALLBACK = "/"  # team.home, for both routes

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"]


def _spellings(ch: str) -> dict[str, str]:
    code = f"{ord(ch):02X}"
    return {"raw": ch, "encoded": f"%{code}", "double": f"%25{code}", "lower": f"%{code.lower()}"}


def _placed(x: str) -> dict[str, str]:
    return {
        "start": f"{x}//evil.example/p",
        "after_slash": f"/{x}/evil.example/p",  # the review's /%09/evil.example
        "inside": f"/teams{x}//evil.example",
    }


def control_targets(ch: str) -> list[str]:
    """Every spelling of one control character at every place."""
    return [t for x in _spellings(ch).values() for t in _placed(x).values()]


HOSTILE = [
    # protocol-relative and slash/backslash mixes
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    # schemes, any case
    "https://evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "HTTP://evil.example",
    "HTTP:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "teams",
    # encoded slashes and backslashes, in one or several layers
    "/%2Fevil.example",
    "/%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%2F%2Fevil.example",
    "/%252Fevil.example",
    "/%25252Fevil.example",
    "/%255Cevil.example",
    "%5C%5Cevil.example",
    # Unicode lookalikes of / and \, raw and encoded
    "\uff0f\uff0fevil.example",
    "/\uff0fevil.example",
    "\uff3c\uff3cevil.example",
    "/\uff3cevil.example",
    "/\u2215evil.example",
    "/\u2044evil.example",
    "/\u2216evil.example",
    "/\ufe68evil.example",
    "/%EF%BC%8Fevil.example",
    "/%EF%BC%BCevil.example",
    "/%E2%88%95evil.example",
    "/%E2%81%84evil.example",
    "/%25EF%25BC%258Fevil.example",
    # other whitespace, separators and invisible characters
    "/ /evil.example",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "/\u200b/evil.example",
    "/\u2028/evil.example",
    "/\ufeff/evil.example",
    "/%C2%A0/evil.example",
    "/%E3%80%80/evil.example",
    "/%E2%80%8B/evil.example",
    "/%FF/evil.example",  # not UTF-8
    # @-tricks: user-info that makes the real host the one after @
    "@evil.example",
    "//@evil.example",
    "//tracker.test@evil.example",
    "https://tracker.test@evil.example/",
    "/\\@evil.example",
    "/%5C@evil.example",
    "/%2F@evil.example",
    # too long to be one of our links
    "/teams?" + "a" * 5000,
]

GOOD = [
    "/teams",
    "/teams?sort=name&dir=desc",
    "/teams#top",
    "/dashboard?items_page=2#items",
    "/members/1/sessions?q=feature+store&kind=one_on_one",  # a GET form spells spaces +
    "/@lead",  # an @ in a path on this site is still this site
]


def assert_same_site(location: str) -> None:
    """A browser would stay on this site: no character it strips or folds, no other host."""
    assert location.isascii() and location.isprintable(), repr(location)
    assert not any(ch.isspace() or ch == "\\" for ch in location), repr(location)
    parts = urlsplit(urljoin(f"http://{HOST}/login", location))
    assert parts.netloc == HOST and parts.scheme in ("http", "https"), repr(location)
    path = location if not parts.netloc or location.startswith("/") else parts.path
    text = path
    for _ in range(5):  # no spelling of it starts an authority
        assert text.startswith("/") and text[1:2] not in ("/", "\\"), repr(location)
        text = unquote(text)


def _ids(targets):
    return [repr(t)[:40] for t in targets]


# --- the function -------------------------------------------------------------------------


@pytest.mark.parametrize("ch", CONTROLS, ids=[f"0x{ord(c):02x}" for c in CONTROLS])
def test_every_control_character_is_refused_by_the_function(app, ch):
    with app.test_request_context("/", base_url=f"http://{HOST}"):
        for target in control_targets(ch):
            assert safe_redirect_target(target, "/fallback") == "/fallback", repr(target)


@pytest.mark.parametrize("target", HOSTILE, ids=_ids(HOSTILE))
def test_hostile_targets_are_refused_by_the_function(app, target):
    with app.test_request_context("/", base_url=f"http://{HOST}"):
        assert safe_redirect_target(target, "/fallback") == "/fallback"


@pytest.mark.parametrize("target", GOOD, ids=_ids(GOOD))
def test_good_targets_are_kept_by_the_function(app, target):
    with app.test_request_context("/", base_url=f"http://{HOST}"):
        assert safe_redirect_target(target, "/fallback") == target


# --- through the login form ---------------------------------------------------------------


def _login_with_next(app, target: str):
    client = app.test_client()
    r = client.form(
        "/login",
        {"email": "lead@example.com", "password": PASSWORD},
        query_string={"next": target},
    )
    logged_in = client.get("/teams").status_code == 200
    return r, logged_in


def _check_login(app, target: str, expected: str | None) -> None:
    r, logged_in = _login_with_next(app, target)
    if "\x00" in target:
        # NUL is refused up front everywhere (PostgreSQL cannot store it): nothing happens.
        assert r.status_code == 400 and "next" in r.get_data(as_text=True), repr(target)
        assert not logged_in
        return
    assert r.status_code == 302, (repr(target), r.status_code)
    assert_same_site(r.headers["Location"])
    if expected is not None:
        assert r.headers["Location"] == expected, repr(target)
    assert logged_in, repr(target)  # the login was committed before the redirect was chosen


@pytest.fixture
def quiet(app, org):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is a response to assert on, not a raise
    return app


@pytest.mark.parametrize("ch", CONTROLS, ids=[f"0x{ord(c):02x}" for c in CONTROLS])
def test_login_next_with_control_characters(quiet, ch):
    for target in control_targets(ch):
        _check_login(quiet, target, FALLBACK)


@pytest.mark.parametrize("target", HOSTILE, ids=_ids(HOSTILE))
def test_login_next_hostile(quiet, target):
    _check_login(quiet, target, FALLBACK)


@pytest.mark.parametrize("target", GOOD, ids=_ids(GOOD))
def test_login_next_good_targets_are_followed(quiet, target):
    _check_login(quiet, target, target)


def test_login_returns_to_the_page_that_asked_for_it(quiet, org):
    client = quiet.test_client()
    page = f"/members/{org.eng.id}/sessions?q=feature+store&kind=one_on_one"
    r = client.get(page)
    assert r.status_code == 302
    login_url = r.headers["Location"]
    r = client.form(login_url, {"email": "lead@example.com", "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == page


# --- through the tick route ---------------------------------------------------------------


@pytest.fixture
def ticking(quiet, db, one_on_one):
    """A logged-in lead and the open item of their 1:1, to tick and re-open."""
    from tests.conftest import login
    from tracker.mentoring.models import ActionItem

    client = quiet.test_client()
    assert login(client, "lead@example.com").status_code == 302
    item = db.scalar(select(ActionItem).where(ActionItem.session_id == one_on_one.id))
    return client, item, db


def _check_tick(ticking, target: str, expected: str | None) -> None:
    client, item, db = ticking
    done = not item.done
    r = client.form(f"/items/{item.id}/{'done' if done else 'reopen'}", {"next": target})
    db.refresh(item)
    if "\x00" in target:
        assert r.status_code == 400 and "next" in r.get_data(as_text=True), repr(target)
        assert item.done is not done  # refused before anything was written
        return
    assert r.status_code == 302, (repr(target), r.status_code)
    assert_same_site(r.headers["Location"])
    if expected is not None:
        assert r.headers["Location"] == expected, repr(target)
    assert item.done is done, repr(target)  # the tick was committed


@pytest.mark.parametrize("ch", CONTROLS, ids=[f"0x{ord(c):02x}" for c in CONTROLS])
def test_tick_next_with_control_characters(ticking, ch):
    for target in control_targets(ch):
        _check_tick(ticking, target, FALLBACK)


@pytest.mark.parametrize("target", HOSTILE, ids=_ids(HOSTILE))
def test_tick_next_hostile(ticking, target):
    _check_tick(ticking, target, FALLBACK)


@pytest.mark.parametrize("target", GOOD, ids=_ids(GOOD))
def test_tick_next_good_targets_are_followed(ticking, target):
    _check_tick(ticking, target, target)


def test_tick_without_next_goes_home(ticking):
    _check_tick(ticking, "", FALLBACK)
