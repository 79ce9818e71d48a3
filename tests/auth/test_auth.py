"""Login, logout, sessions, throttling, passwords and one-time links, through HTTP."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, login
from tracker.auth.models import AccountLink, LoginCounter, User
from tracker.db import utcnow


def test_login_page_renders_form_with_email_and_password(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert b'name="email"' in r.data and b'name="password"' in r.data
    assert b'name="csrf_token"' in r.data


def test_anonymous_is_sent_to_login(client, org):
    r = client.get(f"/members/{org.eng.id}")
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]


def test_login_success_redirects_home(client, org):
    r = login(client, "lead@example.com")
    assert r.status_code == 302
    r = client.get("/", follow_redirects=True)
    assert b"ML Platform" in r.data


def test_login_is_case_insensitive_on_email(client, org):
    assert login(client, "  LEAD@Example.com ").status_code == 302


def test_wrong_password_keeps_email_and_says_why(client, org):
    r = login(client, "lead@example.com", "not-the-password-at-all")
    assert r.status_code == 401
    assert b"Email or password is not correct." in r.data
    assert b'value="lead@example.com"' in r.data
    assert b"not-the-password-at-all" not in r.data  # never echo a password


def test_unknown_account_gets_same_message(client):
    r = login(client, "nobody@example.com")
    assert r.status_code == 401
    assert b"Email or password is not correct." in r.data


def test_deactivated_user_cannot_log_in(client, org, db):
    org.lead.active = False
    db.commit()
    assert login(client, "lead@example.com").status_code == 401


def test_login_without_csrf_token_is_rejected(client, org):
    r = client.post("/login", data={"email": "lead@example.com", "password": PASSWORD})
    assert r.status_code == 400
    assert b"Reload the page" in r.data
    assert client.get("/teams").status_code == 302  # not logged in


def test_login_with_wrong_csrf_token_is_rejected(client, org):
    r = client.post(
        "/login", data={"email": "lead@example.com", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 400


def test_session_is_renewed_on_login(client, org):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, "lead@example.com")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert "login_at" in sess


def test_next_parameter_is_followed_only_within_the_site(client, org):
    r = client.form("/login?next=/teams", {"email": "lead@example.com", "password": PASSWORD})
    assert r.headers["Location"].endswith("/teams")
    client.form("/logout")
    r = client.form(
        "/login?next=//evil.example/x", {"email": "lead@example.com", "password": PASSWORD}
    )
    assert "evil.example" not in r.headers["Location"]


def test_logout_requires_post(client_as, org):
    client = client_as("lead")
    assert client.get("/logout").status_code == 405
    assert client.get("/teams").status_code == 200
    r = client.form("/logout")
    assert r.status_code == 302
    assert client.get("/teams").status_code == 302


def test_session_cookie_flags(client, org):
    r = login(client, "lead@example.com")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_config_sets_secure_cookies_and_needs_a_secret(monkeypatch):
    import pytest

    from config import ProductionConfig
    from tracker import create_app

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        DATABASE_URL = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_idle_and_absolute_timeouts(app, client, org):
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=1)
    login(client, "lead@example.com")
    with client.session_transaction() as sess:
        assert sess.permanent
        sess["login_at"] = (utcnow() - timedelta(hours=13)).isoformat()
    r = client.get("/teams")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/teams").status_code == 302


# --- throttle -----------------------------------------------------------------------------


def test_failed_logins_are_throttled_per_account(app, client, org):
    # Per account *from this address* (tests/auth/test_login_throttle.py has the whole policy).
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    for _ in range(limit):
        assert login(client, "lead@example.com", "wrong-password-123").status_code == 401
    r = login(client, "lead@example.com")  # even the right password waits now
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 15 * 60
    assert b"Too many failed logins" in r.data
    # Another account from the same address is not blocked by this account's failures.
    assert login(client, "other@example.com").status_code == 302


def test_throttle_ends_after_the_window(app, client, org, db):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    for _ in range(limit):
        login(client, "lead@example.com", "wrong-password-123")
    assert b"Too many" in login(client, "lead@example.com").data
    # Let the window pass: move every counter's window back beyond it.
    db.execute(
        update(LoginCounter).values(
            window_start=utcnow() - app.config["LOGIN_WINDOW"] - timedelta(seconds=1)
        )
    )
    db.commit()
    assert login(client, "lead@example.com").status_code == 302


def test_success_clears_failures(app, client, org, db):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    for _ in range(limit - 1):
        login(client, "lead@example.com", "wrong-password-123")
    assert login(client, "lead@example.com").status_code == 302
    client.form("/logout")
    for _ in range(limit - 1):
        login(client, "lead@example.com", "wrong-password-123")
    assert login(client, "lead@example.com").status_code == 302


def test_throttle_per_address(app, client, org):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for i in range(3):
        login(client, f"guess{i}@example.com", "wrong-password-123")
    r = login(client, "lead@example.com")
    assert b"Too many failed logins" in r.data


def test_throttle_is_shared_by_app_instances_on_one_database(app, database_url, org):
    """Two app instances (as two gunicorn workers) share the throttle through the database."""
    from tests.conftest import Client
    from tracker import create_app

    other = create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url})
    other.test_client_class = Client
    a, b = app.test_client(), other.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    for i in range(limit):
        login(a if i % 2 else b, "lead@example.com", "wrong-password-123")
    assert b"Too many failed logins" in login(a, "lead@example.com").data
    assert b"Too many failed logins" in login(b, "lead@example.com").data


# --- passwords ------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id(org, db):
    user = db.get(User, org.lead.id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_production_hash_parameters_meet_asvs(app):
    from argon2 import PasswordHasher

    from config import ProductionConfig

    hasher = PasswordHasher(**ProductionConfig.PASSWORD_HASH_PARAMS)
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


def test_change_password_ends_other_sessions(app, client, org):
    other_device = app.test_client()
    login(other_device, "lead@example.com")
    login(client, "lead@example.com")
    new = "a-brand-new-long-passphrase"
    r = client.form("/account", {"current_password": PASSWORD, "password": new, "confirm": new})
    assert r.status_code == 302
    assert client.get("/teams").status_code == 200  # this session lives on
    assert other_device.get("/teams").status_code == 302  # the other is logged out
    client.form("/logout")
    assert login(client, "lead@example.com").status_code == 401
    assert login(client, "lead@example.com", new).status_code == 302


def test_change_password_errors_name_the_field(client_as, org):
    client = client_as("lead")
    r = client.form(
        "/account",
        {
            "current_password": "wrong-one-here",
            "password": "x" * 14 + "yz12",
            "confirm": "x" * 14 + "yz12",
        },
    )
    assert b"The current password is not correct." in r.data
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert b"Password must be 12 to 256 characters long." in r.data
    common = "password1234"
    r = client.form(
        "/account", {"current_password": PASSWORD, "password": common, "confirm": common}
    )
    assert b"too common" in r.data
    r = client.form(
        "/account",
        {
            "current_password": PASSWORD,
            "password": "long-enough-one-1",
            "confirm": "long-enough-two-2",
        },
    )
    assert b"The passwords do not match." in r.data


def test_logout_everywhere(app, client, org):
    other_device = app.test_client()
    login(other_device, "lead@example.com")
    login(client, "lead@example.com")
    assert client.form("/account/logout-everywhere").status_code == 302
    assert client.get("/teams").status_code == 302
    assert other_device.get("/teams").status_code == 302
    assert login(client, "lead@example.com").status_code == 302  # the password still works


def test_remember_me_cookie_dies_with_the_session_token(app, client, org, db):
    client.form("/login", {"email": "lead@example.com", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token", domain="tracker.test") is not None
    with client.session_transaction() as sess:
        sess.clear()  # the browser closed: only the remember cookie is left
    assert client.get("/teams").status_code == 200
    user = db.get(User, org.lead.id)
    user.end_all_sessions()
    db.commit()
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get("/teams").status_code == 302


# --- invitations and resets -----------------------------------------------------------------


def _invite(client, member_id) -> str:
    r = client.form(f"/members/{member_id}/invite")
    assert r.status_code == 200
    html = r.data.decode()
    start = html.index("http://tracker.test/welcome/")
    return html[start : html.index('"', start)].replace("http://tracker.test", "")


def test_lead_invites_member_who_sets_password_and_logs_in(app, client_as, org, db):
    client = client_as("lead")
    path = _invite(client, org.plain.id)
    client.form("/logout")
    r = client.get(path, follow_redirects=True)  # the token is exchanged, then a clean URL
    assert r.status_code == 200 and b"Welcome, Pat Plain" in r.data
    new = "pats-own-long-passphrase"
    r = client.form("/welcome", {"password": new, "confirm": new})
    assert r.status_code == 302
    r = client.get("/", follow_redirects=True)
    assert b"Pat Plain" in r.data
    user = db.scalar(select(User).where(User.email == org.plain.email))
    assert user.role == "engineer" and user.member.id == org.plain.id
    # The link is one-time.
    client.form("/logout")
    assert client.get(path).status_code == 404


def test_invitation_expires_after_seven_days(client_as, org, db):
    client = client_as("lead")
    path = _invite(client, org.plain.id)
    link = db.scalar(select(AccountLink))
    assert link.expires_at - link.created_at == timedelta(days=7)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    client.form("/logout")
    r = client.get(path)
    assert r.status_code == 404 and b"not valid" in r.data


def test_new_invitation_replaces_the_old_one(client_as, org):
    client = client_as("lead")
    first = _invite(client, org.plain.id)
    second = _invite(client, org.plain.id)
    client.form("/logout")
    assert client.get(first).status_code == 404
    assert client.get(second, follow_redirects=True).status_code == 200


def test_weak_password_on_invitation_is_rejected_and_nothing_created(client_as, org, db):
    client = client_as("lead")
    path = _invite(client, org.plain.id)
    client.form("/logout")
    client.get(path)
    r = client.form("/welcome", {"password": "qwertyuiop123", "confirm": "qwertyuiop123"})
    assert b"too common" in r.data
    db.expire_all()
    assert (
        db.scalar(select(func.count()).select_from(User).where(User.email == org.plain.email)) == 0
    )


def test_member_with_account_cannot_be_invited_again(client_as, org):
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/invite", follow_redirects=True)
    assert b"already has an account" in r.data


def test_invitation_link_is_stored_only_as_a_digest(client_as, org, db):
    client = client_as("lead")
    path = _invite(client, org.plain.id)
    token = path.rsplit("/", 1)[1]
    link = db.scalar(select(AccountLink))
    assert token not in link.token_digest and len(link.token_digest) == 64


def test_admin_issues_password_reset(client_as, org, db):
    # An engineer who has written no 1:1: one admin suffices (leads: tests/auth/test_resets.py).
    client = client_as("admin")
    r = client.form(f"/admin/users/{org.eng.user_id}/reset")
    html = r.data.decode()
    start = html.index("/welcome/")
    path = html[start : html.index('"', start)]
    client.form("/logout")
    new = "eves-reset-passphrase"
    client.get(path)
    assert client.form("/welcome", {"password": new, "confirm": new}).status_code == 302
    client.form("/logout")
    assert login(client, "eve@example.com", new).status_code == 302
