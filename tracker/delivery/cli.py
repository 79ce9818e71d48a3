"""`flask --app wsgi tracker import-delivery`: milestones and sprints from Jira or GitHub."""

from __future__ import annotations

from typing import BinaryIO

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.db import get_db
from tracker.delivery.importers import MAX_IMPORT_BYTES, ImportFormatError, parse_delivery
from tracker.delivery.importing import apply_delivery, preview_delivery
from tracker.sprints.services import SprintError
from tracker.team.models import Team
from tracker.text import count_of


@click.command("import-delivery")
@click.option("--team", "team_name", required=True, help="The team to import into.")
@click.option("--project", "project_name", help="Project (default: Jira key or GitHub repo).")
@click.option("--dry-run", is_flag=True, help="Print the preview; write nothing.")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_delivery(team_name: str, project_name: str | None, dry_run: bool, file: BinaryIO):
    """Import milestones and sprints from a Jira CSV export or a GitHub milestones JSON FILE.

    The format is recognised from the content. Milestones imported before (same issue key or
    milestone URL) are left alone, so importing a file twice creates nothing new. On any error
    nothing is written.
    """
    db = get_db()
    team = db.scalar(select(Team).where(Team.name == team_name))
    if team is None:
        known = ", ".join(db.scalars(select(Team.name).order_by(Team.name))) or "none"
        raise click.ClickException(f"No team called {team_name!r}. Teams: {known}.")
    try:
        plan = parse_delivery(file.read(MAX_IMPORT_BYTES + 1))
        preview = preview_delivery(db, team, plan, project_name)
        for line in preview.summary_lines():
            click.echo(line)
        if dry_run:
            click.echo("Dry run: nothing was written.")
            return
        project, created = apply_delivery(db, preview)
        db.commit()
    except ImportFormatError as exc:
        db.rollback()
        lines = "\n".join(f"  {e}" for e in exc.errors)
        raise click.ClickException(f"Nothing was imported:\n{lines}") from exc
    except SprintError as exc:
        db.rollback()
        raise click.ClickException(f"Nothing was imported: {exc}") from exc
    except IntegrityError as exc:
        db.rollback()
        raise click.ClickException(f"Nothing was imported: {exc.orig}") from exc
    click.echo(f"Imported {count_of(created, 'milestone')} into {project.name}.")


def register(group: click.Group) -> None:
    """Add the delivery commands to the `tracker` command group."""
    group.add_command(import_delivery)
