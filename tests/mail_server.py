"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1 at a free port, keeping what
it receives; and the app settings that send to it.

Fixtures (registered by tests/conftest.py's `pytest_plugins`):
- `smtp_server`: the running server; `.messages` are what it received, parsed with the
  standard `email` package (`email.policy.default`), `.wait(n)` waits for the n-th (a real
  worker sends from another thread);
- `mail_to_server`: the app sends its mail there (plain SMTP, jobs run where queued);
- `closed_port`: a local port nothing listens on (a refused connection).

Every message the server receives is checked for the privacy canary when the test ends: no
private note may ever be in an e-mail (tests/test_mail.py writes the canary)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

# Written into private notes by the mail tests; must never appear in any message.
CANARY = "CANARY-PRIVATE-NOTE-7f3e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """aiosmtpd's handler: keeps every message (envelope and parsed content)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait(self, count: int = 1, timeout: float = 60) -> list[EmailMessage]:
        """The messages, once `count` have arrived (or fail after `timeout` seconds)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert arrived, f"{len(self.messages)} of {count} messages arrived"
        return list(self.messages)


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        controller.stop()
    for message in handler.messages:
        assert CANARY not in message.as_string(), "a private note was e-mailed"


@pytest.fixture
def mail_to_server(app, smtp_server):
    """The app sends through `smtp_server` (plain SMTP on localhost)."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_SECURITY="none",
        MAIL_FROM="Team Tracker <tracker@tracker.test>",
    )
    return smtp_server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    return free_port()
