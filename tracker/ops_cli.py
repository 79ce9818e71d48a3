"""`flask --app wsgi tracker backup|restore|deactivate-demo-logins`."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask.cli import AppGroup, with_appcontext

from tracker import backup as ops
from tracker.db import get_db, get_engine


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent online copy of the SQLite database to FILE (a new file).

    Safe while the app runs. For PostgreSQL use pg_dump (see the README).
    """
    try:
        size = ops.backup(get_engine(), file)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {file} ({size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup FILE, after checking it.

    The file must be a Team Tracker database that passes SQLite's integrity check, with
    exactly the schema the migrations make at its revision (no trigger, view or other extra
    object). Stop the app first; afterwards run `flask --app wsgi db upgrade` if the backup
    is older.
    """
    from tracker.cli import alembic_config

    cfg = alembic_config()

    def ask(_revision: str) -> None:
        if not yes:
            click.confirm(f"Replace the current database with {file}?", abort=True)

    try:
        revision = ops.restore(get_engine(), file, cfg, confirm=ask)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {file} (migration {revision}).")
    if revision != ScriptDirectory.from_config(cfg).get_current_head():
        click.echo(
            "This backup is from an older version: run `flask --app wsgi db upgrade`, "
            "then `flask --app wsgi tracker end-all-logins` and "
            "`flask --app wsgi tracker render-notes`."
        )
    else:
        # click types a command's callback as optional; these two (below) have one.
        assert end_all_logins_command.callback and render_notes_command.callback
        end_all_logins_command.callback()  # logins ended since the backup stay ended
        render_notes_command.callback()  # the file's HTML is not trusted: render it here


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


@click.command("render-notes")
@with_appcontext
def render_notes_command() -> None:
    """Render every session's notes again and store the HTML (after restoring a backup)."""
    from tracker.db import get_db
    from tracker.mentoring.stored_notes import rerender_all

    db = get_db()
    changed = rerender_all(db)
    db.commit()
    click.echo(f"Notes rendered again: {changed} session(s) changed.")


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
    from tracker.demo_guard import published_logins

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
    """Add the backup, restore and recovery commands to `group`."""
    group.add_command(backup_command)
    group.add_command(restore_command)
    group.add_command(deactivate_demo_logins_command)
    group.add_command(render_notes_command)
    group.add_command(end_all_logins_command)
