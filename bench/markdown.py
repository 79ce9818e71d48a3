"""Benchmark: the cost of rendering notes, before (markdown-it-py and nh3 on every view, no
budget) and after (rendered once when saved, within the step budget, plain text past it).

Not a test: it prints figures. For each of the costliest notes found
(tests/mentoring/markdown_inputs.py, each at the 20,000-character cap) and dense real notes: the
CPU time of the stock renderer and
of ours (best of --runs), our steps, whether it fell back to plain text, the HTML's size. Then a
timeline of 50 sessions whose shared notes are "![" * 10000: what a view cost before (50
renders) and what the page costs now, through the WSGI app on a throwaway SQLite database.
With --events, the profiler's count of calls for the notes that
tests/mentoring/test_markdown_budget.py bounds.

    .venv/bin/python bench/markdown.py [--runs 3] [--events] [--only NAME...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from markdown_it import MarkdownIt

from tests.mentoring.markdown_inputs import HOSTILE_NOTES, REAL_NOTES
from tracker import create_app
from tracker.auth.services import create_user
from tracker.cli import alembic_config
from tracker.db import get_db, get_engine
from tracker.mentoring import markdown
from tracker.mentoring.models import Meeting
from tracker.team.models import Member, Team

PASSWORD = "benchmark-passphrase-1"
_stock = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)


def stock(text: str) -> str:
    """The renderer as it was: markdown-it-py then nh3, no budget."""
    return markdown.sanitise(_stock.render(text))


def cpu_ms(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best * 1000


def events(fn) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def notes_table(notes: dict[str, str], runs: int, with_events: bool) -> list[str]:
    rows = []
    for name, text in notes.items():
        before = cpu_ms(lambda t=text: stock(t), runs)
        after = cpu_ms(lambda t=text: markdown.rendered(t), runs)
        r = markdown.rendered(text)
        cells = [
            name,
            f"{before:.0f}",
            f"{len(stock(text)) / 1000:.0f}",
            f"{after:.0f}",
            f"{r.steps:,}",
            "plain" if r.plain else "Markdown",
            f"{len(r.html) / 1000:.0f}",
        ]
        if with_events:
            cells.append(f"{events(lambda t=text: stock(t)):,}")
            cells.append(f"{events(lambda t=text: markdown.rendered(t)):,}")
        rows.append((before, "| " + " | ".join(cells) + " |"))
    head = (
        "| note (20,000 chars) | before ms | before KB | after ms | steps | shown as | after KB |"
    )
    rule = "|---|---:|---:|---:|---:|---|---:|"
    if with_events:
        head += " calls before | calls after |"
        rule += "---:|---:|"
    return [head, rule] + [line for _, line in sorted(rows, reverse=True)]


def timeline(runs: int) -> list[str]:
    note = "![" * 10000
    before = cpu_ms(lambda: stock(note), runs)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "SERVER_NAME": "bench.local",
                "PAGE_CACHE_SIZE": 0,
            }
        )
        with app.app_context():
            cfg = alembic_config()
            cfg.attributes["skip_logging"] = True
            command.upgrade(cfg, "head")
            db = get_db()
            lead = create_user(db, "lead@bench.local", "Lee Lead", "lead", PASSWORD)
            team = Team(name="Bench")
            team.leads.append(lead)
            db.add(team)
            db.flush()
            member = Member(
                team_id=team.id, name="Eve Engineer", email="eve@bench.local", level="Mid"
            )
            db.add(member)
            db.flush()
            t0 = time.process_time()
            for i in range(50):
                db.add(
                    Meeting(
                        member_id=member.id,
                        mentor_id=lead.id,
                        held_at=datetime(2026, 1, 1, 10) + timedelta(days=7 * i),
                        shared_notes=note,
                    )
                )
            db.commit()
            saved = (time.process_time() - t0) * 1000
            member_id = member.id
            get_engine().dispose()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["csrf_token"] = "x"
        from itsdangerous import URLSafeTimedSerializer

        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps("x")
        data = {"email": "lead@bench.local", "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        calls = []
        real = markdown._md.render
        markdown._md.render = lambda *a: calls.append(1) or real(*a)
        times = []
        for _ in range(max(runs, 5)):
            t0 = time.perf_counter()
            assert client.get(f"/members/{member_id}/sessions").status_code == 200
            times.append((time.perf_counter() - t0) * 1000)
        markdown._md.render = real
        with app.app_context():
            get_engine().dispose()
    return [
        "",
        'Timeline of 50 sessions whose shared notes are "![" * 10000 (SQLite):',
        f"- before: 50 renders per view, {50 * before / 1000:.1f} s of CPU ({before:.0f} ms each)",
        f"- after: {len(calls)} renders per view; the page takes {statistics.median(times):.0f} ms "
        f"(median of {len(times)}); saving the 50 sessions rendered each once: {saved:.0f} ms",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", action="store_true", help="also count profiler events")
    parser.add_argument("--only", nargs="*", help="names of notes to time")
    args = parser.parse_args()
    hostile = {k: v for k, v in HOSTILE_NOTES.items() if not args.only or k in args.only}
    real = {k: v for k, v in REAL_NOTES.items() if not args.only or k in args.only}
    out = [f"Budget: {markdown.MAX_STEPS:,} steps; CPU ms, best of {args.runs}.", ""]
    out += ["Costliest notes found:", ""] + notes_table(hostile, args.runs, args.events)
    out += ["", "Dense real notes:", ""] + notes_table(real, args.runs, args.events)
    out += timeline(args.runs)
    print("\n".join(out))


if __name__ == "__main__":
    main()
