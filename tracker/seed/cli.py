"""`flask --app wsgi tracker seed-demo|deactivate-demo-logins`: the demo data and its logins."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


@click.command("seed-demo")
@with_appcontext
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
    from tracker.db import get_db
    from tracker.frameworks.io import ensure_default_framework
    from tracker.seed.demo import DemoError, demo_password, seed
    from tracker.seed.guard import demo_addresses

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
    from tracker.seed.demo import seed_password_problem
    from tracker.seed.org import DOMAIN, SCALES, ScaleError, timed_seed

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


@click.command("deactivate-demo-logins")
@with_appcontext
def deactivate_demo_logins_command() -> None:
    """Deactivate every active demo account that still has the published demo password, and
    remove that password, so that reactivating the account needs a reset too.

    A production server refuses to start while any exists; this command works regardless.
    """
    from sqlalchemy import select

    from tracker.auditing import record
    from tracker.auth.models import User
    from tracker.db import get_db
    from tracker.seed.guard import published_logins

    db = get_db()
    emails = published_logins(db)
    if not emails:
        click.echo("No active account with a demo address has the published demo password.")
        return
    for user in db.scalars(select(User).where(User.email.in_(emails))):
        user.active = False
        user.password_hash = None  # reactivated, it still cannot log in until reset
        user.end_all_sessions()
        record(db, "password removed", "user", user.id, "the published demo password")
    db.commit()
    click.echo(
        f"Deactivated {len(emails)} demo account(s) and removed their password: "
        f"{', '.join(emails)}. To use one again, reactivate it and issue a reset link "
        "(flask --app wsgi tracker reset-link EMAIL)."
    )


def register(group: AppGroup) -> None:
    """Add the demo commands to `group`."""
    group.add_command(seed_demo)
    group.add_command(deactivate_demo_logins_command)
