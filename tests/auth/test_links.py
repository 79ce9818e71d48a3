"""One-time links: the URL's token is exchanged on first open for a value bound to that
browser's session, then the browser continues at a token-free URL; a second open (a log reader,
a browser history) is refused, and the password can be set only from the session that opened
the link. Invitations say nothing about which e-mail addresses have accounts: the lead always
gets a link, and one for an address with an account is refused when used."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login
from tracker.auth.models import AccountLink, User
from tracker.auth.services import NEUTRAL_INVITE_ERROR
from tracker.db import utcnow

NEW = "sunlit-harbour-crane-58"


def _link(html: str) -> str:
    return re.search(r"/welcome/[A-Za-z0-9_\-]+", html).group(0)


@pytest.fixture(params=["invitation", "reset", "new user", "operator"])
def link_path(request, app, org, runner):
    """A fresh one-time link of each kind, as the person handing it on sees it."""
    if request.param == "operator":
        return _link(runner.invoke(args=["tracker", "reset-link", "eve@example.com"]).output)
    issuer = app.test_client()
    if request.param == "invitation":
        login(issuer, "lead@example.com")
        return _link(issuer.form(f"/members/{org.plain.id}/invite").data.decode())
    login(issuer, "admin@example.com")
    if request.param == "reset":
        return _link(issuer.form(f"/admin/users/{org.eng.user_id}/reset").data.decode())
    r = issuer.form("/admin/users/new", {"email": "nu@example.com", "name": "Nu", "role": "lead"})
    return _link(r.data.decode())


def test_first_open_moves_to_a_token_free_url_and_a_second_open_is_refused(app, db, link_path):
    token = link_path.rsplit("/", 1)[1]
    owner = app.test_client()
    r = owner.get(link_path)
    assert r.status_code == 302 and r.headers["Location"] == "/welcome"
    assert token not in r.headers["Location"]
    page = owner.get("/welcome")
    assert page.status_code == 200 and token.encode() not in page.data
    # The log reader, a browser's history, a link preview: the same URL again is dead...
    for opener in (app.test_client(), owner):
        r = opener.get(link_path)
        assert r.status_code == 404 and b"not valid" in r.data
    # ...and it never set a password: the owner's browser still can.
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 404
    assert db.scalar(select(AccountLink.token_digest).where(AccountLink.opened_at.is_not(None)))


def test_whoever_opens_first_wins_and_the_other_is_refused(app, db, link_path):
    """A log reader who opens the link before its owner gets the form, but the owner is then
    refused and asks for a new link; with the log scrubbed (test_log_scrub.py) the reader has
    no token to open."""
    reader, owner = app.test_client(), app.test_client()
    assert reader.get(link_path).status_code == 302
    assert owner.get(link_path).status_code == 404
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 404


@pytest.mark.parametrize(
    "binding",
    [
        None,
        "garbage",
        {"link": 1},
        ["1", "nonce"],
        ["LINK", "not-the-nonce"],
        ["LINK", ""],
        ["LINK"],
        ["LINK", "NONCE", "extra"],
        ["OTHER", "NONCE"],
        ["LINK", "NONCE-upper"],
    ],
)
def test_setting_the_password_needs_the_session_that_opened_the_link(
    app, db, org, link_path, binding
):
    """Another browser, a forged or altered binding, or the binding of another link: refused,
    and nothing is written."""
    owner = app.test_client()
    owner.get(link_path)
    with owner.session_transaction() as sess:
        link_id, nonce = sess["account_link"]
    other = db.scalar(select(AccountLink.id).where(AccountLink.id != link_id)) or link_id + 1
    forged = app.test_client()
    if binding is not None:
        value = binding
        if isinstance(binding, list):
            names = {"LINK": link_id, "OTHER": other, "NONCE": nonce, "NONCE-upper": nonce.upper()}
            value = [names.get(part, part) for part in binding]
        with forged.session_transaction() as sess:
            sess["account_link"] = value
    before = db.scalars(select(User.password_hash).order_by(User.id)).all()
    r = forged.form("/welcome", {"password": NEW, "confirm": NEW})
    assert r.status_code == 404
    assert forged.get("/welcome").status_code == 404
    db.expire_all()
    assert db.scalars(select(User.password_hash).order_by(User.id)).all() == before
    # The genuine browser still can.
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302


def test_an_opened_link_lasts_an_hour(app, db, link_path):
    owner = app.test_client()
    owner.get(link_path)
    link = db.scalar(select(AccountLink).where(AccountLink.opened_at.is_not(None)))
    assert link.expires_at <= link.opened_at + timedelta(hours=1)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 404


def test_parallel_opens_of_one_link_let_exactly_one_browser_in(client_as, app, db, org):
    issuer = client_as("lead")
    path = _link(issuer.form(f"/members/{org.plain.id}/invite").data.decode())
    clients = [app.test_client() for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def open_link(client):
        barrier.wait()
        statuses.append(client.get(path).status_code)

    threads = [threading.Thread(target=open_link, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302] + [404] * (len(clients) - 1)


# --- invitations reveal nothing about other accounts -----------------------------------------


# Addresses of accounts of every kind, and addresses of no account: the lead cannot tell them
# apart when inviting (same status, same page but for the link and the name); a link for an
# address with an account is refused when used, with the same neutral words.
TAKEN = [
    "sol@example.com",  # an engineer of another team
    "admin@example.com",  # an admin
    "other@example.com",  # another team's lead
    "lead@example.com",  # the inviting lead
    "  SOL@Example.COM ",  # case and spaces (the member keeps the case)
    "gone@example.com",  # a deactivated account
    "fresh@example.com",  # an account that belongs to no member
]
FREE = ["nia@example.com", "nobody-here@example.com", "x@example.org"]


def _shape(html: str, member) -> str:
    """The page with what differs by design taken out: the link's token, the member, and the
    form tokens (signed with the time)."""
    html = re.sub(r"/welcome/[A-Za-z0-9_\-]+", "/welcome/TOKEN", html)
    html = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="CSRF"', html)
    html = html.replace(f"/members/{member.id}", "/members/ID")
    return html.replace(member.name, "NAME")


def test_inviting_says_nothing_about_which_addresses_have_accounts(
    client_as, app, db, org, make_user, make_member
):
    gone = make_user("engineer", email="gone@example.com")
    gone.active = False
    make_user("engineer", email="fresh@example.com")
    db.commit()
    lead = client_as("lead")
    answers, paths = {}, {}
    for i, email in enumerate(TAKEN + FREE):
        member = make_member(org.team, f"Nia New {i:02d}", email=email.strip())
        r = lead.form(f"/members/{member.id}/invite")
        html = r.get_data(as_text=True)
        answers[email] = (r.status_code, r.headers.get("Location"), _shape(html, member))
        paths[email] = _link(html)
        assert "cannot be invited" not in html and "already" not in html
    assert len(set(answers.values())) == 1, {e: a[:2] for e, a in answers.items()}
    assert next(iter(answers.values()))[0] == 200
    # Used, a link for an address with an account is refused, always in the same words.
    for email in TAKEN:
        invitee = app.test_client()
        invitee.get(paths[email])
        r = invitee.form("/welcome", {"password": NEW, "confirm": NEW})
        assert r.status_code == 403 and NEUTRAL_INVITE_ERROR in r.data.decode(), email
    for email in FREE:
        invitee = app.test_client()
        invitee.get(paths[email])
        assert invitee.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    assert db.scalar(select(User.active).where(User.email == "gone@example.com")) is False


def test_an_invitation_for_an_unused_address_works(client_as, app, db, org, make_member):
    member = make_member(org.team, "Nia New", email="nia@example.com")
    lead = client_as("lead")
    r = lead.form(f"/members/{member.id}/invite")
    assert r.status_code == 200 and "/welcome/" in r.data.decode()


def test_an_account_made_after_the_invitation_gets_the_same_neutral_refusal(
    client_as, app, db, org, make_user
):
    lead = client_as("lead")
    path = _link(lead.form(f"/members/{org.plain.id}/invite").data.decode())
    make_user("admin", email=org.plain.email)
    invitee = app.test_client()
    invitee.get(path)
    r = invitee.form("/welcome", {"password": NEW, "confirm": NEW})
    assert r.status_code == 403 and NEUTRAL_INVITE_ERROR in r.data.decode()
