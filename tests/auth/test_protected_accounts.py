"""Protection from a one-admin reset cannot be escaped by changing the role: an account that
has ever been a lead or an admin (or written a 1:1) stays protected whatever its role is now;
promoting an account closes the one-admin reset link it still has; and the database keeps
every lead and admin marked, whatever writes the row."""

from __future__ import annotations

import re
import uuid

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import login
from tracker import create_app
from tracker.auditing import AuditEvent
from tracker.auth.models import AccountLink, User
from tracker.cli import alembic_config
from tracker.db import make_engine

NEW = "sunlit-harbour-crane-58"


def _link(html: str) -> str | None:
    match = re.search(r"/welcome/[A-Za-z0-9_\-]+", html)
    return match.group(0) if match else None


def _admin(app):
    client = app.test_client()
    assert login(client, "admin@example.com").status_code == 302
    return client


def _set_role(admin, user, role: str) -> None:
    r = admin.form(f"/admin/users/{user.id}", {"name": user.name, "role": role})
    assert r.status_code == 302, r.data.decode()


def _toggle(admin, user, action: str) -> None:
    assert admin.form(f"/admin/users/{user.id}/{action}").status_code == 302


# Each a way an admin could walk an account's role (or state) before asking for its reset:
# the reset must be refused after every one of them, and the account keeps its password.
SEQUENCES = {
    "demote": ("lead", ["engineer"]),
    "demote then promote": ("lead", ["engineer", "lead"]),
    "flip twice": ("lead", ["engineer", "lead", "engineer"]),
    "engineer made lead and back": ("engineer", ["lead", "engineer"]),
    "engineer made lead and back twice": ("engineer", ["lead", "engineer", "lead", "engineer"]),
    "deactivate": ("lead", ["deactivate"]),
    "deactivate then reactivate": ("lead", ["deactivate", "reactivate"]),
    "demote, deactivate, reactivate": ("lead", ["engineer", "deactivate", "reactivate"]),
    "lead": ("lead", []),
}


@pytest.mark.parametrize("steps", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_no_role_or_state_change_lets_one_admin_reset_a_former_lead(app, db, org, make_user, steps):
    start, walk = steps
    spare = make_user(start, email="spare@example.com", name="Spare Lead")  # no team, no 1:1
    before = spare.password_hash
    admin = _admin(app)
    for step in walk:
        if step in ("deactivate", "reactivate"):
            _toggle(admin, spare, step)
        else:
            _set_role(admin, spare, step)
    r = admin.form(f"/admin/users/{spare.id}/reset", follow_redirects=True)
    html = r.data.decode()
    assert _link(html) is None and "the only active admin" in html
    db.expire_all()
    assert db.get(User, spare.id).password_hash == before
    assert db.get(User, spare.id).ever_privileged
    usable = db.scalars(
        select(AccountLink).where(AccountLink.user_id == spare.id, AccountLink.used_at.is_(None))
    ).all()
    assert usable == []


def test_the_reviewed_sequence_demote_reset_use_promote_gives_no_credential(
    app, db, org, make_user
):
    """The review's exact path: demote a lead without 1:1s, reset, use the link, promote."""
    spare = make_user("lead", email="spare@example.com", name="Spare Lead")
    admin = _admin(app)
    _set_role(admin, spare, "engineer")
    path = _link(admin.form(f"/admin/users/{spare.id}/reset", follow_redirects=True).data.decode())
    assert path is None
    _set_role(admin, spare, "lead")
    thief = app.test_client()
    assert login(thief, "spare@example.com", NEW).status_code != 302


@pytest.mark.parametrize("opened", [False, True], ids=["unopened", "opened"])
def test_promoting_closes_the_one_admin_reset_link(app, db, org, opened):
    """An engineer's one-admin reset link, not used yet, dies when the engineer is promoted."""
    admin = _admin(app)
    eve = db.get(User, org.eng.user_id)
    path = _link(admin.form(f"/admin/users/{eve.id}/reset").data.decode())
    assert path is not None
    holder = app.test_client()
    if opened:
        assert holder.get(path).status_code == 302
    _set_role(admin, eve, "lead")
    page = admin.get("/admin/users").data.decode()
    assert "The unused password-reset link for Eve Engineer was closed" in page
    if opened:
        assert holder.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 404
    else:
        assert holder.get(path).status_code == 404
    assert login(app.test_client(), eve.email, NEW).status_code != 302
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "reset link closed"))


def test_promoting_an_account_that_never_had_a_password_keeps_its_first_link(app, db, org):
    """A new account holds nothing yet: its first-password link survives a promotion."""
    admin = _admin(app)
    r = admin.form(
        "/admin/users/new", {"email": "nu@example.com", "name": "Nu", "role": "engineer"}
    )
    path = _link(r.data.decode())
    nu = db.scalar(select(User).where(User.email == "nu@example.com"))
    _set_role(admin, nu, "lead")
    owner = app.test_client()
    assert owner.get(path).status_code == 302
    assert owner.form("/welcome", {"password": NEW, "confirm": NEW}).status_code == 302


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_the_database_refuses_a_lead_or_admin_that_is_not_marked(app, db, role):
    """A bulk insert or hand-written SQL that forgets the mark fails, on both engines."""
    with pytest.raises(IntegrityError):
        db.execute(
            insert(User).values(
                email=f"{role}-{uuid.uuid4().hex[:6]}@example.com",
                name="Raw",
                role=role,
                active=True,
                session_token="0" * 32,
                ever_privileged=False,
            )
        )
        db.flush()
    db.rollback()


def test_the_mark_is_set_with_the_role_and_never_cleared(app, db, make_user):
    user = make_user("engineer")
    assert not user.ever_privileged
    for role in ("lead", "engineer", "admin", "engineer"):
        user.role = role
        db.commit()
        db.expire_all()
        assert db.get(User, user.id).ever_privileged


# --- the migration marks existing accounts ----------------------------------------------------


def test_the_migration_marks_every_account_that_was_ever_privileged(fresh_url):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": fresh_url})
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "0010")
        engine = make_engine(fresh_url)
        people = {
            1: ("lead", "now a lead"),
            2: ("admin", "now an admin"),
            3: ("engineer", "leads a team"),
            4: ("engineer", "wrote a 1:1"),
            5: ("engineer", "demoted, in the audit log"),
            6: ("engineer", "created as a lead, in the audit log"),
            7: ("engineer", "never anything else"),
        }
        audit = [
            (5, "role: lead → engineer"),
            (6, "email: six@example.com; name: Six; role: lead; active: True"),
            (7, "email: seven@example.com; name: Seven; role: engineer; active: True"),
            (7, "name: Sevn → Seven"),
        ]
        with engine.begin() as conn:
            for uid, (role, name) in people.items():
                conn.execute(
                    text(
                        'INSERT INTO "user" (id, email, name, role, active, session_token, '
                        "created_at) VALUES (:id, :email, :name, :role, :active, :token, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {
                        "id": uid,
                        "email": f"u{uid}@example.com",
                        "name": name,
                        "role": role,
                        "active": True,
                        "token": "0" * 32,
                    },
                )
            conn.execute(
                text("INSERT INTO team (id, name, created_at) VALUES (1, 'T', CURRENT_TIMESTAMP)")
            )
            conn.execute(text("INSERT INTO team_lead (team_id, user_id) VALUES (1, 3)"))
            conn.execute(
                text(
                    "INSERT INTO member (id, team_id, name, email, job_title, level, cadence_days,"
                    " archived, created_at, updated_at) VALUES (1, 1, 'M', 'm@example.com', 'E',"
                    " 'Mid', 14, :no, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"no": False},
            )
            conn.execute(
                text(
                    "INSERT INTO mentoring_session (member_id, mentor_id, kind, held_at, "
                    "duration_minutes, agenda, shared_notes, private_notes, created_at, "
                    "updated_at) VALUES (1, 4, 'one_on_one', CURRENT_TIMESTAMP, 30, '', '', '', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for uid, summary in audit:
                conn.execute(
                    text(
                        "INSERT INTO audit_event (at, actor, action, object_type, object_id, "
                        "summary) VALUES (CURRENT_TIMESTAMP, 'x', 'update', 'user', :id, :s)"
                    ),
                    {"id": uid, "s": summary},
                )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            marked = dict(conn.execute(text('SELECT id, ever_privileged FROM "user"')).all())
        engine.dispose()
        app.extensions["tracker.engine"].dispose()
    assert {uid for uid, flag in marked.items() if flag} == {1, 2, 3, 4, 5, 6}
