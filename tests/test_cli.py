"""The command line, through Flask's CLI runner."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.competencies.models import Rating
from tracker.security import verify_password
from tracker.team.models import Member, Team


def test_create_user_reads_password_from_stdin(app, runner, db):
    r = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a-long-admin-passphrase\n",
    )
    assert r.exit_code == 0, r.output
    assert "Created admin boss@example.com." in r.output
    user = db.scalar(select(User).where(User.email == "boss@example.com"))
    with app.app_context():
        assert verify_password(user.password_hash, "a-long-admin-passphrase")


def test_create_user_prompts_for_password(runner, db):
    r = runner.invoke(
        args=["tracker", "create-user", "p@example.com", "--name", "P", "--role", "lead"],
        input="prompted-passphrase-1\nprompted-passphrase-1\n",
    )
    assert r.exit_code == 0, r.output
    assert "prompted-passphrase-1" not in r.output  # hidden input


def test_create_user_has_no_password_argument(runner):
    r = runner.invoke(args=["tracker", "create-user", "--help"])
    assert "--password-stdin" in r.output and "--password " not in r.output


def test_create_user_rejects_bad_input_and_writes_nothing(runner, db, make_user):
    make_user("lead", email="taken@example.com")
    r = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "boss",
            "--password-stdin",
        ],
        input="a-long-admin-passphrase\n",
    )
    assert r.exit_code == 2 and "'boss' is not one of" in r.output
    r = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "taken@example.com",
            "--name",
            "X",
            "--role",
            "lead",
            "--password-stdin",
        ],
        input="a-long-admin-passphrase\n",
    )
    assert r.exit_code == 1 and "already exists" in r.output
    r = runner.invoke(
        args=[
            "tracker",
            "create-user",
            "weak@example.com",
            "--name",
            "W",
            "--role",
            "lead",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert r.exit_code == 1 and "at least 12 characters" in r.output
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_seed_demo_is_idempotent_and_prints_logins(runner, db):
    r = runner.invoke(args=["tracker", "seed-demo"])
    assert r.exit_code == 0, r.output
    assert "admin@example.com" in r.output and "dana.lead@example.com" in r.output
    counts = (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(Member)),
        db.scalar(select(func.count()).select_from(Team)),
        db.scalar(select(func.count()).select_from(Rating)),
    )
    assert counts[1] >= 8
    levels = set(db.scalars(select(Member.level)))
    assert levels == {"Entry", "Mid", "Senior", "Lead"}
    assert (
        db.scalar(select(func.count()).select_from(Member).where(Member.user_id.is_not(None))) >= 2
    )
    db.commit()
    assert runner.invoke(args=["tracker", "seed-demo"]).exit_code == 0
    again = (
        db.scalar(select(func.count()).select_from(User)),
        db.scalar(select(func.count()).select_from(Member)),
        db.scalar(select(func.count()).select_from(Team)),
        db.scalar(select(func.count()).select_from(Rating)),
    )
    assert again == counts


def test_seed_demo_tells_a_rating_story(runner, client, db):
    from tracker.competencies.models import Framework

    seeded = runner.invoke(args=["tracker", "seed-demo", "--password", "teamtracker-demo"])
    assert seeded.exit_code == 0
    assert db.scalar(select(Framework.name).where(Framework.is_default)) == (
        "Lead Machine Learning Engineer"
    )
    kinds = dict(db.execute(select(Rating.kind, func.count()).group_by(Rating.kind)).all())
    assert kinds["lead"] > 300 and kinds["self"] > 50
    dates = {d.date() for d in db.scalars(select(Rating.created_at).distinct())}
    assert len({(d.year, d.month) for d in dates}) >= 3  # months of history
    assert db.scalar(select(func.count()).select_from(Rating).where(Rating.note != "")) > 0
    from tests.conftest import login

    login(client, "priya@example.com", "teamtracker-demo")
    priya = db.scalar(select(Member).where(Member.email == "priya@example.com"))
    html = client.get(f"/members/{priya.id}/competencies").data.decode()
    assert "Rated 39 of 39 competencies by a lead." in html
    assert 'class="rating r' in html


def test_seed_demo_if_empty_skips_a_used_database(runner, db, make_user):
    from tracker.competencies.models import Framework

    make_user("admin", email="real@example.com")
    r = runner.invoke(args=["tracker", "seed-demo", "--if-empty"])
    assert r.exit_code == 0 and "no demo data added" in r.output
    assert db.scalar(select(func.count()).select_from(Team)) == 0
    # The default framework still loads, once.
    assert "Loaded the default competency framework." in r.output
    assert db.scalar(select(func.count()).select_from(Framework)) == 1
    r = runner.invoke(args=["tracker", "seed-demo", "--if-empty"])
    assert "Loaded" not in r.output


def test_seed_demo_rejects_weak_password(runner, db):
    r = runner.invoke(args=["tracker", "seed-demo", "--password", "short"])
    assert r.exit_code == 1 and "--password" in r.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_demo_logins_work(client, runner):
    from tests.conftest import login

    runner.invoke(args=["tracker", "seed-demo", "--password", "demo-passphrase-1"])
    assert login(client, "dana.lead@example.com", "demo-passphrase-1").status_code == 302
    assert b"ML Platform" in client.get("/teams").data


def test_db_commands_report_state(runner):
    r = runner.invoke(args=["db", "current"])
    assert r.exit_code == 0
    r = runner.invoke(args=["db", "check"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["db", "downgrade", "nonsense-revision"])
    assert r.exit_code == 1 and "Error" in r.output


def test_fresh_interpreter_serves_the_app(tmp_path):
    """`flask --app wsgi run` imports only wsgi: every model must be mapped from there."""
    import subprocess
    import sys

    from tracker import ROOT

    code = (
        "from wsgi import app\n"
        "from tracker.cli import alembic_config\n"
        "from alembic import command\n"
        "with app.app_context():\n"
        "    cfg = alembic_config(); cfg.attributes['skip_logging'] = True\n"
        "    command.upgrade(cfg, 'head')\n"
        "r = app.test_client().get('/login')\n"
        "print(r.status_code)\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "TRACKER_INSTANCE_PATH": str(tmp_path),
        "TRACKER_ENV": "development",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("200")
