"""A password set through a link that someone else held (a lead's invitation, an admin's
new-account link, a one-admin reset) is not a working credential for a lead: promoting the
account clears it, whoever set it, so an admin who reset an engineer, used the link and then
promoted them holds nothing. A password its owner chose (changed on the account page) or set
through a link a second admin or the operator approved survives the promotion."""

from __future__ import annotations

import re

import pytest
from alembic import command
from sqlalchemy import select, text

from tests.conftest import PASSWORD, login
from tracker import create_app
from tracker.auditing import AuditEvent
from tracker.auth.models import AccountNotice, User
from tracker.cli import alembic_config
from tracker.db import make_engine

NEW = "sunlit-harbour-crane-58"
OWN = "copper-meadow-violin-93"


def _link(html: str) -> str:
    match = re.search(r"/welcome/[A-Za-z0-9_\-]+", html)
    assert match, html
    return match.group(0)


def _as(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _redeem(app, path: str, password: str = NEW) -> None:
    holder = app.test_client()
    assert holder.get(path).status_code == 302
    assert holder.form("/welcome", {"password": password, "confirm": password}).status_code == 302


def _held_link(app, org, runner, how: str) -> tuple[str, str]:
    """A link of each kind its issuer holds, and the e-mail of the account it sets."""
    if how == "lead's invitation":
        lead = _as(app, "lead@example.com")
        return _link(lead.form(f"/members/{org.plain.id}/invite").data.decode()), org.plain.email
    admin = _as(app, "admin@example.com")
    if how == "admin's new account":
        r = admin.form(
            "/admin/users/new", {"email": "nu@example.com", "name": "Nu", "role": "engineer"}
        )
        return _link(r.data.decode()), "nu@example.com"
    return _link(
        admin.form(f"/admin/users/{org.eng.user_id}/reset").data.decode()
    ), "eve@example.com"


def _promote(app, db, email: str):
    user = db.scalar(select(User).where(User.email == email))
    admin = _as(app, "admin@example.com")
    r = admin.form(f"/admin/users/{user.id}", {"name": user.name, "role": "lead"})
    assert r.status_code == 302, r.data.decode()
    return user, admin.get("/admin/users").data.decode()


HELD = ["one-admin reset", "admin's new account", "lead's invitation"]


@pytest.mark.parametrize("how", HELD)
def test_promoting_clears_a_password_a_links_holder_may_know(app, db, org, runner, how):
    path, email = _held_link(app, org, runner, how)
    _redeem(app, path)  # by whoever held the link: nothing tells it from the owner
    assert login(app.test_client(), email, NEW).status_code == 302
    user, page = _promote(app, db, email)
    assert "password was set with a link someone else held, so it was cleared" in page
    assert login(app.test_client(), email, NEW).status_code != 302
    db.expire_all()
    user = db.get(User, user.id)
    assert user.password_hash is None and not user.password_from_link
    assert db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "password cleared", AuditEvent.object_id == user.id
        )
    )
    notices = db.scalars(select(AccountNotice.text).where(AccountNotice.user_id == user.id))
    assert any("password was cleared" in n for n in notices)


@pytest.mark.parametrize("how", HELD)
def test_the_promoted_account_is_protected_from_then_on(app, db, org, runner, how):
    """With the password cleared, the next link is the owner's first: once they have chosen
    a password, one admin can no longer reset it."""
    path, email = _held_link(app, org, runner, how)
    _redeem(app, path)
    user, _page = _promote(app, db, email)
    admin = _as(app, "admin@example.com")
    first = _link(admin.form(f"/admin/users/{user.id}/reset").data.decode())
    _redeem(app, first, OWN)
    r = admin.form(f"/admin/users/{user.id}/reset", follow_redirects=True)
    assert "/welcome/" not in r.data.decode()
    assert login(app.test_client(), email, OWN).status_code == 302


@pytest.mark.parametrize("how", HELD)
def test_a_password_the_owner_changed_survives_the_promotion(app, db, org, runner, how):
    path, email = _held_link(app, org, runner, how)
    _redeem(app, path)
    owner = app.test_client()
    assert login(owner, email, NEW).status_code == 302
    r = owner.form("/account", {"current_password": NEW, "password": OWN, "confirm": OWN})
    assert r.status_code == 302, r.data.decode()
    _user, page = _promote(app, db, email)
    assert "cleared" not in page
    assert login(app.test_client(), email, OWN).status_code == 302


def test_a_password_from_the_operators_link_survives_the_promotion(app, db, org, runner):
    path = _link(runner.invoke(args=["tracker", "reset-link", "eve@example.com"]).output)
    _redeem(app, path)
    _user, page = _promote(app, db, "eve@example.com")
    assert "cleared" not in page
    assert login(app.test_client(), "eve@example.com", NEW).status_code == 302


def test_a_password_set_from_the_command_line_survives_the_promotion(app, db, org, runner):
    r = runner.invoke(
        args=["tracker", "create-user", "cli@example.com", "--name", "Cli", "--role", "engineer"],
        input=f"{OWN}\n{OWN}\n",
    )
    assert r.exit_code == 0, r.output
    _user, page = _promote(app, db, "cli@example.com")
    assert "cleared" not in page
    assert login(app.test_client(), "cli@example.com", OWN).status_code == 302


def test_demoting_keeps_the_password(app, db, org, make_user):
    """Only becoming protected clears: a lead made an engineer keeps what they have, even a
    password from a link (a lead already was protected when it was set)."""
    spare = make_user("lead", email="spare@example.com", name="Spare Lead")
    spare.password_from_link = True
    db.commit()
    admin = _as(app, "admin@example.com")
    r = admin.form(f"/admin/users/{spare.id}", {"name": spare.name, "role": "engineer"})
    assert r.status_code == 302
    assert login(app.test_client(), spare.email, PASSWORD).status_code == 302


def test_the_migration_marks_passwords_from_links_nobody_approved(fresh_url):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": fresh_url})
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "0011")
        engine = make_engine(fresh_url)
        # id: (has a password, links as (used, approved, invitation), changed by owner after)
        people = {
            1: (True, [("2026-01-01", None, False)], False),  # one-admin reset: marked
            2: (True, [("2026-01-01", "2026-01-01", False)], False),  # approved: not
            3: (True, [("2026-01-01", None, False)], True),  # owner changed since: not
            4: (True, [("2026-01-01", None, True)], False),  # invitation: marked
            5: (True, [], False),  # no link (command line): not
            6: (False, [("2026-01-01", None, False)], False),  # no password now: not
            7: (True, [("2026-01-01", None, False), ("2026-02-01", "2026-02-01", False)], False),
            8: (True, [("2026-02-01", None, False), ("2026-01-01", "2026-01-01", False)], False),
        }
        marked = {1, 4, 8}
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO team (id, name, created_at) VALUES (1, 'T', CURRENT_TIMESTAMP)")
            )
            for uid, (has_password, links, changed) in people.items():
                conn.execute(
                    text(
                        'INSERT INTO "user" (id, email, name, role, active, session_token, '
                        "created_at, ever_privileged, password_hash) VALUES (:id, :email, :name,"
                        " 'engineer', :yes, :token, CURRENT_TIMESTAMP, :no, :hash)"
                    ),
                    {
                        "id": uid,
                        "email": f"u{uid}@example.com",
                        "name": f"U{uid}",
                        "yes": True,
                        "no": False,
                        "token": "0" * 32,
                        "hash": "x" if has_password else None,
                    },
                )
                conn.execute(
                    text(
                        "INSERT INTO member (id, team_id, name, email, job_title, level, "
                        "cadence_days, archived, created_at, updated_at, user_id) VALUES (:id, 1,"
                        " 'M', :email, 'E', 'Mid', 14, :no, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                        " :id)"
                    ),
                    {"id": uid, "email": f"u{uid}@example.com", "no": False},
                )
                for used, approved, invitation in links:
                    conn.execute(
                        text(
                            "INSERT INTO account_link (kind, user_id, member_id, created_at, "
                            "expires_at, used_at, needs_approval, approved_at) VALUES (:kind, "
                            ":user, :member, :used, :used, :used, :no, :approved)"
                        ),
                        {
                            "kind": "invite" if invitation else "reset",
                            "user": None if invitation else uid,
                            "member": uid if invitation else None,
                            "used": used,
                            "approved": approved,
                            "no": False,
                        },
                    )
                if changed:
                    conn.execute(
                        text(
                            "INSERT INTO audit_event (at, actor, action, object_type, object_id,"
                            " summary) VALUES ('2026-03-01', 'x', 'password changed', 'user', "
                            ":id, 'by its owner')"
                        ),
                        {"id": uid},
                    )
        command.upgrade(cfg, "0012")
        with engine.connect() as conn:
            got = {
                row.id
                for row in conn.execute(text('SELECT id FROM "user" WHERE password_from_link'))
            }
        assert got == marked
        command.downgrade(cfg, "0011")
        command.upgrade(cfg, "head")
        engine.dispose()
