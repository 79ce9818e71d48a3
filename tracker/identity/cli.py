"""`flask --app wsgi tracker reset-two-factor EMAIL`: the operator removes a second factor."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext


@click.command("reset-two-factor")
@with_appcontext
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Remove the second factor of EMAIL's account (the owner then enrols again)."""
    from tracker.db import get_db
    from tracker.identity.services import IdentityError, operator_reset

    db = get_db()
    try:
        user = operator_reset(db, email)
    except IdentityError as exc:
        db.rollback()
        raise click.ClickException(str(exc)) from exc
    db.commit()
    click.echo(f"Removed the second factor of {user.email}.")


def register(group: AppGroup) -> None:
    group.add_command(reset_two_factor)
