"""Server-side login sessions: a copied cookie is worthless once its session ends, each login
has its own cookies, lifetimes are counted on the server from the issue time, and a user sees
and ends their own sessions (only theirs) on the account page."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from tracker.auth.models import User
from tracker.auth.sessions import LoginSession
from tracker.db import utcnow
from tracker.security import token_digest

HOST = "tracker.test"
COOKIES = {"session": "tracker_session", "remember": "remember_token"}
NEW_PASSWORD = "a-brand-new-long-passphrase"


def _device(app, name: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{name}"
    return client


def _login(client, email="lead@example.com", remember=True):
    data = {"email": email, "password": PASSWORD, **({"remember": "y"} if remember else {})}
    assert client.form("/login", data).status_code == 302


def _copy(app, source, kinds):
    """A second browser holding copies of `source`'s cookies of the given kinds."""
    thief = app.test_client()
    for kind in kinds:
        cookie = source.get_cookie(COOKIES[kind], domain=HOST)
        assert cookie is not None, kind
        thief.set_cookie(COOKIES[kind], cookie.value, domain=HOST)
    return thief


def _rows(db, user_id):
    db.commit()
    return list(
        db.scalars(
            select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.id)
        )
    )


def _row_of(db, user_id, browser: str) -> LoginSession:
    return next(r for r in _rows(db, user_id) if r.user_agent.endswith(f"Firefox/{browser}"))


def _logged_in(client) -> bool:
    status = client.get("/account").status_code
    assert status in (200, 302)
    return status == 200


def _end(how, app, victim, db, org):
    """End the victim's (lead's) session, the way `how` says."""
    if how == "logout":
        victim.form("/logout")
    elif how == "ended on another device":
        other = _device(app, "other")
        _login(other)
        row = _row_of(db, org.lead.id, "victim")
        assert other.form(f"/account/sessions/{row.id}/end").status_code == 302
    elif how == "others ended on another device":
        other = _device(app, "other")
        _login(other)
        assert other.form("/account/sessions/end-others").status_code == 302
    elif how == "logout everywhere":
        victim.form("/account/logout-everywhere")
    elif how == "password change":
        data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert victim.form("/account", data).status_code == 302
    elif how == "deactivated":
        admin = app.test_client()
        _login(admin, "admin@example.com")
        admin.form(f"/admin/users/{org.lead.id}/deactivate")
        admin.form(f"/admin/users/{org.lead.id}/reactivate")


ENDINGS = [
    "logout",
    "ended on another device",
    "others ended on another device",
    "logout everywhere",
    "password change",
    "deactivated",
]


@pytest.mark.parametrize("kinds", [("session",), ("remember",), ("session", "remember")])
@pytest.mark.parametrize("how", ENDINGS)
def test_a_copied_cookie_is_refused_once_its_session_ends(app, db, org, how, kinds):
    victim = _device(app, "victim")
    _login(victim)
    before, after = _copy(app, victim, kinds), _copy(app, victim, kinds)
    assert _logged_in(before)  # the control: the copy works while the session lives
    _end(how, app, victim, db, org)
    assert not _logged_in(after)
    assert not _logged_in(before)
    row = _row_of(db, org.lead.id, "victim")
    assert row.revoked_at is not None  # ended on the server, not only in the browser
    if how == "password change":
        assert _logged_in(victim)  # the device that changed it lives on, with a new login


def test_each_login_has_its_own_cookies_and_row(app, db, org):
    seen_remember, seen_ids = set(), set()
    clients = [app.test_client() for _ in range(3)]
    for client in clients + clients:  # three browsers, each logging in twice
        client.form("/logout")
        _login(client)
        remember = client.get_cookie(COOKIES["remember"], domain=HOST).value
        with client.session_transaction() as sess:
            cookie_id = sess["_user_id"]
        assert remember.split("|")[0] == cookie_id
        seen_remember.add(remember)
        seen_ids.add(cookie_id)
    assert len(seen_remember) == len(seen_ids) == 6
    rows = _rows(db, org.lead.id)
    assert len(rows) == 6 and sum(r.revoked_at is None for r in rows) == 3
    by_digest = {r.key_digest: r for r in rows}
    for cookie_id in seen_ids:  # "user:token:key:issued": a row's key and its issue time
        user_id, _token, key, issued = cookie_id.split(":")
        row = by_digest[token_digest(key)]  # only the key's digest is stored
        assert row.user_id == int(user_id) == org.lead.id and _epoch(row.created_at) == int(issued)


def _forged(app, user: User, key: str, issued: int) -> str:
    with app.test_request_context():
        return encode_cookie(f"{user.id}:{user.session_token}:{key}:{issued}")


def _epoch(at) -> int:
    return int(at.replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize("kind", ["remember", "session"])
@pytest.mark.parametrize(
    "age, accepted",
    [
        (timedelta(minutes=-10), True),  # ten minutes short of the lifetime
        (timedelta(hours=-11), True),
        (timedelta(seconds=1), False),
        (timedelta(days=1), False),
        (timedelta(days=365), False),
    ],
)
def test_a_login_older_than_its_lifetime_is_refused_even_if_re_signed(
    app, db, org, kind, age, accepted
):
    """Time is driven by moving the row's issue time back; the cookie is then re-signed with
    the app's own key to match it, as a replay of an old, genuine cookie would be. Only the
    server's count from the issue time can refuse it (the row's expiry is moved far away)."""
    lifetime = app.config[
        "REMEMBER_COOKIE_DURATION" if kind == "remember" else "SESSION_ABSOLUTE_LIFETIME"
    ]
    victim = app.test_client()
    _login(victim, remember=kind == "remember")
    with victim.session_transaction() as sess:
        original = sess["_user_id"]
    key = original.split(":")[2]
    row = _rows(db, org.lead.id)[-1]
    row.created_at = (utcnow() - lifetime - age).replace(microsecond=0)
    row.expires_at = utcnow() + timedelta(days=3650)
    db.commit()
    user = db.get(User, org.lead.id)
    issued = _epoch(row.created_at)
    replay = app.test_client()
    if kind == "remember":
        replay.set_cookie(COOKIES["remember"], _forged(app, user, key, issued), domain=HOST)
    else:
        with replay.session_transaction() as sess:
            sess.update(
                _user_id=original.rsplit(":", 1)[0] + f":{issued}", login_at=utcnow().isoformat()
            )
            sess.permanent = True
    assert _logged_in(replay) is accepted
    # The original cookie no longer names the row's issue time: refused either way.
    assert not _logged_in(
        _copy(app, victim, ["session", "remember"] if kind == "remember" else ["session"])
    )


@pytest.mark.parametrize("shift", [-3600, -1, 1, 86400])
def test_a_cookie_naming_another_issue_time_is_refused(app, db, org, shift):
    victim = app.test_client()
    _login(victim)
    cookie_id = victim.get_cookie(COOKIES["remember"], domain=HOST).value.split("|")[0]
    head, issued = cookie_id.rsplit(":", 1)
    with app.test_request_context():
        forged = encode_cookie(f"{head}:{int(issued) + shift}")
    thief = app.test_client()
    thief.set_cookie(COOKIES["remember"], forged, domain=HOST)
    assert not _logged_in(thief)
    genuine = app.test_client()
    with app.test_request_context():
        genuine.set_cookie(COOKIES["remember"], encode_cookie(cookie_id), domain=HOST)
    assert _logged_in(genuine)  # the control: the same cookie with the true issue time works


# --- the account page -------------------------------------------------------------------------


def test_the_account_page_lists_live_sessions_and_ends_one_copy_only(app, db, org):
    a, b, c = (_device(app, name) for name in ("alpha", "bravo", "charlie"))
    for device in (a, b, c):
        _login(device, remember=device is b)
    b_copy = _copy(app, b, ["session", "remember"])
    html = a.get("/account").get_data(as_text=True)
    assert html.count("This session") == 1 and html.count("Firefox on Linux") == 3
    assert (
        "127.0.0.1" in html
        and f"/account/sessions/{_row_of(db, org.lead.id, 'alpha').id}/end" not in html
    )
    bravo = _row_of(db, org.lead.id, "bravo")
    assert a.form(f"/account/sessions/{bravo.id}/end").status_code == 302
    assert not _logged_in(b) and not _logged_in(b_copy)
    assert _logged_in(a) and _logged_in(c)
    html = a.get("/account").get_data(as_text=True)
    assert f"/account/sessions/{bravo.id}/end" not in html and html.count("Firefox on Linux") == 2
    assert a.form("/account/sessions/end-others").status_code == 302
    assert _logged_in(a) and not _logged_in(c)
    assert [r.user_agent.rsplit("/", 1)[1] for r in _rows(db, org.lead.id) if not r.revoked_at] == [
        "alpha"
    ]


def test_ending_ones_own_current_session_logs_out(app, db, org):
    a = _device(app, "alpha")
    _login(a)
    row = _row_of(db, org.lead.id, "alpha")
    r = a.form(f"/account/sessions/{row.id}/end")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert not _logged_in(a)


@pytest.mark.parametrize(
    "target", ["another user's", "another user's ended", "own ended", "unknown", "huge", "zero"]
)
def test_a_session_that_is_not_ones_own_live_one_is_404(app, db, org, target):
    from tracker.auditing import AuditEvent

    eve, lead = _device(app, "eve"), _device(app, "lead")
    _login(eve, "eve@example.com")
    _login(lead)
    eves = _row_of(db, org.eng.user_id, "eve")
    if target == "another user's ended":
        eves.revoked_at = utcnow()
        db.commit()
    if target == "own ended":
        old = _device(app, "old")
        _login(old)
        old.form("/logout")
    ids = {
        "another user's": eves.id,
        "another user's ended": eves.id,
        "own ended": _row_of(db, org.lead.id, "old").id if target == "own ended" else 0,
        "unknown": eves.id + 1000,
        "huge": 2**31 - 1,
        "zero": 0,
    }
    before = _rows(db, org.eng.user_id)[0].revoked_at
    assert lead.form(f"/account/sessions/{ids[target]}/end").status_code == 404
    assert _rows(db, org.eng.user_id)[0].revoked_at == before  # untouched
    if target == "another user's":
        assert _logged_in(eve)
    assert _logged_in(lead)
    ends = db.scalars(select(AuditEvent).where(AuditEvent.action == "end session")).all()
    assert ends == []


# --- last seen --------------------------------------------------------------------------------


def test_last_seen_is_written_at_most_every_few_minutes_and_keeps_the_page_cache(app, db, org):
    from tracker.auth.sessions import TOUCH_EVERY
    from tracker.cache import DataVersion

    pages = app.extensions["tracker.pages"]
    lead = _device(app, "lead")
    _login(lead)
    assert lead.get("/dashboard").status_code == 200
    token = db.scalar(select(DataVersion.token))
    for ago, written in ((TOUCH_EVERY - timedelta(seconds=30), False), (TOUCH_EVERY * 2, True)):
        row = _row_of(db, org.lead.id, "lead")
        stale = (utcnow() - ago).replace(microsecond=0)
        table = LoginSession.__table__  # Core on the connection: the test bumps no version
        db.connection().execute(
            update(table).where(table.c.id == row.id).values(last_seen_at=stale)
        )
        db.commit()
        hits = pages.hits
        assert lead.get("/dashboard").status_code == 200
        assert pages.hits == hits + 1  # still served from the cache
        assert (_row_of(db, org.lead.id, "lead").last_seen_at > stale) is written
        assert db.scalar(select(DataVersion.token)) == token  # no page was invalidated


def test_the_absolute_timeout_ends_the_login_on_the_server(app, db, org):
    victim = _device(app, "victim")
    _login(victim)
    copy = _copy(app, victim, ["session", "remember"])
    with victim.session_transaction() as sess:
        sess["login_at"] = (utcnow() - app.config["SESSION_ABSOLUTE_LIFETIME"]).isoformat()
    r = victim.get("/account")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert _row_of(db, org.lead.id, "victim").revoked_at is not None
    assert not _logged_in(copy)  # its own login_at is fresh: only the server can refuse it


def test_logins_that_ended_long_ago_are_dropped_at_the_next_login(app, db, org):
    from tracker.auth.sessions import KEEP_ENDED

    for _ in range(3):
        _login(app.test_client())
    old, ended, recent = _rows(db, org.lead.id)
    old.expires_at = utcnow() - KEEP_ENDED - timedelta(minutes=1)
    ended.revoked_at = utcnow() - KEEP_ENDED - timedelta(minutes=1)
    recent.revoked_at = utcnow() - timedelta(days=1)
    db.commit()
    _login(app.test_client(), "eve@example.com")  # another user's login leaves them be
    assert len(_rows(db, org.lead.id)) == 3
    _login(app.test_client())
    assert [r.id for r in _rows(db, org.lead.id)][:1] == [recent.id]
    assert len(_rows(db, org.lead.id)) == 2
