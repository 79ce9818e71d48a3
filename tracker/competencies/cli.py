"""`flask --app wsgi tracker export-matrix`: the skill matrix to a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from tracker.auditing import record
from tracker.competencies.matrix import org_matrix, team_matrix
from tracker.competencies.matrix_export import BUILDERS
from tracker.db import get_db
from tracker.files import write_private
from tracker.team.models import Team


@click.command("export-matrix")
@with_appcontext
@click.option("--team", "team_name", help="One team (default: the whole organisation).")
@click.option(
    "--framework",
    "framework_name",
    help="Without --team: the framework whose teams to export (default: the default).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(BUILDERS)),
    default=None,
    help="csv, xlsx or json (default: from the -o file's extension, else csv).",
)
@click.option("-o", "--output", default="-", help="File to write; - for standard output.")
@click.option("--include-archived", is_flag=True, help="Also export archived members.")
def export_matrix(team_name, framework_name, fmt, output, include_archived):
    """Export the team skill matrix (latest lead ratings) as CSV, XLSX or JSON.

    Without --team, every active member assessed against the framework is exported, one row
    each, with their team as a column. Private mentoring notes are never exported.
    """
    from tracker.competencies.lookup import framework_names, get_framework_by_name

    fmt = fmt or next((f for f in BUILDERS if output.lower().endswith("." + f)), "csv")
    db = get_db()
    if team_name:
        team = db.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            known = ", ".join(db.scalars(select(Team.name).order_by(Team.name))) or "none"
            raise click.ClickException(f"No team called {team_name!r}. Teams: {known}.")
        matrix = team_matrix(db, team, include_archived=include_archived)
    else:
        framework_id = None
        if framework_name:
            framework = get_framework_by_name(db, framework_name)
            if framework is None:
                known = ", ".join(framework_names(db)) or "none"
                raise click.ClickException(
                    f"No framework called {framework_name!r}. Frameworks: {known}."
                )
            framework_id = framework.id
        matrix = org_matrix(db, framework_id, include_archived=include_archived)
    if matrix is None:
        raise click.ClickException("No competency framework is loaded: import one first.")
    data = BUILDERS[fmt](matrix)
    scope = f"team {team_name}" if team_name else "the organisation"
    record(
        db,
        "export",
        "team" if team_name else "organisation",
        matrix.team.id if matrix.team else None,
        f"skill matrix of {scope} as {fmt}, {len(matrix.rows)} members",
    )
    db.commit()
    if output == "-":
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.ClickException("XLSX is binary: give a file with -o.")
        with click.open_file("-", "wb") as stdout:
            stdout.write(data)
    else:
        try:
            write_private(Path(output), data)
        except OSError as exc:
            raise click.ClickException(f"Could not write {output}: {exc.strerror}.") from exc
        click.echo(
            f"Wrote {len(matrix.rows)} members × {len(matrix.columns)} competencies "
            f"to {output} ({fmt}).",
            err=True,
        )


def register(group: AppGroup) -> None:
    """Add the export commands to `group`."""
    group.add_command(export_matrix)
