"""The calendar feed's token is kept only as a SHA-256: its address is shown once, when made or
reset, and everything that ends all of a user's sessions ends the feed too."""

from __future__ import annotations

import hashlib
import re

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from tests.conftest import PASSWORD, login
from tests.test_migrations import _cfg
from tracker.db import make_engine
from tracker.mentoring.models import CalendarFeed

FEED = re.compile(r"http://tracker\.test(/calendar/([A-Za-z0-9_\-]+)\.ics)")
NEW_PASSWORD = "a-brand-new-long-passphrase"


def _address(html: str) -> tuple[str, str] | None:
    match = FEED.search(html)
    return (match.group(1), match.group(2)) if match else None


def _feeds(db) -> list[CalendarFeed]:
    db.commit()
    return list(db.scalars(select(CalendarFeed)))


def test_the_address_is_shown_once_and_only_its_digest_is_kept(app, db, org):
    lead, anon = app.test_client(), app.test_client()
    login(lead, "lead@example.com")
    path, token = _address(lead.get("/calendar").get_data(as_text=True))
    (feed,) = _feeds(db)
    assert feed.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str([getattr(feed, c.key) for c in inspect(CalendarFeed).columns])
    assert anon.get(path).status_code == 200
    for _ in range(2):  # later visits: no address, and the page says why
        html = lead.get("/calendar").get_data(as_text=True)
        assert _address(html) is None and token not in html
        assert "cannot be shown again" in html
    r = lead.form("/calendar/reset")
    new_path, new_token = _address(r.get_data(as_text=True))
    assert "shown only this once" in r.get_data(as_text=True)
    assert new_token != token and anon.get(path).status_code == 404
    assert anon.get(new_path).status_code == 200
    assert anon.get(path.replace(token, feed.token_digest)).status_code == 404  # the digest
    assert len(_feeds(db)) == 1


def _end_all(how, app, lead, org):
    if how == "logout everywhere":
        lead.form("/account/logout-everywhere")
    elif how == "password change":
        data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert lead.form("/account", data).status_code == 302
    elif how == "deactivated and reactivated":
        admin = app.test_client()
        login(admin, "admin@example.com")
        admin.form(f"/admin/users/{org.lead.id}/deactivate")
        admin.form(f"/admin/users/{org.lead.id}/reactivate")


@pytest.mark.parametrize(
    "how", ["logout everywhere", "password change", "deactivated and reactivated"]
)
def test_ending_every_session_ends_the_feed(app, db, org, how):
    lead, other, anon = app.test_client(), app.test_client(), app.test_client()
    login(lead, "lead@example.com")
    login(other, "other@example.com")
    path, _token = _address(lead.get("/calendar").get_data(as_text=True))
    others_path, _ = _address(other.get("/calendar").get_data(as_text=True))
    assert anon.get(path).status_code == 200
    _end_all(how, app, lead, org)
    assert anon.get(path).status_code == 404
    assert [f.user_id for f in _feeds(db)] == [org.other_lead.id]  # the row is gone
    assert anon.get(others_path).status_code == 200  # another user's feed lives on
    if how == "password change":  # a new address can be made, and works
        new_path, _ = _address(lead.get("/calendar").get_data(as_text=True))
        assert anon.get(new_path).status_code == 200


def test_migration_hashes_existing_feed_tokens_so_their_urls_keep_working(fresh_url):  # noqa: F811
    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "0006")
        engine = make_engine(fresh_url)
        tokens = ["tok-" + "a" * 40, "B_-9" * 10 + "xyz", "short"]
        with engine.begin() as conn:
            for i, token in enumerate(tokens, start=1):
                conn.execute(
                    text(
                        'INSERT INTO "user" (id, email, name, role, active, session_token, '
                        "created_at) VALUES (:i, :e, 'U', 'lead', :t, :s, '2026-01-01')"
                    ),
                    {"i": i, "e": f"u{i}@example.com", "t": True, "s": "0" * 32},
                )
                conn.execute(
                    text(
                        "INSERT INTO calendar_feed (user_id, token, created_at) "
                        "VALUES (:i, :token, '2026-01-01')"
                    ),
                    {"i": i, "token": token},
                )
        command.upgrade(cfg, "0007")
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT user_id, token_digest FROM calendar_feed")).all())
        assert rows == {
            i: hashlib.sha256(t.encode()).hexdigest() for i, t in enumerate(tokens, start=1)
        }
        command.downgrade(cfg, "0006")  # digests cannot be undone: new random tokens
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT user_id, token FROM calendar_feed")).all())
        assert set(back) == {1, 2, 3} and len(set(back.values())) == 3
        engine.dispose()
    finally:
        ctx.pop()
