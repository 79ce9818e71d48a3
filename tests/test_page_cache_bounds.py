"""The page cache's memory: junk in any part of a cached page's query string reuses the real
page's entry (never a new one), the cache is bounded by bytes as well as entries, and the
key keeps users apart even when everything else about two requests is the same."""

from __future__ import annotations

import random
import string
import sys
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import login
from tracker.cache import ENTRY_OVERHEAD, PageCache

JUNK_COUNT = 300


def _junk(seed: int, real: list[str]) -> list[str]:
    """300 values a page does not know: near misses of the real ones, random text, numbers,
    markup, very long and non-ASCII strings."""
    rng = random.Random(seed)
    near = [v + s for v in real for s in ("x", " ", "-", "\t", "%00")] + [v.upper() for v in real]
    odd = ["", " ", "0", "-1", "1e9", "None", "null", "<script>", "é" * 40, "a" * 5000, "☃"]
    values = near + odd
    while len(values) < JUNK_COUNT:
        n = rng.randint(1, 60)
        values.append("".join(rng.choice(string.printable + "éß漢") for _ in range(n)))
    return [v for v in dict.fromkeys(values) if v not in real][:JUNK_COUNT]


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """The key's minute held still: hundreds of requests may cross a minute's end, and a new
    minute is rightly a new entry (with freshly signed form tokens)."""
    import tracker.cache

    minute = tracker.cache.utcnow()
    monkeypatch.setattr(tracker.cache, "utcnow", lambda: minute)


def _page(client, url: str, params: dict | None = None) -> str:
    r = client.get(url, query_string=params)
    assert r.status_code == 200, (url, params)
    return r.get_data(as_text=True)


@pytest.fixture
def overdue_pages(org, make_session):
    """Lee Lead's dashboard with two pages of overdue action items (60, 50 a page)."""
    due = date.today() - timedelta(days=3)
    items = [(f"Overdue thing {i:02d}", "mentee", due - timedelta(days=i)) for i in range(60)]
    make_session(org.eng, org.lead, held_at=datetime(2026, 1, 5, 10), items=items)
    return org


def test_junk_page_numbers_reuse_the_real_pages_entries(app, client_as, overdue_pages):
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    first, last = _page(client, "/dashboard"), _page(client, "/dashboard", {"items_page": 2})
    assert "Overdue thing 59" in first and "Overdue thing 00" in last  # most overdue first
    junk = [str(n) for n in range(3, 3 + JUNK_COUNT - 8)]
    junk += ["999999", str(10**30), "-5", "0", "abc", "", "2.5", "1e3"]
    for value in junk:
        assert _page(client, "/dashboard", {"items_page": value}) in (first, last), value
    assert len(pages) <= 2


@pytest.fixture
def matrix_url(org, framework):
    return f"/teams/{org.team.id}/matrix"


PARTS = {
    "sort": ["name", "level", "python-programming"],
    "category": ["data", "technical"],
    "level": ["Entry", "Mid", "Senior", "Lead"],
    "dir": ["desc", "asc"],
    "archived": ["1"],
}


@pytest.mark.parametrize("part", list(PARTS))
def test_junk_in_each_matrix_argument_reuses_the_real_pages_entry(app, client_as, matrix_url, part):
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    canonical = _page(client, matrix_url)
    for i, value in enumerate(_junk(len(part), PARTS[part])):
        assert _page(client, matrix_url, {part: value}) == canonical, (part, value, i)
    assert len(pages) == 1
    assert pages.hits >= JUNK_COUNT - 1


def test_junk_sorts_under_a_real_filter_reuse_that_filters_entry(app, client_as, matrix_url):
    """A competency of another category is no sort key there: it sorts by name, as "name"."""
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    by_name = _page(client, matrix_url, {"category": "data", "sort": "name"})
    for value in ["python-programming", *_junk(7, ["name"])[:100]]:
        assert _page(client, matrix_url, {"category": "data", "sort": value}) == by_name
    assert len(pages) == 1


def test_real_arguments_still_get_their_own_pages(app, client_as, matrix_url):
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    seen = {_page(client, matrix_url)}
    for part, values in PARTS.items():
        for value in values:
            if (part, value) in (("sort", "name"), ("dir", "asc")):
                continue  # the defaults
            seen.add(_page(client, matrix_url, {part: value}))
    assert len(seen) == len(pages) == 1 + sum(len(v) for v in PARTS.values()) - 2


def test_the_cache_never_holds_more_bytes_than_its_budget():
    cache = PageCache(size=1000, max_bytes=100_000)
    rng = random.Random(1)
    for i in range(500):
        # ASCII, Latin-1, BMP and astral text: CPython stores 1, 1, 2 or 4 bytes a character.
        alphabet = ["abc", "éàü", "漢字", "😀🙃"][i % 4]
        html = "".join(rng.choice(alphabet) for _ in range(rng.randint(100, 9000)))
        cache.put(("page", i), html)
        held = sum(sys.getsizeof(v) + ENTRY_OVERHEAD for v, _cost in cache._pages.values())
        assert cache.bytes == held <= 100_000
    assert 0 < len(cache) < 1000  # bytes, not the entry count, were the limit
    # Least recently used goes first: the newest entry is there, the oldest long gone.
    assert cache.get(("page", 499)) is not None and cache.get(("page", 0)) is None


def test_a_page_larger_than_the_budget_is_never_kept():
    cache = PageCache(size=10, max_bytes=10_000)
    cache.put("small", "x" * 100)
    cache.put("huge", "x" * 20_000)
    assert cache.get("huge") is None and cache.get("small") is not None
    cache.put("small", "y" * 20_000)  # replaced by a huge one: dropped, not double-counted
    assert len(cache) == 0 and cache.bytes == 0


def test_the_byte_budget_comes_from_the_config(database_url):
    from tracker import create_app

    app = create_app(
        {"ENV_NAME": "testing", "DATABASE_URL": database_url, "PAGE_CACHE_BYTES": 12345}
    )
    assert app.extensions["tracker.pages"].max_bytes == 12345
    default = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url})
    assert default.extensions["tracker.pages"].max_bytes == 32 * 1024 * 1024


def test_served_pages_stay_within_the_budget(client_as, app, org, framework):
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    one = sys.getsizeof(_page(client, f"/teams/{org.team.id}/matrix")) + ENTRY_OVERHEAD
    pages.max_bytes = 3 * one + one // 2  # room for three matrix pages
    for level in PARTS["level"]:
        _page(client, f"/teams/{org.team.id}/matrix", {"level": level})
        _page(client, "/dashboard")
        assert pages.bytes <= pages.max_bytes
    assert len(pages) < 6  # of six pages served, the least recently used made room


# --- the key keeps users apart ----------------------------------------------------------------


def test_co_leads_with_the_same_session_secret_never_share_a_page(
    app, db, org, framework, make_user
):
    """Everything in the key but the user is forced equal: the team (both lead it), the
    arguments, the session's CSRF secret, the minute (held still) and the data version. Each
    lead must still see their own name: a key without the user would hand one the other's."""
    from tracker.team.models import Team

    second = make_user("lead", email="co@example.com", name="Cora Colead")
    team = db.get(Team, org.team.id)
    team.leads.append(second)
    db.commit()
    clients = {}
    for email in ("lead@example.com", "co@example.com"):
        c = app.test_client()
        assert login(c, email).status_code == 302
        with c.session_transaction() as s:
            s["csrf_token"] = "the-same-secret-for-both"
        clients[email] = c
    pages = app.extensions["tracker.pages"]
    for url in (
        "/dashboard",
        f"/teams/{org.team.id}/matrix",
        f"/teams/{org.team.id}/matrix?sort=level",
    ):
        lee = _page(clients["lead@example.com"], url)
        cora = _page(clients["co@example.com"], url)
        assert "Lee Lead" in lee and "Cora Colead" not in lee, url
        assert "Cora Colead" in cora and "Lee Lead" not in cora, url
        # Served again from the cache, still each their own.
        assert _page(clients["lead@example.com"], url) == lee
        assert _page(clients["co@example.com"], url) == cora
    assert pages.hits == 6
