"""Command line: the `flask --app wsgi tracker ...` group and `flask --app wsgi db ...`.

Core: each feature adds its own commands to `tracker_cli` (a `register(group)` in its
`cli.py`, called by create_app); this module imports no feature."""

from __future__ import annotations

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util.exc import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup

tracker_cli = AppGroup("tracker", help="Team Tracker administration.")
db_cli = AppGroup("db", help="Database migrations (Alembic).")


def alembic_config() -> AlembicConfig:
    """An Alembic config for the current app's database."""
    from tracker.files import ROOT

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


def init_app(app: Flask) -> None:
    """Register the command groups (the features' commands are added to them first)."""
    from tracker.jobs import register as register_jobs
    from tracker.ops_cli import register as register_ops

    register_ops(tracker_cli)  # backup and restore
    register_jobs(tracker_cli)  # the worker
    app.cli.add_command(tracker_cli)
    app.cli.add_command(db_cli)
