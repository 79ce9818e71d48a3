"""`flask --app wsgi tracker create-user|reset-link|end-all-logins`: accounts from the server."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker.auth.models import ROLES


@click.command("create-user")
@with_appcontext
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


@click.command("reset-link")
@with_appcontext
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


@click.command("end-all-logins")
@with_appcontext
def end_all_logins_command() -> None:
    """End every login, calendar feed and unused one-time link (run after a restore, or when a
    breach is suspected): everyone logs in again, leads make new feed URLs."""
    from tracker.auditing import record
    from tracker.auth.sessions import end_every_login
    from tracker.db import get_db

    db = get_db()
    users, links = end_every_login(db)
    record(db, "end all logins", "user", None, f"{users} users, {links} unused links closed")
    db.commit()
    click.echo(f"Ended the logins of {users} user(s) and closed {links} unused link(s).")


def register(group: AppGroup) -> None:
    """Add the account commands to `group`; ending every login also follows a restore."""
    from tracker.ops_cli import AFTER_RESTORE

    group.add_command(create_user)
    group.add_command(reset_link)
    group.add_command(end_all_logins_command)
    # click types a command's callback as optional; this one has one.
    assert end_all_logins_command.callback
    if end_all_logins_command.callback not in AFTER_RESTORE:
        AFTER_RESTORE.append(end_all_logins_command.callback)  # logins since stay ended
