"""Migration 0010 renders the notes already stored with its own copy of the renderer: the HTML it
writes is what the app writes for the same notes (hostile, costly and real ones alike)."""

from __future__ import annotations

import itertools

from alembic import command
from sqlalchemy import text

from tests.mentoring.markdown_inputs import HOSTILE_NOTES, REAL_NOTES
from tests.test_migrations import _cfg
from tracker.db import get_db, get_engine, make_engine
from tracker.mentoring.markdown import render

NOTES = ("agenda", "shared_notes", "private_notes")
HOSTILE_KINDS = (  # one of each kind: over the budget in the inline pass, in a table, in blocks;
    # just under it; and linear
    "image openers ![",
    "emphasis runs *_",
    "table padded over short rows",
    "list items with lazy lines",
    "setext headings",
    "reference definitions and uses",
    "deep blockquote",
)
FAMILY = [
    "",
    "**bold** _em_ ~~gone~~ `code`",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "![x](https://evil.example/x.png) [a](javascript:alert(1)) [b](ftp://x) <https://ok>",
    "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n```js\nx\n```",
    "line one\r\nline two\n\n> quoted\n\n1. one\n2. two",
    *[HOSTILE_NOTES[name] for name in HOSTILE_KINDS],
    REAL_NOTES["a long table"],
    REAL_NOTES["weekly sections"],
]


def test_the_backfill_writes_what_the_app_writes(fresh_url):  # noqa: F811
    from tracker.seed.demo import seed

    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "head")
        db = get_db()
        seed(db, "demo-passphrase-1")
        db.commit()
        db.close()
        get_engine().dispose()
        command.downgrade(cfg, "0009")
        engine = make_engine(fresh_url)
        with engine.begin() as conn:
            ids = conn.execute(text("SELECT id FROM mentoring_session ORDER BY id")).scalars().all()
            notes = itertools.cycle(FAMILY)
            written = {i: {name: next(notes) for name in NOTES} for i in ids}
            for i, values in written.items():
                conn.execute(
                    text(
                        "UPDATE mentoring_session SET agenda = :agenda, "
                        "shared_notes = :shared_notes, private_notes = :private_notes "
                        "WHERE id = :id"
                    ),
                    values | {"id": i},
                )
        engine.dispose()
        command.upgrade(cfg, "0010")
    finally:
        ctx.pop()
    assert len(ids) * len(NOTES) >= len(FAMILY)  # every note of the family is migrated
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, agenda_html, shared_notes_html, private_notes_html "
                "FROM mentoring_session"
            )
        ).all()
    engine.dispose()
    expected = {note: str(render(note)) for note in FAMILY}
    for row in rows:
        for name in NOTES:
            assert row._mapping[f"{name}_html"] == expected[written[row.id][name]], name
