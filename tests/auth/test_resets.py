"""Password resets: no single admin ever holds a working credential for a lead's, an admin's or
a session author's account (a second admin approves, or the server's operator issues the link);
every step is audited and the account's owner is told."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, login
from tracker.auditing import AuditEvent
from tracker.auth.models import AccountLink, AccountNotice, User

NEW = "sunlit-harbour-crane-58"
PROTECTED = ["lead", "admin", "author", "self", "inactive_lead", "lead_without_team"]


def _link(html: str) -> str | None:
    """The path of a one-time link shown on a page, if any."""
    match = re.search(r"/welcome/([A-Za-z0-9_\-]+)", html)
    return match.group(0) if match else None


def _client(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


@pytest.fixture
def target(request, org, db, make_user, make_session, make_team):
    """One account of each protected kind (the acting admin is org.admin)."""
    kind = request.param
    if kind == "lead":
        return org.lead
    if kind == "admin":
        return make_user("admin", email="ops@example.com", name="Otto Ops")
    if kind == "author":  # an engineer now, who wrote 1:1s (private notes) as a lead before
        author = make_user("engineer", email="ex-lead@example.com", name="Ex Lead")
        make_session(org.plain, author, private="only mine")
        return author
    if kind == "self":
        return org.admin
    if kind == "inactive_lead":
        user = make_user("lead", email="gone@example.com", name="Gone Lead")
        user.active = False
        db.commit()
        return user
    assert kind == "lead_without_team"
    return make_user("lead", email="spare@example.com", name="Spare Lead")


def _attack(app, db, target) -> list[str]:
    """Everything one admin can do to get a link for `target`; returns every link shown."""
    admin = _client(app, "admin@example.com")
    pages = [
        admin.form(f"/admin/users/{target.id}/reset", follow_redirects=True),
        admin.get("/admin/resets"),
        admin.get("/admin/users"),
        admin.form(
            "/admin/users/new", {"email": target.email, "name": "Twin", "role": target.role}
        ),
        admin.form(
            "/admin/users/new", {"email": target.email.upper(), "name": "Twin", "role": "engineer"}
        ),
    ]
    for request in db.scalars(select(AccountLink).where(AccountLink.user_id == target.id)):
        pages.append(admin.form(f"/admin/resets/{request.id}/approve", follow_redirects=True))
    return [link for r in pages if (link := _link(r.data.decode()))]


def _usable_links(db, user) -> list[AccountLink]:
    db.expire_all()
    return [
        link
        for link in db.scalars(select(AccountLink).where(AccountLink.user_id == user.id))
        if link.used_at is None and link.token_digest is not None
    ]


@pytest.mark.parametrize("target", PROTECTED, indirect=True)
def test_the_only_admin_gets_no_link_and_is_told_to_ask_the_operator(app, db, org, target):
    before = db.get(User, target.id).password_hash
    shown = _attack(app, db, target)
    assert shown == []
    assert _usable_links(db, target) == []
    admin = _client(app, "admin@example.com")
    r = admin.form(f"/admin/users/{target.id}/reset", follow_redirects=True)
    html = r.data.decode()
    if target.role == "admin" and target.id != org.admin.id:
        # The target is a second admin: the reset waits for an approval (theirs, here).
        assert "another admin must approve" in html
    else:
        assert "the only active admin" in html
        assert f"flask --app wsgi tracker reset-link {target.email}" in html
        assert "hold the database already" in html
    assert db.get(User, target.id).password_hash == before


@pytest.mark.parametrize("target", PROTECTED, indirect=True)
def test_a_second_admin_approves_and_only_they_see_the_link(app, db, org, make_user, target):
    requester_user = make_user("admin", email="ari@example.com", name="Ari Admin")
    if target.id == org.admin.id:  # "self": the requester resets their own password
        target = requester_user
    requester = _client(app, "ari@example.com")
    r = requester.form(f"/admin/users/{target.id}/reset", follow_redirects=True)
    html = r.data.decode()
    assert _link(html) is None and "another admin must approve" in html
    request = db.scalar(select(AccountLink).where(AccountLink.user_id == target.id))
    assert request.needs_approval and request.token_digest is None
    # The requester sees no link anywhere and cannot approve their own request.
    page = requester.get("/admin/resets").data.decode()
    assert _link(page) is None and f"/admin/resets/{request.id}/approve" not in page
    r = requester.form(f"/admin/resets/{request.id}/approve", follow_redirects=True)
    assert _link(r.data.decode()) is None and "another admin must approve" in r.data.decode()
    assert _usable_links(db, target) == []

    approver = _client(app, "admin@example.com")
    r = approver.form(f"/admin/resets/{request.id}/approve")
    assert r.status_code == 200
    path = _link(r.data.decode())
    assert path is not None
    # Approved once: a second approval (by anyone) makes no second link.
    r = approver.form(f"/admin/resets/{request.id}/approve", follow_redirects=True)
    assert _link(r.data.decode()) is None and "no longer waiting" in r.data.decode()

    if not target.active:
        return  # a deactivated account gets its password, but logs in only once reactivated
    owner = app.test_client()
    assert owner.get(path).status_code == 302
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    page = owner.get("/account").data.decode()
    assert "Your password was reset at" in page
    assert "issued by Ari Admin, approved by Ada Admin" in page
    assert login(app.test_client(), target.email, NEW).status_code == 302
    actions = set(
        db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == target.id)).all()
    )
    assert {"reset requested", "reset approved", "link opened", "password reset"} <= actions


@pytest.mark.parametrize("kind", ["lead", "author"])
def test_a_one_admin_link_dies_when_its_account_becomes_protected(app, db, org, make_session, kind):
    """An engineer's reset link is issued by one admin; if the engineer meanwhile becomes a
    lead or writes a 1:1, the link no longer works."""
    admin = _client(app, "admin@example.com")
    path = _link(admin.form(f"/admin/users/{org.eng.user_id}/reset").data.decode())
    assert path is not None
    eve = db.get(User, org.eng.user_id)
    before = eve.password_hash
    if kind == "lead":
        eve.role = "lead"
    else:
        make_session(org.mate, eve, private="Eve's own notes")
    db.commit()
    holder = app.test_client()
    assert holder.get(path).status_code == 302
    r = holder.form("/welcome", {"password": NEW, "confirm": NEW})
    assert r.status_code == 403 and b"second admin" in r.data
    db.expire_all()
    assert db.get(User, eve.id).password_hash == before
    assert holder.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 404
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "reset link refused"))


def test_an_engineer_without_sessions_keeps_the_one_admin_reset(app, db, org):
    admin = _client(app, "admin@example.com")
    path = _link(admin.form(f"/admin/users/{org.eng.user_id}/reset").data.decode())
    owner = app.test_client()
    owner.get(path)
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    html = owner.get("/", follow_redirects=True).data.decode()
    assert "Ada Admin issued a password-reset link for you" in html
    assert "Your password was reset at" in html and "issued by Ada Admin" in html


def test_no_admin_can_make_a_second_admin_account(app, db, org):
    """Otherwise one admin could approve their own requests with a second account."""
    admin = _client(app, "admin@example.com")
    r = admin.form(
        "/admin/users/new", {"email": "me2@example.com", "name": "Me Two", "role": "admin"}
    )
    assert _link(r.data.decode()) is None and b"Only whoever runs the server" in r.data
    assert db.scalar(select(User).where(User.email == "me2@example.com")) is None
    for user in (org.eng.user, org.lead):
        r = admin.form(f"/admin/users/{user.id}", {"name": user.name, "role": "admin"})
        assert r.status_code == 400 and b"Only whoever runs the server" in r.data
        db.expire_all()
        assert db.get(User, user.id).role != "admin"


def test_a_request_is_cancelled_or_dies_with_its_requester(app, db, org, make_user):
    make_user("admin", email="ari@example.com", name="Ari Admin")
    requester = _client(app, "ari@example.com")
    requester.form(f"/admin/users/{org.lead.id}/reset")
    request = db.scalar(select(AccountLink).where(AccountLink.user_id == org.lead.id))
    approver = _client(app, "admin@example.com")
    assert approver.form(f"/admin/resets/{request.id}/cancel").status_code == 302
    r = approver.form(f"/admin/resets/{request.id}/approve", follow_redirects=True)
    assert _link(r.data.decode()) is None
    lead = _client(app, "lead@example.com")
    assert "Ada Admin cancelled the reset" in lead.get("/account").data.decode()

    requester.form(f"/admin/users/{org.lead.id}/reset")
    request = db.scalar(select(AccountLink).where(AccountLink.id > request.id))
    ari = db.scalar(select(User).where(User.email == "ari@example.com"))
    ari.active = False
    db.commit()
    r = approver.form(f"/admin/resets/{request.id}/approve", follow_redirects=True)
    assert _link(r.data.decode()) is None and b"no longer an active admin" in r.data


def test_the_operator_issues_a_link_on_the_command_line(app, db, org, runner):
    result = runner.invoke(args=["tracker", "reset-link", "Lead@Example.com "])
    assert result.exit_code == 0, result.output
    path = _link(result.output)
    assert path and "http://tracker.test/welcome/" in result.output
    owner = app.test_client()
    owner.get(path)
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    assert "issued on the server" in owner.get("/account").data.decode()
    events = db.scalars(select(AuditEvent).where(AuditEvent.object_id == org.lead.id)).all()
    issued = [e for e in events if e.action == "reset link issued"]
    assert issued and issued[0].actor == "command line"
    assert "password reset" in {e.action for e in events}

    result = runner.invoke(args=["tracker", "reset-link", "nobody@example.com"])
    assert result.exit_code != 0 and "No account has the email nobody@example.com" in result.output
    result = runner.invoke(
        args=["tracker", "reset-link", "eve@example.com", "--base-url", "https://t.example/"]
    )
    assert "https://t.example/welcome/" in result.output


def test_create_user_on_the_command_line_cannot_take_over_an_account(app, db, org, runner):
    before = db.get(User, org.lead.id).password_hash
    result = runner.invoke(
        args=["tracker", "create-user", "LEAD@example.com", "--name", "X", "--role", "admin"],
        input=NEW + "\n" + NEW + "\n",
    )
    assert result.exit_code != 0 and "already exists" in result.output
    db.expire_all()
    assert db.get(User, org.lead.id).password_hash == before
    result = runner.invoke(
        args=["tracker", "create-user", "new@example.com", "--name", "Nu", "--role", "admin"],
        input=NEW + "\n" + NEW + "\n",
    )
    assert result.exit_code == 0
    new = db.scalar(select(User).where(User.email == "new@example.com"))
    row = db.scalar(
        select(AuditEvent).where(
            AuditEvent.object_id == new.id, AuditEvent.action == "password set"
        )
    )
    assert row is not None and row.actor == "command line"


def test_own_password_change_and_invitation_use_are_audited(app, db, org):
    lead = _client(app, "lead@example.com")
    r = lead.form("/account", {"current_password": PASSWORD, "password": NEW, "confirm": NEW})
    assert r.status_code == 302
    assert "Your password was changed at" in lead.get("/account").data.decode()
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.object_id == org.lead.id, AuditEvent.action == "password changed"
        )
    )
    r = lead.form(f"/members/{org.plain.id}/invite")
    path = _link(r.data.decode())
    pat = app.test_client()
    pat.get(path)
    assert pat.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302
    user = db.scalar(select(User).where(User.email == org.plain.email))
    row = db.scalar(
        select(AuditEvent).where(
            AuditEvent.object_id == user.id, AuditEvent.action == "invitation used"
        )
    )
    assert row is not None and "Lee Lead" in row.summary


def test_notices_show_on_every_page_until_dismissed_then_stay_on_the_account_page(
    app, db, org, make_user
):
    make_user("admin", email="ari@example.com", name="Ari Admin")
    _client(app, "ari@example.com").form(f"/admin/users/{org.lead.id}/reset")
    lead = _client(app, "lead@example.com")
    text = "Ari Admin asked at"
    for url in ("/dashboard", "/teams", "/account", f"/members/{org.eng.id}", "/frameworks"):
        assert text in lead.get(url).data.decode(), url
    # Nobody else sees the lead's notice.
    for email in ("admin@example.com", "eve@example.com", "other@example.com"):
        assert text not in _client(app, email).get("/", follow_redirects=True).data.decode()
    assert lead.form("/account/notices/dismiss").status_code == 302
    assert text not in lead.get("/dashboard").data.decode()
    page = lead.get("/account").data.decode()
    assert "Recent security events" in page and text in page
    seen = db.scalars(select(AccountNotice).where(AccountNotice.user_id == org.lead.id)).all()
    assert seen and all(n.seen_at is not None for n in seen)


def test_the_owner_is_told_of_a_role_change(app, db, org):
    """A demotion could make an account resettable by one admin: its owner hears of it."""
    admin = _client(app, "admin@example.com")
    r = admin.form(f"/admin/users/{org.eng.user_id}", {"name": "Eve Engineer", "role": "lead"})
    assert r.status_code == 302
    page = _client(app, "eve@example.com").get("/account").data.decode()
    assert "Ada Admin changed your role from Engineer to Lead" in page
