"""Fixtures of the two-factor tests: an account whose second factor is on, made through the
account page with real codes (pyotp on the test side, as an authenticator app would)."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import login

SECRET_SHOWN = re.compile(r'<code class="two-factor-secret">([A-Z2-7 ]+)</code>')
RECOVERY_SHOWN = re.compile(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>")


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def enrol(client) -> SimpleNamespace:
    """Turn the logged-in client's second factor on from its account page: the secret read
    from the page, the first code typed, the ten recovery codes read from the answer."""
    assert client.form("/account/two-factor/start").status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    match = SECRET_SHOWN.search(page)
    assert match and "<svg" in page, "the set-up page shows a QR code and the key"
    secret = match.group(1).replace(" ", "")
    answer = client.form("/account/two-factor/confirm", {"code": code(secret)})
    assert answer.status_code == 200
    codes = RECOVERY_SHOWN.findall(answer.get_data(as_text=True))
    assert len(codes) == 10
    return SimpleNamespace(secret=secret, recovery=codes)


@pytest.fixture
def enrolled(client_as):
    """Enrol an account (by persona or e-mail) on a logged-in client; returns its codes."""

    def make(who) -> SimpleNamespace:
        client = client_as(who)
        found = enrol(client)
        found.client = client
        return found

    return make


def password_step(app, email: str, address: str = "127.0.0.1"):
    """A fresh browser past the password step: (client, response)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, login(client, email)


def actions(db, user_id: int) -> list[str]:
    from tracker.auditing import AuditEvent

    db.commit()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == user_id)
            .order_by(AuditEvent.id)
        )
    )
