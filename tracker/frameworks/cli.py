"""`flask tracker import-framework` and `flask tracker export-framework`."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Literal

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from tracker.competencies.lookup import default_framework, framework_names, get_framework_by_name
from tracker.db import get_db
from tracker.files import write_private
from tracker.frameworks.io import (
    MAX_FRAMEWORK_BYTES,
    FrameworkError,
    dump_framework,
    export_framework,
    get_version,
    import_framework,
    latest_version,
    parse_framework,
    preview_import,
)


def register(group: click.Group) -> None:
    """Add the framework commands to the `tracker` command group."""
    group.add_command(import_framework_command)
    group.add_command(export_framework_command)


def _invalid(source: str, exc: FrameworkError) -> click.ClickException:
    n = len(exc.errors)
    found = "more than 50 problems" if n > 50 else f"{n} problem{'s' * (n != 1)}"
    lines = "\n".join(f"  {error}" for error in exc.errors)
    return click.ClickException(f"{source} is not a valid framework ({found}):\n{lines}")


@click.command("import-framework")
@click.argument("file", type=click.File("rb"))
@click.option("--default", "make_default", is_flag=True, help="Make it the default framework.")
@click.option("--dry-run", is_flag=True, help="Validate and show the changes; write nothing.")
@with_appcontext
def import_framework_command(file: BinaryIO, make_default: bool, dry_run: bool) -> None:
    """Import a framework from a YAML or JSON FILE.

    FILE may be '-' to read standard input. A new name creates a framework; a known name
    adds its next version (older versions, and the ratings made against them, stay as they
    are). Content identical to the latest version adds nothing. The changes against the
    latest version are printed; on any error nothing is written.
    """
    source = getattr(file, "name", None)
    source = source if isinstance(source, str) and source not in ("-", "<stdin>") else None
    data = file.read(MAX_FRAMEWORK_BYTES + 1)  # one byte more is enough to refuse it
    db = get_db()
    try:
        doc = parse_framework(data, source)
        if dry_run:
            previous, changes = preview_import(db, doc)
            _echo_changes(changes.summary_lines(), previous.number if previous else None)
            click.echo("Dry run: nothing was written.")
            return
        result = import_framework(db, doc, make_default=make_default)
        db.commit()
    except FrameworkError as exc:
        db.rollback()
        raise _invalid(source or "The input", exc) from exc
    except IntegrityError as exc:  # e.g. the same framework imported at the same moment
        db.rollback()
        raise click.ClickException(f"Nothing was imported: {exc.orig}") from exc
    default = " It is the default framework." if result.framework.is_default else ""
    if result.unchanged:
        click.echo(
            f'"{doc.name}" is unchanged: version {result.version.number} has this content '
            f"already, so no version was added.{default}"
        )
        return
    previous_number = None if result.new_framework else result.version.number - 1
    _echo_changes(result.changes.summary_lines(), previous_number)
    click.echo(f'Imported "{doc.name}" as version {result.version.number}.{default}')


def _echo_changes(lines: list[str], previous: int | None) -> None:
    if not lines:
        click.echo(f"No changes against version {previous}.")
        return
    if previous is None:  # a new framework: its one summary line says so
        click.echo("\n".join(lines))
        return
    click.echo(f"Changes against version {previous}:")
    for line in lines:
        click.echo(f"  {line}")


@click.command("export-framework")
@click.argument("name", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    help="Output format (default: json for an -o file ending in .json, else yaml).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File to write ('-' or none: standard output).",
)
@click.option("--version", "number", type=click.IntRange(min=1), help="Version (default: latest).")
@with_appcontext
def export_framework_command(
    name: str | None, fmt: Literal["yaml", "json"] | None, output: Path | None, number: int | None
) -> None:
    """Export a framework as YAML or JSON.

    NAME is the framework's name (default: the default framework); --version picks an
    older version. The output can be edited and imported again with import-framework.
    """
    db = get_db()
    known = framework_names(db)
    if not known:
        raise click.ClickException("There are no frameworks yet: import one with import-framework.")
    framework = get_framework_by_name(db, name) if name else default_framework(db)
    if framework is None:
        what = f'No framework is named "{name}".' if name else "No framework is the default."
        raise click.ClickException(f"{what} Known frameworks: {', '.join(known)}.")
    version = get_version(db, framework, number)
    if version is None:
        latest = latest_version(db, framework).number
        raise click.ClickException(
            f'"{framework.name}" has no version {number} (latest: {latest}).'
        )
    path = output if output is not None and str(output) != "-" else None  # None: standard output
    fmt = fmt or ("json" if path is not None and path.suffix.lower() == ".json" else "yaml")
    text = dump_framework(export_framework(version), fmt)
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        write_private(path, text.encode("utf-8"))
    except OSError as exc:
        raise click.ClickException(f"Could not write {output}: {exc.strerror}.") from exc
    click.echo(f'Wrote "{framework.name}" version {version.number} to {output} ({fmt}).')
