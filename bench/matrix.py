"""Benchmark: the team skill matrix page and its exports at 500 members x 40 competencies.

Not a test: it prints figures. It builds a throwaway database (SQLite, and PostgreSQL when
BENCH_POSTGRES_URL or a local server answers), a 500-member team with a rating history (three
lead rounds and one self round per competency), then times, through the WSGI app:
the matrix page, the CSV, XLSX and JSON exports; beside a baseline that reads the same latest
ratings with one plain SQL query through the database driver and writes CSV with the csv module.

    .venv/bin/python bench/matrix.py [--members 500] [--runs 7]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from sqlalchemy import insert, select, text

from bench.org import postgres_url, private_schema
from tracker import create_app
from tracker.auth.services import create_user
from tracker.cli import alembic_config
from tracker.competencies.models import Competency, Rating
from tracker.db import get_db, get_engine
from tracker.frameworks.io import ensure_default_framework
from tracker.team.models import Member, Team

PASSWORD = "benchmark-passphrase-1"
LEVELS = ("Entry", "Mid", "Senior", "Lead")

BASELINE_SQL = """
SELECT m.id, m.name, c.key, r.value FROM (
  SELECT r.member_id, r.competency_id, r.value,
         ROW_NUMBER() OVER (PARTITION BY r.member_id, r.competency_id
                            ORDER BY r.created_at DESC, r.id DESC) AS rn
  FROM rating r WHERE r.kind = 'lead') r
JOIN member m ON m.id = r.member_id
JOIN competency c ON c.id = r.competency_id
WHERE r.rn = 1 AND m.team_id = {team} AND m.archived = {false}
ORDER BY m.name, m.id
"""


def build(url: str, members: int) -> tuple:
    # The page cache off: every request renders (a repeat would otherwise be a cache hit).
    config = {"DATABASE_URL": url, "SERVER_NAME": "bench.local", "PAGE_CACHE_SIZE": 0}
    app = create_app({"ENV_NAME": "testing", **config})
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
        db = get_db()
        version = ensure_default_framework(db)
        lead = create_user(db, "lead@bench.local", "Bench Lead", "lead", PASSWORD)
        team = Team(name="Bench", leads=[lead])
        db.add(team)
        db.flush()
        db.execute(
            insert(Member),
            [
                {
                    "team_id": team.id,
                    "name": f"Member {i:04d}",
                    "email": f"m{i}@bench.local",
                    "job_title": "ML Engineer",
                    "level": LEVELS[i % 4],
                    "cadence_days": 14,
                    "archived": False,
                    "created_at": datetime(2025, 1, 1),
                    "updated_at": datetime(2025, 1, 1),
                }
                for i in range(members)
            ],
        )
        ids = list(db.scalars(select(Member.id).where(Member.team_id == team.id)))
        comps = list(db.scalars(select(Competency.id).where(Competency.version_id == version.id)))
        rng = random.Random(7)
        start = datetime(2026, 1, 1)
        rows = []
        for mid in ids:
            for cid in comps:
                for r in range(3):
                    rows.append(
                        {
                            "member_id": mid,
                            "competency_id": cid,
                            "rater_id": lead.id,
                            "kind": "lead",
                            "value": rng.randint(0, 5),
                            "note": "",
                            "evidence_url": "",
                            "created_at": start + timedelta(days=60 * r),
                        }
                    )
                rows.append(
                    {
                        "member_id": mid,
                        "competency_id": cid,
                        "rater_id": None,
                        "kind": "self",
                        "value": rng.randint(0, 5),
                        "note": "",
                        "evidence_url": "",
                        "created_at": start + timedelta(days=150),
                    }
                )
        for i in range(0, len(rows), 20000):
            db.execute(insert(Rating), rows[i : i + 20000])
        db.commit()
        # Fresh planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would
        # leave them: without, PostgreSQL plans the bulk-loaded tables as if nearly empty.
        db.execute(text("ANALYZE"))
        db.commit()
        return app, team.id, len(comps), len(rows)


def timed(fn, runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def baseline(app, team_id: int) -> bytes:
    """One plain SQL query through the driver, pivoted and written by the csv module."""
    with app.app_context():
        raw = get_engine().raw_connection()
    try:
        cur = raw.cursor()
        false = "0" if "sqlite" in app.config["DATABASE_URL"] else "false"
        cur.execute(BASELINE_SQL.format(team=int(team_id), false=false))
        out = io.StringIO()
        writer = csv.writer(out)
        keys, rows, current, last = [], [], None, None
        for mid, name, key, value in cur.fetchall():
            if mid != last:
                current = {"name": name}
                rows.append(current)
                last = mid
            current[key] = value
            if key not in keys:
                keys.append(key)
        writer.writerow(["member", *keys])
        for row in rows:
            writer.writerow([row["name"], *(row.get(k, "") for k in keys)])
        return out.getvalue().encode()
    finally:
        raw.close()


def run(label: str, url: str, members: int, runs: int) -> list[str]:
    t0 = time.perf_counter()
    app, team_id, n_comp, n_ratings = build(url, members)
    built = time.perf_counter() - t0
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["csrf_token"] = "x"
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps("x")
    r = client.post(
        "/login", data={"email": "lead@bench.local", "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302, r.status_code

    def get(path):
        def fn():
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code)

        return fn

    base = timed(lambda: baseline(app, team_id), runs)
    figures = {
        "matrix page": timed(get(f"/teams/{team_id}/matrix"), runs),
        "CSV export": timed(get(f"/teams/{team_id}/matrix.csv"), runs),
        "XLSX export": timed(get(f"/teams/{team_id}/matrix.xlsx"), runs),
        "JSON export": timed(get(f"/teams/{team_id}/matrix.json"), runs),
    }
    lines = [
        f"\n{label}: {members} members x {n_comp} competencies, {n_ratings:,} ratings "
        f"(built in {built:.1f} s); median of {runs} runs\n",
        "| what | median ms | x baseline |",
        "|---|---:|---:|",
        f"| baseline: one SQL query + csv module | {base:.0f} | 1.0 |",
    ]
    lines += [f"| {k} | {v:.0f} | {v / base:.1f} |" for k, v in figures.items()]
    with app.app_context():
        get_engine().dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        out += run("SQLite", f"sqlite:///{tmp}/bench.db", args.members, args.runs)
    pg = postgres_url()
    if pg:
        with private_schema(pg, "bench_" + uuid.uuid4().hex[:8]) as url:
            out += run("PostgreSQL", url, args.members, args.runs)
    else:
        out.append("\nPostgreSQL: skipped, no server answered.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
