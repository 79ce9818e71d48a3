"""Two-factor authentication end to end through the test client, with real TOTP codes:
enrolment, the login's second step, replays, recovery codes, the throttle, turning it off,
the organisation's requirement, the half-logged-in browser and the admin's reset."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import PASSWORD, login
from tests.identity.conftest import actions, code, enrol, password_step
from tests.route_table import PUBLIC, ROUTES
from tests.test_routes import _url_for_rule
from tracker.identity.models import RecoveryCode, TwoFactor

LEAD = "lead@example.com"


def test_enrolment_needs_a_right_first_code(app, db, org, client_as):
    client = client_as("lead")
    assert client.form("/account/two-factor/start").status_code == 302
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and b"<svg" in page.data and b"two-factor-secret" in page.data
    svg = page.get_data(as_text=True).split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style=" not in svg and "<script" not in svg  # nothing the strict CSP would block
    wrong = client.form("/account/two-factor/confirm", {"code": "000000"})
    assert wrong.status_code == 400 and b"This code is not correct" in wrong.data
    row = db.get(TwoFactor, org.lead.id)
    assert row is not None and row.enabled_at is None  # still waiting for a right code
    assert "two-factor enrolled" not in actions(db, org.lead.id)
    # The same secret until confirmed: the page shows it again.
    found = enrol(client)
    db.expire_all()
    row = db.get(TwoFactor, org.lead.id)
    assert row.enabled_at is not None and row.secret == found.secret
    stored = db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == org.lead.id))
    hashes = list(stored)
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c.replace("-", "") in h for c in found.recovery for h in hashes)
    assert "two-factor enrolled" in actions(db, org.lead.id)
    # Shown once: the account page now lists how many are left, never the codes.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 of 10" in again and found.recovery[0] not in again


def test_login_asks_for_the_code_and_logs_in_only_with_it(app, db, org, enrolled):
    found = enrolled("lead")
    client, answer = password_step(app, LEAD)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/two-factor")
    assert client.get("/account").status_code == 302  # not logged in yet
    wrong = client.form("/login/two-factor", {"code": "123456"})
    assert wrong.status_code == 401 and b"not correct" in wrong.data
    right = client.form("/login/two-factor", {"code": code(found.secret, 1)})
    assert right.status_code == 302
    assert client.get("/account").status_code == 200
    assert "two-factor failed" in actions(db, org.lead.id)


def test_a_code_is_refused_when_replayed(app, org, enrolled):
    found = enrolled("lead")
    used = code(found.secret, 1)
    first, _ = password_step(app, LEAD)
    assert first.form("/login/two-factor", {"code": used}).status_code == 302
    second, _ = password_step(app, LEAD)
    assert second.form("/login/two-factor", {"code": used}).status_code == 401
    # The code of the enrolment's own step is older still: refused too.
    assert second.form("/login/two-factor", {"code": code(found.secret)}).status_code == 401
    assert second.get("/account").status_code == 302


def test_a_recovery_code_works_once(app, db, org, enrolled):
    found = enrolled("lead")
    recovery = found.recovery[3]
    first, _ = password_step(app, LEAD)
    answer = first.form("/login/two-factor", {"code": recovery.upper()})
    assert answer.status_code == 302 and first.get("/account").status_code == 200
    assert "recovery code used" in actions(db, org.lead.id)
    second, _ = password_step(app, LEAD)
    assert second.form("/login/two-factor", {"code": recovery}).status_code == 401
    assert second.form("/login/two-factor", {"code": found.recovery[4]}).status_code == 302


def test_wrong_codes_are_throttled_like_passwords(app, db, org, enrolled):
    found = enrolled("lead")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    client, _ = password_step(app, LEAD, "10.9.9.9")
    statuses = [
        client.form("/login/two-factor", {"code": "000000"}).status_code for _ in range(limit)
    ]
    assert statuses == [401] * limit
    refused = client.form("/login/two-factor", {"code": code(found.secret, 1)})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Too many wrong codes" in refused.data
    assert client.get("/account").status_code == 302
    assert "two-factor refused" in actions(db, org.lead.id)
    # Their own counters: the password still passes from that address, and another address
    # with no failure for the account gets its code checked.
    again, answer = password_step(app, LEAD, "10.9.9.9")
    assert answer.headers["Location"].endswith("/login/two-factor")
    elsewhere, _ = password_step(app, LEAD, "10.8.8.8")
    assert elsewhere.form("/login/two-factor", {"code": code(found.secret, 1)}).status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(app, db, org, enrolled):
    found = enrolled("lead")
    client = found.client
    wrong_password = client.form(
        "/account/two-factor/off", {"password": "not-the-password", "code": code(found.secret, 1)}
    )
    assert wrong_password.status_code == 400 and b"password is not correct" in wrong_password.data
    wrong_code = client.form("/account/two-factor/off", {"password": PASSWORD, "code": "000000"})
    assert wrong_code.status_code == 400 and b"not correct" in wrong_code.data
    db.expire_all()
    assert db.get(TwoFactor, org.lead.id).enabled_at is not None
    off = client.form(
        "/account/two-factor/off", {"password": PASSWORD, "code": code(found.secret, 1)}
    )
    assert off.status_code == 302
    db.expire_all()
    assert db.get(TwoFactor, org.lead.id) is None
    assert not list(db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == org.lead.id)))
    assert "two-factor removed" in actions(db, org.lead.id)
    fresh = app.test_client()
    assert login(fresh, LEAD).headers["Location"].endswith("/")  # the password alone again


def _get_routes(app):
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for route in ROUTES:
        rule = rules.get(route.endpoint)
        if route.access != PUBLIC and rule is not None and "GET" in rule.methods:
            yield rule


def _no_page_opens(app, org, client) -> None:
    for rule in _get_routes(app):
        r = client.get(_url_for_rule(rule, org))
        assert r.status_code == 302, f"{rule.endpoint}: {r.status_code}"
        assert "/login" in r.headers["Location"], rule.endpoint


def test_the_half_logged_in_browser_opens_no_page(app, org, enrolled):
    enrolled("lead")
    client, _ = password_step(app, LEAD)
    _no_page_opens(app, org, client)
    # ...and a post anywhere else with a valid token is not the lead's either.
    assert client.form("/account/two-factor/start").status_code == 302
    assert client.get("/account").status_code == 302


def test_the_half_logged_in_state_expires(app, org, enrolled):
    found = enrolled("lead")
    app.config["TWO_FACTOR_PENDING_LIFETIME_SECONDS"] = 0
    client, _ = password_step(app, LEAD)
    late = client.form("/login/two-factor", {"code": code(found.secret, 1)})
    assert late.status_code == 302 and late.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302


def test_a_required_lead_is_led_through_enrolment_first(app, db, org, client_as):
    admin = client_as("admin")
    assert admin.form("/admin/two-factor", {"required": "y"}).status_code == 302
    from tracker.auditing import AuditEvent

    db.commit()
    said = db.scalars(select(AuditEvent.summary).where(AuditEvent.object_type == "organisation"))
    assert any("require_two_factor" in line for line in said)
    client, answer = password_step(app, LEAD)
    assert answer.headers["Location"].endswith("/login/two-factor/setup")
    _no_page_opens(app, org, client)
    page = client.get("/login/two-factor/setup")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text
    from tests.identity.conftest import RECOVERY_SHOWN, SECRET_SHOWN

    secret = SECRET_SHOWN.search(text).group(1).replace(" ", "")
    assert client.form("/login/two-factor/setup", {"code": "000000"}).status_code == 400
    assert client.get("/account").status_code == 302
    done = client.form("/login/two-factor/setup", {"code": code(secret)})
    assert (
        done.status_code == 200 and len(RECOVERY_SHOWN.findall(done.get_data(as_text=True))) == 10
    )
    assert client.get("/account").status_code == 200
    assert "two-factor enrolled" in actions(db, org.lead.id)
    # An engineer is not required: the password alone, as before.
    assert login(app.test_client(), "eve@example.com").headers["Location"].endswith("/")


def test_a_reset_password_link_does_not_skip_the_code(app, db, org, enrolled):
    from tracker.auth.links import operator_reset

    found = enrolled("eve@example.com")
    with app.app_context():
        token = operator_reset(db, "eve@example.com")
    db.commit()
    client = app.test_client()
    assert client.get(f"/welcome/{token}").status_code == 302
    new = "violet-otter-lantern-94"
    answer = client.form("/welcome", {"password": new, "confirm": new})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/two-factor")
    assert client.get("/account").status_code == 302
    assert client.form("/login/two-factor", {"code": code(found.secret, 1)}).status_code == 302
    assert client.get("/account").status_code == 200


def test_the_code_step_keeps_where_the_login_was_going(app, org, enrolled):
    found = enrolled("lead")
    client = app.test_client()
    answer = client.form("/login?next=/account", {"email": LEAD, "password": PASSWORD})
    assert answer.headers["Location"].endswith("/login/two-factor")
    done = client.form("/login/two-factor", {"code": code(found.secret, 1)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account")


def test_new_recovery_codes_need_the_password_and_a_code(app, db, org, enrolled):
    from tests.identity.conftest import RECOVERY_SHOWN

    found = enrolled("lead")
    url = "/account/two-factor/recovery-codes"
    client = found.client
    wrong = client.form(url, {"renew-password": PASSWORD, "renew-code": "000000"})
    assert wrong.status_code == 400 and b"not correct" in wrong.data
    answer = client.form(url, {"renew-password": PASSWORD, "renew-code": code(found.secret, 1)})
    assert answer.status_code == 200
    fresh = RECOVERY_SHOWN.findall(answer.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(found.recovery)
    assert "recovery codes replaced" in actions(db, org.lead.id)
    old, _ = password_step(app, LEAD)
    assert old.form("/login/two-factor", {"code": found.recovery[0]}).status_code == 401
    assert old.form("/login/two-factor", {"code": fresh[0]}).status_code == 302
