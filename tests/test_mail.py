"""E-mail: one-time links go to their owner through a real SMTP server (aiosmtpd, started by
the suite: tests/mail_server.py), and the person who issued them never sees them; the message
is read back with the standard `email` package (headers, both parts) and its link, followed
by a fresh browser, sets up the account. Without a server, development writes .eml files to
its outbox; production says mail is off and shows links as before. No message ever holds a
private note (the canary)."""

from __future__ import annotations

import re
import stat
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from config import ProductionConfig
from tests.conftest import PASSWORD, login
from tests.mail_server import CANARY
from tracker import create_app, mail
from tracker.auth.models import AccountLink, User

NEW = "sunlit-harbour-crane-58"
LINK = re.compile(r"https?://[^/\s]+(/welcome/[A-Za-z0-9_\-]+)")


def _parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def _link(message: EmailMessage) -> str:
    text, html = _parts(message)
    found = LINK.search(text)
    assert found, text
    assert found.group(0) in html  # the same link in both parts
    return found.group(1)


def _use(app, path: str, password: str = NEW):
    """A fresh browser follows the e-mailed link and chooses a password."""
    owner = app.test_client()
    r = owner.get(path)
    assert r.status_code == 302 and r.headers["Location"] == "/welcome"
    r = owner.form("/welcome", {"password": password, "confirm": password})
    assert r.status_code == 302, r.data
    return owner


def test_an_invitation_is_emailed_to_the_member_and_its_link_creates_the_account(
    app, db, org, client_as, mail_to_server
):
    r = client_as("lead").form(f"/members/{org.plain.id}/invite", follow_redirects=True)
    page = r.data.decode()
    assert r.status_code == 200
    assert f"e-mailed to Pat Plain at {org.plain.email}" in page
    assert "/welcome/" not in page  # the lead never sees the link

    [message] = mail_to_server.wait(1)
    assert message["To"] == org.plain.email
    assert message["From"] == "Team Tracker <tracker@tracker.test>"
    assert message["Subject"] == "Your invitation to Team Tracker"
    assert message["Message-ID"].endswith("@tracker.test>")
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None  # a link is not a subscription
    assert mail_to_server.envelopes == [("tracker@tracker.test", [org.plain.email])]
    text, html = _parts(message)
    assert "Lee Lead invited you" in text and "Lee Lead invited you" in html
    # Inline CSS only, nothing fetched from elsewhere.
    assert "<style" not in html and "<img" not in html and "<link" not in html
    assert 'style="' in html

    _use(app, _link(message))
    user = db.scalar(select(User).where(User.email == org.plain.email))
    assert user is not None and user.role == "engineer"
    db.refresh(org.plain)
    assert org.plain.user_id == user.id
    assert login(app.test_client(), org.plain.email, NEW).status_code == 302


def test_an_admins_reset_is_emailed_to_the_owner_and_works(app, org, client_as, mail_to_server):
    admin = client_as("admin")
    r = admin.form(f"/admin/users/{org.eng.user_id}/reset")
    assert r.status_code == 302 and r.headers["Location"] == "/admin/users"
    page = admin.get("/admin/users").data.decode()
    assert "e-mailed to Eve Engineer at eve@example.com" in page and "/welcome/" not in page

    [message] = mail_to_server.wait(1)
    assert message["To"] == "eve@example.com"
    assert message["Subject"] == "Reset your Team Tracker password"
    _use(app, _link(message))
    assert login(app.test_client(), "eve@example.com", NEW).status_code == 302
    assert login(app.test_client(), "eve@example.com", PASSWORD).status_code != 302


def test_an_approved_reset_goes_to_the_owner_and_not_to_the_approver(
    app, db, org, make_user, client_as, mail_to_server
):
    second = make_user("admin", email="second@example.com", name="Sam Second")
    assert client_as("admin").form(f"/admin/users/{org.lead.id}/reset").status_code == 302
    request = db.scalar(select(AccountLink).where(AccountLink.needs_approval.is_(True)))
    assert mail_to_server.messages == []  # nothing until approved

    r = client_as(second).form(f"/admin/resets/{request.id}/approve", follow_redirects=True)
    assert r.status_code == 200
    assert b"e-mailed to Lee Lead at lead@example.com" in r.data and b"/welcome/" not in r.data
    [message] = mail_to_server.wait(1)
    assert message["To"] == "lead@example.com"
    assert "Ada Admin, approved by Sam Second" in _parts(message)[0]
    _use(app, _link(message))
    assert login(app.test_client(), "lead@example.com", NEW).status_code == 302


def test_a_new_accounts_first_link_is_emailed(app, org, client_as, mail_to_server):
    r = client_as("admin").form(
        "/admin/users/new", {"email": "nu@example.com", "name": "Nu Lead", "role": "lead"}
    )
    assert r.status_code == 302 and b"/welcome/" not in r.data
    [message] = mail_to_server.wait(1)
    assert (message["To"], message["Subject"]) == (
        "nu@example.com",
        "Set your Team Tracker password",
    )
    _use(app, _link(message))
    assert login(app.test_client(), "nu@example.com", NEW).status_code == 302


def test_without_mail_the_link_is_shown_and_the_page_says_why(org, client_as):
    r = client_as("lead").form(f"/members/{org.plain.id}/invite")
    assert r.status_code == 200 and b"/welcome/" in r.data
    assert b"This server sends no e-mail" in r.data


def test_development_writes_each_message_to_the_outbox(app, org, client_as, tmp_path):
    app.config["MAIL_OUTBOX"] = "outbox"  # development's default (no MAIL_SERVER)
    r = client_as("lead").form(f"/members/{org.plain.id}/invite")
    assert r.status_code == 302
    [written] = (tmp_path / "outbox").glob("*.eml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds a one-time link
    message = message_from_bytes(written.read_bytes(), policy=email_policy.default)
    assert message["To"] == org.plain.email
    _use(app, _link(message))  # type: ignore[arg-type]
    assert str(tmp_path / "outbox") in mail.describe(app)


def test_no_message_holds_a_private_note(
    app, db, org, make_user, make_session, client_as, mail_to_server
):
    """The canary: private notes about and by everyone involved, then every kind of e-mail
    the app sends; none may hold the note (the smtp_server fixture checks every message of
    every test, this one makes sure there are notes to leak)."""
    make_session(org.eng, org.lead, shared="shared words", private=f"{CANARY} about Eve")
    make_session(org.plain, org.lead, shared="shared words", private=f"{CANARY} about Pat")
    second = make_user("admin", email="second@example.com", name="Sam Second")
    lead, admin = client_as("lead"), client_as("admin")
    lead.form(f"/members/{org.plain.id}/invite")
    admin.form(f"/admin/users/{org.eng.user_id}/reset")
    admin.form("/admin/users/new", {"email": "nu@example.com", "name": "Nu", "role": "engineer"})
    admin.form(f"/admin/users/{org.lead.id}/reset")  # the lead wrote 1:1s: a second admin
    request = db.scalar(select(AccountLink).where(AccountLink.needs_approval.is_(True)))
    client_as(second).form(f"/admin/resets/{request.id}/approve")
    messages = mail_to_server.wait(4)
    assert len(messages) == 4
    for message in messages:
        text, html = _parts(message)
        assert CANARY not in message.as_string() and "shared words" not in text + html


def test_a_stopped_job_queue_is_said_and_no_link_is_shown(app, org, client_as, closed_port):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_SECURITY="none", MAIL_FROM="t@tracker.test")
    app.config.update(JOBS_IMMEDIATE=False, REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    r = client_as("lead").form(f"/members/{org.plain.id}/invite", follow_redirects=True)
    assert r.status_code == 200
    assert b"could not be e-mailed: the job queue is not answering" in r.data
    assert b"/welcome/" not in r.data


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"MAIL_SECURITY": "ssl"}, "MAIL_SECURITY='ssl' is not one of"),
        ({"MAIL_SERVER": "smtp.example.com", "MAIL_USERNAME": "u"}, "MAIL_USERNAME and"),
        (
            {
                "MAIL_SERVER": "smtp.example.com",
                "MAIL_SECURITY": "none",
                "MAIL_USERNAME": "u",
                "MAIL_PASSWORD": "p",
            },
            "never sent unencrypted",
        ),
    ],
)
def test_mail_settings_that_cannot_work_stop_the_start(database_url, settings, problem):
    with pytest.raises(RuntimeError, match=re.escape(problem)):
        create_app({"ENV_NAME": "testing", "DATABASE_URL": database_url, **settings})


def _production(database_url: str, **extra):
    import secrets

    class Production(ProductionConfig):
        SECRET_KEY = secrets.token_hex(32)
        DATABASE_URL = database_url
        SERVER_NAME = "tracker.test"

    for name, value in extra.items():
        setattr(Production, name, value)
    return create_app(Production)


def test_production_without_a_mail_server_says_so_at_start(database_url, caplog):
    app = _production(database_url, MAIL_SERVER=None)
    assert not mail.available(app)
    assert "Team Tracker sends no e-mail" in caplog.text and "MAIL_SERVER" in caplog.text
    with pytest.raises(RuntimeError, match="MAIL_FROM must be set"):
        _production(database_url, MAIL_SERVER="smtp.example.com", MAIL_FROM=None)
    assert mail.available(
        _production(database_url, MAIL_SERVER="smtp.example.com", MAIL_FROM="t@example.com")
    )


def test_a_digest_message_offers_a_one_click_unsubscribe(app):
    with app.app_context():
        message = mail.build(
            app.config,
            "eve@example.com",
            "Your week",
            ["Three 1:1s are due."],
            unsubscribe_url="https://tracker.test/unsubscribe/abc",
        )
    parsed = message_from_bytes(message.as_bytes(), policy=email_policy.default)
    assert parsed["List-Unsubscribe"] == "<https://tracker.test/unsubscribe/abc>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    text, html = _parts(parsed)  # type: ignore[arg-type]
    assert "https://tracker.test/unsubscribe/abc" in text and "Unsubscribe</a>" in html
