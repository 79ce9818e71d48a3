"""`flask --app wsgi tracker render-notes`: the stored HTML of every meeting's notes."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext


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


def register(group: AppGroup) -> None:
    """Add render-notes to `group`; it also follows every restore (a file's HTML is not
    trusted: it is rendered here)."""
    from tracker.ops_cli import AFTER_RESTORE

    group.add_command(render_notes_command)
    assert render_notes_command.callback  # click types a command's callback as optional
    if render_notes_command.callback not in AFTER_RESTORE:
        AFTER_RESTORE.append(render_notes_command.callback)
