"""The login throttle's policy, through the login form from many addresses (REMOTE_ADDR),
its windows, its atomicity under parallel guesses, and the audit rows of every login."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from tests.conftest import PASSWORD, login
from tracker.auditing import AuditEvent
from tracker.auth.models import LoginCounter
from tracker.auth.throttle import client_address, counter_key
from tracker.db import utcnow

WRONG = "not-the-right-passphrase"
OWNER = "lead@example.com"


def attempt(app, address: str, email: str = OWNER, password: str = PASSWORD):
    """One login from `address`, in a fresh browser."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return login(client, email, password)


def statuses(app, address: str, email: str, times: int, password: str = WRONG) -> list[int]:
    return [attempt(app, address, email, password).status_code for _ in range(times)]


def limits(app) -> tuple[int, int, int]:
    cfg = app.config
    return (
        cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"],
        cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        cfg["LOGIN_ACCOUNT_UNDER_ATTACK_FAILURES"],
    )


def age(db, app, key: str | None = None, by: timedelta | None = None) -> None:
    """Move counters' windows back by `by` (default: just past the window's end)."""
    by = by or app.config["LOGIN_WINDOW"] + timedelta(seconds=1)
    query = select(LoginCounter)
    for counter in db.scalars(query if key is None else query.where(LoginCounter.key == key)):
        counter.window_start -= by  # in Python: SQLite has no datetime arithmetic
    db.commit()


def test_policy_defaults(app):
    assert limits(app) == (5, 30, 20)
    assert app.config["LOGIN_WINDOW"] == timedelta(minutes=15)


# --- a stranger never keeps the owner out -----------------------------------------------------


@pytest.mark.parametrize(
    ("addresses", "each"),
    [(1, 5), (4, 5), (20, 1), (10, 5), (50, 1), (7, 9)],
    ids=["5x1", "20=4x5", "20=20x1", "50=10x5", "50=50x1", "63=7x9"],
)
def test_owner_from_a_clean_address_logs_in_while_strangers_fail(app, org, addresses, each):
    for i in range(addresses):
        attempt_statuses = statuses(app, f"203.0.113.{i + 1}", OWNER, each)
        assert set(attempt_statuses) <= {401, 429}
    assert attempt(app, "198.51.100.7").status_code == 302
    # ... and a stranger's addresses stay refused or limited after the owner's success.
    assert attempt(app, "203.0.113.1", OWNER, WRONG).status_code in (401, 429)


def test_stranger_from_ipv6_addresses_of_one_network_counts_as_one(app, org):
    for i in range(5):
        assert attempt(app, f"2001:db8:1:2::{i + 1:x}", OWNER, WRONG).status_code == 401
    # Any host of that /64 is the same address to the throttle...
    assert attempt(app, "2001:db8:1:2:ffff::9").status_code == 429
    # ... another network is not, and the owner gets in from it.
    assert attempt(app, "2001:db8:1:3::1").status_code == 302


@pytest.mark.parametrize(
    ("raw", "counted"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:DB8:0:0:ffff::2", "2001:db8::/64"),
        ("unknown", "unknown"),
        ("x" * 100, "x" * 64),
    ],
)
def test_client_address(raw, counted):
    assert client_address(raw) == counted


# --- exact limits --------------------------------------------------------------------------


@pytest.fixture(params=[None, (2, 7, 4)], ids=["default-limits", "other-limits"])
def limited(request, app):
    """The app under the default limits, and under others (the limits come from config)."""
    if request.param:
        keys = (
            "LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS",
            "LOGIN_MAX_FAILURES_PER_ADDRESS",
            "LOGIN_ACCOUNT_UNDER_ATTACK_FAILURES",
        )
        app.config.update(zip(keys, request.param, strict=True))
    return app


@pytest.mark.parametrize(
    "target", [OWNER, "nobody@example.com", "deactivated"], ids=["known", "unknown", "inactive"]
)
def test_per_account_and_address_limit_is_exact(limited, org, db, target):
    app = limited
    if target == "deactivated":
        org.other_lead.active = False
        db.commit()
        target = org.other_lead.email
    per_pair, _, _ = limits(app)
    # Every account, known or not, answers the same sequence: no account enumeration.
    assert statuses(app, "192.0.2.10", target, per_pair + 3) == [401] * per_pair + [429] * 3
    r = attempt(app, "192.0.2.10", target, PASSWORD)  # even the right password waits now
    assert r.status_code == 429 and b"Too many failed logins" in r.data
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60
    # Another address still has its own tries for this account.
    assert statuses(app, "192.0.2.11", target, 1) == [401]
    counters = {c.key: c.failures for c in db.scalars(select(LoginCounter))}
    assert counters[counter_key("pair", target, "192.0.2.10")] == per_pair  # refusals not counted


def test_per_address_limit_is_exact_over_any_accounts(limited, org):
    app = limited
    per_pair, per_address, _ = limits(app)
    here = "192.0.2.20"
    evaluated = statuses(app, here, OWNER, per_pair)
    evaluated += statuses(app, here, OWNER, 3)  # refused for this account: not counted
    assert evaluated == [401] * per_pair + [429] * 3
    left = per_address - per_pair
    for i in range(left):
        assert attempt(app, here, f"guess{i}@example.com", WRONG).status_code == 401
    # The address has used its budget: refused everywhere, even with a right password...
    assert attempt(app, here, "other@example.com").status_code == 429
    assert attempt(app, here, "fresh@example.com", WRONG).status_code == 429
    # ... while any other address logs in.
    assert attempt(app, "192.0.2.21", "other@example.com").status_code == 302


def test_success_clears_only_its_account_and_address(app, org):
    per_pair, _, _ = limits(app)
    here = "192.0.2.30"
    assert statuses(app, here, OWNER, per_pair - 1) == [401] * (per_pair - 1)
    assert attempt(app, here).status_code == 302
    assert statuses(app, here, OWNER, per_pair + 1) == [401] * per_pair + [429]


# --- the account under attack ------------------------------------------------------------------


def test_account_under_attack_refuses_addresses_that_failed_but_not_clean_ones(limited, org):
    app = limited
    _, _, under_attack = limits(app)
    for i in range(under_attack):
        assert attempt(app, f"203.0.113.{i + 1}", OWNER, WRONG).status_code == 401
    # An address that already failed for this account: refused, even with the right password.
    assert attempt(app, "203.0.113.1").status_code == 429
    assert attempt(app, "203.0.113.2", OWNER, WRONG).status_code == 429
    # A clean address gets one guess per window: a wrong one is evaluated, then it waits...
    assert attempt(app, "198.51.100.1", OWNER, WRONG).status_code == 401
    assert attempt(app, "198.51.100.1").status_code == 429
    # ... and the owner, from a clean address, logs in.
    assert attempt(app, "198.51.100.2").status_code == 302
    # Other accounts are not affected from those addresses.
    assert attempt(app, "203.0.113.1", "other@example.com").status_code == 302


def test_below_the_attack_threshold_an_address_keeps_its_tries(app, org):
    _, _, under_attack = limits(app)
    for i in range(under_attack - 2):
        attempt(app, f"203.0.113.{i + 1}", OWNER, WRONG)
    assert attempt(app, "198.51.100.3", OWNER, WRONG).status_code == 401  # the 19th failure
    assert attempt(app, "198.51.100.3").status_code == 302  # the owner's typo, then success


# --- windows ---------------------------------------------------------------------------------


def test_refusal_says_when_the_window_ends(app, org, db):
    per_pair, _, _ = limits(app)
    statuses(app, "192.0.2.40", OWNER, per_pair)
    age(db, app, by=timedelta(minutes=10))
    r = attempt(app, "192.0.2.40")
    assert r.status_code == 429
    assert 4 * 60 < int(r.headers["Retry-After"]) <= 5 * 60
    assert b"Wait 5 minutes and try again." in r.data


def test_windows_end(app, org, db):
    per_pair, per_address, under_attack = limits(app)
    here = "192.0.2.50"
    statuses(app, here, OWNER, per_pair)
    assert attempt(app, here).status_code == 429
    age(db, app)  # every window has ended
    assert statuses(app, here, OWNER, per_pair) == [401] * per_pair  # a fresh window
    assert attempt(app, here).status_code == 429


def test_the_address_window_ends(app, org, db):
    per_pair, per_address, _ = limits(app)
    here = "192.0.2.51"
    for i in range(per_address):
        attempt(app, here, f"guess{i}@example.com", WRONG)
    assert attempt(app, here).status_code == 429
    age(db, app, counter_key("address", here))
    assert attempt(app, here).status_code == 302


def test_the_attack_ends_with_the_accounts_window(app, org, db):
    _, _, under_attack = limits(app)
    for i in range(under_attack):
        attempt(app, f"203.0.113.{i + 1}", OWNER, WRONG)
    assert attempt(app, "203.0.113.1").status_code == 429
    age(db, app, counter_key("account", OWNER))  # not under attack any more
    assert attempt(app, "203.0.113.1").status_code == 302


def test_ended_counters_are_pruned_as_we_go(app, org, db):
    old = utcnow() - app.config["LOGIN_WINDOW"] - timedelta(minutes=1)
    db.execute(
        insert(LoginCounter),
        [{"key": f"{i:064x}", "window_start": old, "failures": 3} for i in range(50)],
    )
    db.commit()
    attempt(app, "192.0.2.60", OWNER, WRONG)
    assert db.scalar(select(func.count()).select_from(LoginCounter)) == 3  # this attempt's
    assert db.scalar(select(func.min(LoginCounter.window_start))) > old


# --- audit -------------------------------------------------------------------------------------


def _logins(db) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent).where(AuditEvent.action.like("login%")).order_by(AuditEvent.id)
        )
    )


def test_every_login_outcome_is_audited_without_the_password(app, org, db):
    secret = "Audit-Canary-Passphrase-77"
    per_pair, _, _ = limits(app)
    attempt(app, "192.0.2.70", OWNER, secret)
    attempt(app, "192.0.2.70", "nobody@example.com", secret)
    statuses(app, "192.0.2.70", OWNER, per_pair - 1, secret)
    attempt(app, "192.0.2.70", OWNER, secret)  # refused
    attempt(app, "192.0.2.71")  # success
    events = _logins(db)
    assert [e.action for e in events] == (
        ["login failed"] * (per_pair + 1) + ["login refused", "login"]
    )
    failed, unknown, refused, success = events[0], events[1], events[-2], events[-1]
    assert (failed.actor, failed.actor_id, failed.object_id) == ("anonymous", None, org.lead.id)
    assert failed.summary == "lead@example.com from 192.0.2.70"
    # An unknown address is not written down at all (tests/auth/test_login_audit_typed_text.py).
    assert unknown.object_id is None and unknown.summary == "an unknown account from 192.0.2.70"
    assert refused.actor == "anonymous" and "lead@example.com from 192.0.2.70" in refused.summary
    assert "throttled" in refused.summary
    assert success.actor == "Lee Lead <lead@example.com>" and success.actor_id == org.lead.id
    assert success.object_type == "user" and success.object_id == org.lead.id
    assert success.summary == "lead@example.com from 192.0.2.71"
    assert all(secret.lower() not in (e.summary + e.actor).lower() for e in events)
    assert all(PASSWORD not in e.summary for e in events)


def test_login_rows_do_not_invalidate_the_page_cache(app, org, db):
    """Counters and audit rows of failed logins are Core writes: the page cache stays warm."""
    from tracker.cache import current_token

    before = current_token(db)
    statuses(app, "192.0.2.80", OWNER, 8)
    db.commit()
    assert current_token(db) == before


# --- atomic under parallel guesses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("guesses", "accounts"),
    [(24, 1), (40, 40)],
    ids=["one-account-one-address", "many-accounts-one-address"],
)
def test_parallel_guesses_evaluate_no_more_than_the_limit(app, db, make_user, guesses, accounts):
    """All guesses at once, from one address, each in its own browser and database
    connection: exactly the limit is evaluated (401), the rest are refused (429)."""
    # A slower hash widens the window in which a count-then-insert would race.
    app.config["PASSWORD_HASH_PARAMS"] = {"time_cost": 2, "memory_cost": 8192, "parallelism": 1}
    emails = [make_user("lead", email=f"target{i}@example.com").email for i in range(accounts)]
    db.execute(delete(AuditEvent))
    db.commit()
    per_pair, per_address, _ = limits(app)
    limit = per_pair if accounts == 1 else per_address
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(guesses)
    clients = []
    for _ in range(guesses):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
        client.get("/login")
        clients.append(client)

    def guess(i: int) -> None:
        client = clients[i]
        data = {"csrf_token": client.csrf_token(), "email": emails[i % accounts], "password": WRONG}
        try:
            start.wait()
            results.append(client.post("/login", data=data).status_code)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    session = app.extensions.pop("tests.session")  # the test's session is not for threads
    try:
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        app.extensions["tests.session"] = session
    assert not errors, errors
    assert sorted(results) == [401] * limit + [429] * (guesses - limit)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("login%"))).all()
    assert sorted(actions) == ["login failed"] * limit + ["login refused"] * (guesses - limit)


def test_a_user_with_the_longest_name_and_email_logs_in(app, make_user, db):
    """The login's audit row names the user; it must fit its column (a 500 on PostgreSQL)."""
    email = "x" * 64 + "@" + "d" * 63 + "." + "e" * 63 + "." + "f" * 55 + ".com"  # 252
    user = make_user("lead", email=email, name="N" * 120)
    assert attempt(app, "192.0.2.90", email).status_code == 302
    event = _logins(db)[-1]
    assert event.action == "login" and event.actor_id == user.id and len(event.actor) <= 300
