"""Bringing every session's stored HTML back in line with its notes (after a restore)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.mentoring.markdown import render
from tracker.mentoring.models import Meeting

NOTES = ("agenda", "shared_notes", "private_notes")
CHUNK = 500


def rerender_all(db: Session) -> int:
    """Render every note again and store the HTML where it differs; return how many sessions
    changed. A restored file's HTML is not trusted: only what this renderer makes is shown."""
    table = Meeting.__table__
    columns = [table.c[name] for name in NOTES] + [table.c[f"{name}_html"] for name in NOTES]
    changed, last = 0, 0
    while True:  # in chunks, so a large database is never held in memory at once
        rows = db.execute(
            select(table.c.id, *columns).where(table.c.id > last).order_by(table.c.id).limit(CHUNK)
        ).all()
        if not rows:
            return changed
        for row in rows:
            fresh = {f"{n}_html": str(render(row._mapping[n])) for n in NOTES}
            if any(row._mapping[key] != html for key, html in fresh.items()):
                # Not an edit: updated_at stays as it was.
                db.execute(
                    update(table)
                    .where(table.c.id == row.id)
                    .values({**fresh, "updated_at": table.c.updated_at})
                )
                changed += 1
        last = rows[-1].id
