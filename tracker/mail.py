"""E-mail: building messages and handing them to an SMTP server, or to the development outbox.

Core: no feature is imported. Features build a message with `build`, then queue it with
`tracker.jobs.send_mail` (never sent in the request). Where mail goes is decided by the
settings read in config.py:

- `MAIL_SERVER` set: SMTP (STARTTLS, implicit TLS or plain, `MAIL_SECURITY`), with
  `MAIL_USERNAME` / `MAIL_PASSWORD` when both are set;
- no server, and `MAIL_OUTBOX` (development's default: `instance/outbox`): each message is
  written there as a `.eml` file a mail program opens;
- neither (production without a server): no mail. `available()` is False, and the pages that
  would e-mail (one-time links) say so and show what they showed before.

A message holds only what its recipient may see in the app, never a private note: callers
pass the words; tests/test_mail_canary.py checks every message the suite sends.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from html import escape
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from config import MAIL_DEFAULT_PORTS
from tracker.db import utcnow
from tracker.files import PRIVATE_FOLDER, write_new_private

DEFAULT_FROM = "Team Tracker <tracker@localhost>"

# Inline styles only (mail programs drop <style> blocks and never load remote files); no
# image. One column, the app's colours, readable without the HTML part.
_BODY = "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933"
_BUTTON = (
    "display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;"
    "text-decoration:none;border-radius:4px;font-weight:bold"
)
_SMALL = "font-size:13px;color:#52606d"


class MailError(Exception):
    """A message could not be handed over: the job that sends it is retried."""


def mode(config: Mapping[str, Any]) -> str | None:
    """'smtp', 'outbox' or None (no mail), from the app's config."""
    if config.get("MAIL_SERVER"):
        return "smtp"
    if config.get("MAIL_OUTBOX"):
        return "outbox"
    return None


def available(app: Flask | None = None) -> bool:
    """Whether this server can send mail (an SMTP server, or development's outbox)."""
    return mode((app or current_app).config) is not None


def outbox_path(app: Flask) -> Path:
    """The development outbox: MAIL_OUTBOX, relative to the instance folder."""
    return Path(app.instance_path) / str(app.config["MAIL_OUTBOX"])


def describe(app: Flask) -> str:
    """One line saying where mail goes (printed by the worker and at a production start)."""
    kind = mode(app.config)
    if kind == "smtp":
        port = _port(app.config)
        return (
            f"Mail: sent through {app.config['MAIL_SERVER']}:{port} "
            f"({app.config['MAIL_SECURITY']})."
        )
    if kind == "outbox":
        return f"Mail: no MAIL_SERVER set, so messages are written to {outbox_path(app)}/ (.eml)."
    return (
        "Mail: no MAIL_SERVER set, so Team Tracker sends no e-mail: one-time links (invitations, "
        "password resets) are shown on screen to whoever makes them, to pass on by hand. Set "
        "MAIL_SERVER and MAIL_FROM (docs/operations.md) to e-mail them to their owner."
    )


def check_start(app: Flask) -> None:
    """At start-up: production without a mail server says so, once, in the log."""
    if app.config["ENV_NAME"] == "production" and mode(app.config) is None:
        app.logger.warning(describe(app))


def _port(config: Mapping[str, Any]) -> int:
    return int(config.get("MAIL_PORT") or MAIL_DEFAULT_PORTS[config["MAIL_SECURITY"]])


def sender(config: Mapping[str, Any]) -> str:
    return str(config.get("MAIL_FROM") or DEFAULT_FROM)


def build(
    config: Mapping[str, Any],
    to: str,
    subject: str,
    paragraphs: list[str],
    action: tuple[str, str] | None = None,
    footer: str = "",
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A message with a plain-text part and an HTML part saying the same.

    `paragraphs` are plain text (escaped for the HTML part); `action` is (label, URL): a
    button in HTML, the bare URL on its own line in text. With `unsubscribe_url` (digests and
    reminders), List-Unsubscribe and List-Unsubscribe-Post make it a one-click unsubscribe
    (RFC 8058): the URL must accept a POST without a login or a CSRF token."""
    message = EmailMessage()
    from_address = sender(config)
    message["From"] = from_address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"

    text = list(paragraphs)
    if action:
        text.append(action[1])
    if footer:
        text += ["--", footer]
    if unsubscribe_url:
        text.append(f"Unsubscribe: {unsubscribe_url}")
    message.set_content("\n\n".join(text) + "\n")

    html = [f'<p style="margin:0 0 16px">{escape(p)}</p>' for p in paragraphs]
    if action:
        label, url = action
        html.append(
            f'<p style="margin:24px 0"><a href="{escape(url)}" style="{_BUTTON}">'
            f"{escape(label)}</a></p>"
            f'<p style="{_SMALL}">Or open this address: {escape(url)}</p>'
        )
    if footer:
        html.append(f'<p style="{_SMALL};margin-top:32px">{escape(footer)}</p>')
    if unsubscribe_url:
        html.append(f'<p style="{_SMALL}"><a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>')
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="margin:0;padding:24px;{_BODY}"><div style="max-width:560px">'
        + "".join(html)
        + "</div></body></html>"
    )
    message.add_alternative(page, subtype="html")
    return message


def deliver(config: Mapping[str, Any], instance_path: str, raw: bytes) -> str:
    """Hand one message (its bytes) over; returns where it went. MailError when the server
    refuses the connection, cannot be reached or answers with an error (the job retries)."""
    kind = mode(config)
    if kind == "outbox":
        folder = Path(instance_path) / str(config["MAIL_OUTBOX"])
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        write_new_private(path, raw)  # it may hold a one-time link: owner-only
        return str(path)
    if kind is None:
        raise MailError("no MAIL_SERVER is set and there is no outbox")
    host, port = str(config["MAIL_SERVER"]), _port(config)
    security, timeout = config["MAIL_SECURITY"], int(config.get("MAIL_TIMEOUT") or 20)
    try:
        smtp: smtplib.SMTP
        if security == "tls":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
                smtp.login(str(config["MAIL_USERNAME"]), str(config["MAIL_PASSWORD"]))
            refused = smtp.sendmail(sender_address(config), _recipients(raw), raw)
    except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, timed out
        raise MailError(f"{host}:{port}: {type(exc).__name__}: {exc}") from exc
    if refused:
        raise MailError(f"{host}:{port} refused: {', '.join(refused)}")
    return f"{host}:{port}"


def sender_address(config: Mapping[str, Any]) -> str:
    return parseaddr(sender(config))[1]


def _recipients(raw: bytes) -> list[str]:
    from email import message_from_bytes
    from email.utils import getaddresses

    parsed = message_from_bytes(raw)
    return [address for _name, address in getaddresses(parsed.get_all("To", []))]
