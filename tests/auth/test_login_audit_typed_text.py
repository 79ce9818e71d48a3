"""A failed or throttled login is audited without anything typed into the form: an e-mail
field that names an account is recorded as that account's stored address (and id); anything
else is "an unknown account". A password typed into the e-mail field by mistake never
reaches the audit log or the admin's audit page."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.conftest import login
from tracker.auditing import AuditEvent

# What people type into the e-mail field by mistake: passphrases, things with an @, unicode,
# markup, spaces, a near miss of a real address, something long.
TYPED = [
    "Sunlit-Harbour-Crane-58!",
    "my secret passphrase 2024",
    "pw@home-Rocket-77",
    "hunter2@@Guess",
    "lead@example.com.Ferret-Quill",
    "Ünïcödé-Päss-Wört-9",
    "пароль-секрет-42",
    "秘密のパスワード7",
    "ｆｕｌｌ－ｗｉｄｔｈ－ｓｅｃｒｅｔ",
    "  Spaced Out Secret  ",
    "<b>Bold-Guess</b>&amp;",
    "Tab\tSeparated\tSecret",
    "Long-" + "Quartz" * 40,
]
ADDRESS = "198.51.100.23"


def _typed_forms(typed: str) -> list[str]:
    """The typed text as it might be stored or shown: as typed, trimmed, lower-cased."""
    forms = {typed, typed.strip(), typed.strip().lower(), typed[:40], typed.strip()[:40].lower()}
    return [f for f in forms if len(f) >= 6]


def _events(db) -> list[AuditEvent]:
    db.commit()
    return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _try(app, typed: str, times: int = 1) -> list[int]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return [login(client, typed, "whatever-was-left-1").status_code for _ in range(times)]


@pytest.mark.parametrize("typed", TYPED, ids=range(len(TYPED)))
def test_failed_and_throttled_logins_record_no_typed_text(app, db, org, typed):
    per_pair = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    codes = _try(app, typed, per_pair + 2)
    assert codes == [401] * per_pair + [429, 429]  # failed, then throttled
    events = [e for e in _events(db) if e.action.startswith("login")]
    assert [e.action for e in events] == ["login failed"] * per_pair + ["login refused"] * 2
    for event in events:
        assert event.object_id is None
        assert event.summary.startswith(f"an unknown account from {ADDRESS}")
    # Nowhere in the log, and not on the admin's audit page, in any spelling.
    stored = " ".join(f"{e.summary} {e.actor}" for e in _events(db)).lower()
    admin = app.test_client()
    login(admin, "admin@example.com")
    page = html.unescape(admin.get("/admin/audit").get_data(as_text=True)).lower()
    assert "an unknown account" in page
    for form in _typed_forms(typed):
        assert form.lower() not in stored, form
        assert form.lower() not in page, form


@pytest.mark.parametrize(
    "typed", ["lead@example.com", "  LEAD@Example.COM ", "Lead@example.com\t", "LEAD@EXAMPLE.COM"]
)
def test_an_existing_account_is_recorded_by_its_stored_address_and_id(app, db, org, typed):
    per_pair = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]
    _try(app, typed, per_pair + 1)
    events = [e for e in _events(db) if e.action.startswith("login")]
    assert [e.action for e in events] == ["login failed"] * per_pair + ["login refused"]
    for event in events:
        assert event.object_id == org.lead.id
        assert event.summary.startswith(f"lead@example.com from {ADDRESS}")
