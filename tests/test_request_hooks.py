"""The request hooks' one order (tracker/requests.py), and the reasons it holds, by request."""

from __future__ import annotations

from datetime import timedelta

from flask import g
from sqlalchemy import event

from tests.conftest import login
from tracker.db import utcnow


def _names(hooks) -> list[str]:
    return [hook.__qualname__.split(".<locals>")[0] for hook in hooks]


def test_the_hooks_are_registered_in_the_documented_order(app):
    assert _names(app.before_request_funcs[None]) == [
        "choose_begin",
        "read_token",
        "refuse_nul_characters",
        "CSRFProtect.init_app",  # Flask-WTF's csrf_protect
        "end_expired_login",
        "enforce_access",
    ]
    assert app.before_request_funcs[None][3].__name__ == "csrf_protect"
    # Flask runs these in reverse: the remember cookie first, the security headers last.
    assert _names(app.after_request_funcs[None]) == [
        "set_headers",
        "LoginManager._update_remember_cookie",
    ]
    assert _names(app.teardown_appcontext_funcs) == ["close_session", "run_apart"]
    assert not any(app.before_request_funcs.get(bp) for bp in app.blueprints)
    assert not any(app.teardown_request_funcs.values())


def test_the_page_token_is_read_before_the_user_is_loaded(app, client, org):
    login(client, "lead@example.com")
    statements: list[str] = []
    engine = app.extensions["tracker.engine"]

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/dashboard").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    queries = [s for s in statements if s.lstrip().startswith("select")]
    assert "data_version" in queries[0]
    assert any("login_session" in s for s in queries[1:])  # the user, loaded after


def test_an_expired_login_ends_before_the_view_runs(app, client, org):
    ran: list[str] = []

    @app.route("/_probe", methods=["GET", "POST"])
    def probe():  # a route added only in this test
        ran.append("view")
        return "ran"

    probe.access = ("admin", "lead", "engineer")  # type: ignore[attr-defined]
    login(client, "lead@example.com")
    assert client.get("/_probe").data == b"ran"
    with client.session_transaction() as sess:
        old = utcnow() - app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(minutes=1)
        sess["login_at"] = old.isoformat()
    for r in (client.get("/_probe"), client.form("/_probe")):
        assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert ran == ["view"]  # only the request before the deadline


def test_a_forged_post_is_refused_before_the_login_or_the_rule(app, client, org):
    # Anonymous: a 400 for the token, not the login page; an engineer: a 400, not a 403.
    assert client.post("/teams/new", data={"name": "X"}).status_code == 400
    login(client, "eve@example.com")
    assert client.post("/teams/new", data={"name": "X"}).status_code == 400
    assert client.form("/teams/new", {"name": "X"}).status_code == 403


def test_a_nul_character_is_refused_before_the_csrf_check(client):
    r = client.post("/login", data={"email": "a\x00b"})
    assert r.status_code == 400 and "NUL character" in r.get_data(as_text=True)


def test_the_rule_is_checked_after_the_login_has_ended(app, client, org):
    # An engineer whose login expired is sent to log in again, not told "not allowed".
    login(client, "eve@example.com")
    with client.session_transaction() as sess:
        old = utcnow() - app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(minutes=1)
        sess["login_at"] = old.isoformat()
    r = client.get("/teams")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_page_token_is_only_read_for_marked_views(app, client, org):
    seen: list[bool] = []

    @app.route("/_plain")
    def plain():
        seen.append("page_token" in g)
        return "ok"

    plain.access = ("public",)  # type: ignore[attr-defined]
    assert client.get("/_plain").data == b"ok"
    assert seen == [False]
