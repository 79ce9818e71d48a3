"""`flask --app wsgi tracker backup|restore`.

After a restore of the current revision, each feature repairs what a backup must not bring
back: it adds a step to AFTER_RESTORE when the app is built (auth ends every login, mentoring
renders the notes again). Core: imports no feature."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask.cli import AppGroup, with_appcontext

from tracker import backup as ops
from tracker.db import get_engine

# What runs after a restore of the current revision, each step a command's callback.
AFTER_RESTORE: list[Callable[[], None]] = []


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
        for repair in AFTER_RESTORE:  # in the features' order: auth's first
            repair()


def register(group: AppGroup) -> None:
    """Add the backup, restore and recovery commands to `group`."""
    group.add_command(backup_command)
    group.add_command(restore_command)
