"""Command line: `flask --app wsgi tracker ...` and `flask --app wsgi db ...`."""

from __future__ import annotations

import sys

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util.exc import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup

from tracker.auth.models import ROLES

tracker_cli = AppGroup("tracker", help="Team Tracker administration.")
db_cli = AppGroup("db", help="Database migrations (Alembic).")


def alembic_config() -> AlembicConfig:
    """An Alembic config for the current app's database."""
    from tracker import ROOT

    cfg = AlembicConfig(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = current_app.config["DATABASE_URL"]
    return cfg


def _alembic(fn, *args, **kwargs) -> None:
    try:
        fn(alembic_config(), *args, **kwargs)
    except CommandError as exc:
        raise click.ClickException(str(exc)) from exc


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    _alembic(command.upgrade, revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (e.g. -1, or base)."""
    _alembic(command.downgrade, revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate/--empty", default=True, help="Compare models with the database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration; review it by hand before committing."""
    _alembic(command.revision, message=message, autogenerate=autogenerate)


@db_cli.command("check")
def db_check() -> None:
    """Fail when the models differ from the migrated schema."""
    _alembic(command.check)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision."""
    _alembic(command.current)


@db_cli.command("history")
def db_history() -> None:
    """List the migrations."""
    _alembic(command.history)


@tracker_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, lead or engineer.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account with EMAIL; the password is prompted for (or read from stdin)."""
    from tracker.auth.services import AccountError
    from tracker.auth.services import create_user as create
    from tracker.db import get_db

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = get_db()
    try:
        user = create(db, email, name, role, password)
    except AccountError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    db.commit()
    click.echo(f"Created {user.role} {user.email}.")


@tracker_cli.command("reset-link")
@click.argument("email")
@click.option(
    "--base-url", help="The address users open the app at, e.g. https://tracker.example.com."
)
def reset_link(email: str, base_url: str | None) -> None:
    """Print a one-time password-reset link for EMAIL (for whoever runs the server)."""
    from flask import url_for

    from tracker.auth.links import operator_reset
    from tracker.auth.services import AccountError
    from tracker.db import get_db

    db = get_db()
    try:
        token = operator_reset(db, email)
    except AccountError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    db.commit()
    if base_url:
        url = base_url.rstrip("/") + f"/welcome/{token}"
    elif current_app.config.get("SERVER_NAME"):
        with current_app.test_request_context():
            url = url_for("auth.accept_link", token=token, _external=True)
    else:
        url = f"/welcome/{token} (after the app's address; or pass --base-url)"
    days = current_app.config["INVITATION_LIFETIME"].days
    click.echo(f"One-time password-reset link for {email.strip().lower()}:")
    click.echo(f"  {url}")
    click.echo(
        f"Hand it to its owner yourself. It works once, in the first browser that opens it, "
        f"for {days} days; the owner is told a reset link was issued on the server."
    )


@tracker_cli.command("seed-demo")
@click.option(
    "--password",
    help="Password of every demo account (default: teamtracker-demo in development, "
    "elsewhere a new random one, printed).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Add no demo data when any account exists (the default framework is still loaded "
    "when there is none).",
)
@click.option(
    "--scale",
    type=click.Choice(["org"]),
    help="Instead of the small demo, an org-scale dataset (50 teams, 2,000 members, 104 weeks).",
)
@click.option("--teams", type=click.IntRange(1), help="Scale dataset: number of teams.")
@click.option("--members", type=click.IntRange(1), help="Scale dataset: number of members.")
@click.option("--weeks", type=click.IntRange(1), help="Scale dataset: weeks of history.")
@click.option("--seed", "seed_", type=int, help="Scale dataset: random seed (default 1).")
def seed_demo(
    password: str | None, if_empty: bool, scale, teams, members, weeks, seed_: int | None
) -> None:
    """Create a demo organisation (idempotent) and print its logins (not in production)."""
    from sqlalchemy import select

    from tracker.auth.models import User
    from tracker.competencies.framework_io import ensure_default_framework
    from tracker.db import get_db
    from tracker.demo import DemoError, demo_password, seed
    from tracker.demo_guard import demo_addresses

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "seed-demo is refused in production (TRACKER_ENV=production): it makes accounts "
            "whose addresses and password are published. Create real accounts with "
            "`flask --app wsgi tracker create-user EMAIL --name NAME --role admin`."
        )
    if password is None:
        password = demo_password(current_app.config["ENV_NAME"])
    db = get_db()
    db.info["audit"] = False  # thousands of demo rows are not events anyone did
    if scale or teams or members or weeks or seed_ is not None:
        _seed_scale(db, password, scale, teams, members, weeks, seed_)
        return
    if if_empty and db.scalar(select(User.id).limit(1)) is not None:
        if ensure_default_framework(db) is not None:
            db.commit()
            click.echo("Loaded the default competency framework.")
        click.echo("The database has accounts already: no demo data added.")
        return
    existing = set(db.scalars(select(User.email).where(User.email.in_(demo_addresses()))))
    try:
        logins = seed(db, password)
    except DemoError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    db.commit()
    click.echo(f"Demo logins (password: {password}):")
    for role, email in logins:
        kept = "  (existed already: its password is unchanged)" if email in existing else ""
        click.echo(f"  {role:<9} {email}{kept}")


def _seed_scale(db, password, scale, teams, members, weeks, seed_) -> None:
    """`seed-demo --scale org` / `--teams --members --weeks`: the org-scale dataset."""
    from tracker.demo import seed_password_problem
    from tracker.scale import DOMAIN, SCALES, ScaleError, timed_seed

    problem = seed_password_problem(password)
    if problem:
        raise click.ClickException(f"--password: {problem}")
    size = dict(SCALES["org"])
    size.update({k: v for k, v in (("teams", teams), ("members", members), ("weeks", weeks)) if v})
    try:
        counts, seconds = timed_seed(db, password=password, seed=seed_ or 1, **size)
    except ScaleError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    db.commit()
    click.echo(
        f"Generated in {seconds:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )
    click.echo(f"Logins (password: {password}): lead01@{DOMAIN} … lead{size['teams']:02d}@{DOMAIN}")
    click.echo(f"  engineers with an account: eng####@{DOMAIN} (about 30% of members)")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    from tracker.competencies.cli import register as register_competencies

    register_competencies(tracker_cli)
    from tracker.exports.cli import register as register_exports

    register_exports(tracker_cli)
    from tracker.sprints.cli import register as register_sprints

    register_sprints(tracker_cli)
    from tracker.ops_cli import register as register_ops

    register_ops(tracker_cli)
    app.cli.add_command(tracker_cli)
    app.cli.add_command(db_cli)
