"""The dashboard's page cache (tracker/cache.py): served again only while nothing was written,
per user and session, never with a flashed message, at most a minute behind the clock."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import count_queries, login

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")


def _logged_in(client, email: str):
    login(client, email)
    return client


def _dashboard(client) -> str:
    r = client.get("/dashboard")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _token(db) -> str:
    from tracker.cache import DataVersion

    db.commit()
    return db.scalar(select(DataVersion.token).where(DataVersion.id == 1))


def test_a_repeat_is_served_from_the_cache_with_two_statements(app, client, org):
    _logged_in(client, "lead@example.com")
    first = _dashboard(client)
    with count_queries(app) as n:
        again = _dashboard(client)
    assert again == first
    # The user (Flask-Login) and the data version: none of the dashboard's own queries.
    assert n() == 2
    assert app.extensions["tracker.pages"].hits == 1


def test_any_write_shows_at_once(client_as, app, client, db, org, make_member):
    _logged_in(client, "lead@example.com")
    assert "Nia New" not in _dashboard(client)
    make_member(org.team, "Nia New", start_date=org.eng.start_date - timedelta(days=400))
    assert "Nia New" in _dashboard(client)  # written by another session: seen at once

    # A write by another user through the app, to another team: the page is rendered again.
    pages = app.extensions["tracker.pages"]
    _dashboard(client)
    misses = pages.misses
    other = client_as("other@example.com")
    r = other.form(f"/teams/{org.other_team.id}/members/new", _member("Oz Other", org))
    assert r.status_code == 302
    _dashboard(client)
    assert pages.misses == misses + 1


def _member(name: str, org) -> dict:
    return {
        "name": name,
        "email": f"{name.split()[0].lower()}@example.com",
        "level": "Mid",
        "cadence_days": "14",
        "team_id": str(org.other_team.id),
    }


def test_every_write_changes_the_token_bulk_updates_too(app, db, org):
    from tracker.team.models import Member

    start = _token(db)
    org.eng.name = "Eve Renamed"
    db.flush()
    after_flush = _token(db)
    assert after_flush != start
    db.execute(update(Member).where(Member.id == org.eng.id).values(cadence_days=7))
    assert _token(db) != after_flush
    unchanged = _token(db)
    db.scalar(select(Member).where(Member.id == org.eng.id))  # a read changes nothing
    db.flush()
    assert _token(db) == unchanged


def test_a_write_between_two_loads_is_seen(app, client, db, org):
    from tracker.team.models import Member

    _logged_in(client, "lead@example.com")
    _dashboard(client)
    db.execute(update(Member).where(Member.id == org.eng.id).values(name="Eve Bulk"))
    db.commit()
    assert "Eve Bulk" in _dashboard(client)


def test_each_lead_and_session_gets_their_own_page(app, org):
    lead = _logged_in(app.test_client(), "lead@example.com")
    other = _logged_in(app.test_client(), "other@example.com")
    mine, theirs = _dashboard(lead), _dashboard(other)
    assert "Eve Engineer" in mine and "Eve Engineer" not in theirs
    assert "Sol Stranger" in theirs and "Sol Stranger" not in mine
    # The same lead in a second browser: its own forms' tokens, not the first session's.
    second = _logged_in(app.test_client(), "lead@example.com")
    assert _dashboard(second) != mine
    assert app.extensions["tracker.pages"].hits == 0


def test_a_flashed_message_is_shown_once_and_never_cached(app, client, org):
    _logged_in(client, "lead@example.com")
    _dashboard(client)
    with client.session_transaction() as s:
        s["_flashes"] = [("success", "Saved the thing.")]
    assert "Saved the thing." in _dashboard(client)
    assert "Saved the thing." not in _dashboard(client)


def test_the_cache_follows_the_clock_to_the_minute(app, client, org, monkeypatch):
    import tracker.cache

    _logged_in(client, "lead@example.com")
    _dashboard(client)  # the first load after logging in is cached too
    _dashboard(client)
    pages = app.extensions["tracker.pages"]
    assert (pages.hits, pages.misses) == (1, 1)
    later = tracker.cache.utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(tracker.cache, "utcnow", lambda: later)
    _dashboard(client)
    assert (pages.hits, pages.misses) == (1, 2)


def test_size_zero_turns_it_off(app, client, org):
    app.config["PAGE_CACHE_SIZE"] = 0
    app.extensions["tracker.pages"].size = 0
    _logged_in(client, "lead@example.com")
    _dashboard(client)
    _dashboard(client)
    assert app.extensions["tracker.pages"].hits == 0


def test_another_user_in_the_same_browser_never_gets_the_last_ones_page(app, client, org):
    _logged_in(client, "lead@example.com")
    assert "Eve Engineer" in _dashboard(client)
    client.form("/logout", {})
    _logged_in(client, "other@example.com")
    page = _dashboard(client)
    assert "Sol Stranger" in page and "Eve Engineer" not in page


def test_the_matrix_is_cached_per_filter_and_a_new_rating_shows_at_once(
    app, client_as, org, framework, rate
):
    pages = app.extensions["tracker.pages"]
    client = client_as("lead")
    url = f"/teams/{org.team.id}/matrix"
    first = client.get(url).get_data(as_text=True)
    assert 'class="cell r4' not in first
    with count_queries(app) as n:
        assert client.get(url).get_data(as_text=True) == first
    assert n() == 4 and pages.hits == 1  # user, team (the access check), its leads, the token
    client.get(url + "?sort=name&dir=desc")
    assert pages.hits == 1  # another order: another page
    rate(org.eng, "python-programming", 4, rater=org.lead)
    assert 'class="cell r4' in client.get(url).get_data(as_text=True)


def test_the_matrix_cache_never_skips_the_access_check(client_as, app, org, framework):
    lead = client_as("lead")
    url = f"/teams/{org.team.id}/matrix"
    assert lead.get(url).status_code == 200
    other = client_as("other@example.com")
    assert other.get(url).status_code == 404


def test_a_write_between_the_access_check_and_the_cache_is_never_cached_stale(
    client_as, app, db, org, framework, monkeypatch
):
    """Found in review (PostgreSQL, READ COMMITTED): the team was loaded before the token, so a
    rename committed in between was cached under the new token with the old name. The token is
    now read first of all in the request; the rename below lands right after that read."""
    import tracker.cache as cache
    from tracker.team.models import Team

    c = client_as("lead")
    real, fired = cache.current_token, []

    def then_another_worker_renames(session):
        token = real(session)
        if not fired:
            fired.append(1)
            db.execute(update(Team).where(Team.id == org.team.id).values(name="Renamed Team"))
            db.commit()
        return token

    monkeypatch.setattr(cache, "current_token", then_another_worker_renames)
    url = f"/teams/{org.team.id}/matrix"
    c.get(url)
    assert "Renamed Team" in c.get(url).get_data(as_text=True)


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks: PostgreSQL (SQLite has one writer)")
def test_the_version_row_adds_no_deadlock(app, db, org):
    """Found in review: the token was bumped at the first flush, so the version row was locked
    mid-transaction and two writers touching the same rows in different flushes deadlocked.
    It is bumped last, just before COMMIT, so B simply waits for A as before."""
    from tracker.team.models import Member

    engine = app.extensions["tracker.engine"]
    errors: dict[str, BaseException] = {}
    b_flushed = threading.Event()

    def b():
        with Session(engine) as s:
            try:
                s.get(Member, org.mate.id).name = "B renames Max"
                b_flushed.set()
                s.flush()  # waits for A's lock on Max's row, if A took it first
                s.commit()
            except BaseException as exc:  # noqa: BLE001
                errors["b"] = exc

    with Session(engine) as a:
        a.get(Member, org.eng.id).name = "A renames Eve"
        a.flush()
        t = threading.Thread(target=b)
        t.start()
        b_flushed.wait()
        time.sleep(0.5)
        try:
            a.get(Member, org.mate.id).name = "A renames Max too"
            a.flush()
            a.commit()
        except BaseException as exc:  # noqa: BLE001
            errors["a"] = exc
        t.join()
    assert not errors, {k: f"{type(v).__name__}: {v}".splitlines()[0] for k, v in errors.items()}


def test_failed_logins_keep_the_cache_warm(app, client_as, org):
    """The throttle writes a row per failed login; no cached page shows those rows, so an
    anonymous stream of bad passwords does not drop every lead's cached pages."""
    client = client_as("lead")
    _dashboard(client)
    for _ in range(3):
        assert login(app.test_client(), "lead@example.com", "wrong password!").status_code == 401
    _dashboard(client)
    assert app.extensions["tracker.pages"].hits == 1
