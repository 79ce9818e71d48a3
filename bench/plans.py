"""Query plans of the main pages at organisation scale (issue 7): which statements scan.

Not a test: it prints plans. For SQLite and PostgreSQL (a private schema, when
BENCH_POSTGRES_URL or a local server answers) it builds the `seed-demo --scale org` dataset,
or reuses one (brought to the newest migration), requests the pages of bench/org.py through
the WSGI app as the right logged-in user, plus the login and the org-wide matrix export, and
prints each distinct SQL statement with:

- its time: best (and median) of --repeat runs through the driver, rows fetched; for a
  write, its time in the request;
- its plan: EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL; plain
  EXPLAIN for anything but a SELECT, so nothing is written twice);
- flags: a full scan of a table of BIG_TABLE rows or more (SQLite `SCAN t` without an index
  or an automatic index; PostgreSQL `Seq Scan`), a temporary B-tree (SQLite), over SLOW_MS.
  A summary table lists the scans and slow statements (a sort alone is left out).

    .venv/bin/python bench/plans.py [--no-postgres] [--sqlite /tmp/plans/org.db]
        [--pg-schema bench_plans_keep] [--page dashboard] [--only-flagged]

--sqlite/--pg-schema keep the dataset for the next run. One made by `flask tracker seed-demo
--scale org` has the password teamtracker-demo: pass --password teamtracker-demo.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As in bench/org.py: this folder off the path (the stdlib's `copy` would import org.py).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
# Every request renders its page: the plans are those of a page-cache miss (tracker/cache.py).
os.environ["TRACKER_PAGE_CACHE"] = "0"

from alembic import command
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

import bench.org as org
from tracker.auth.models import User
from tracker.cli import alembic_config
from tracker.db import Base, get_db, get_engine, make_engine
from tracker.seed.org import SCALES, seed_scale

SLOW_MS = 1.0
BIG_TABLE = 1000  # rows: a full scan of a smaller table is not worth an index
SKIP = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SHOW|SET)\b", re.I)


# --- the dataset -------------------------------------------------------------------------


def prepare(url: str, instance: str, password: str) -> tuple:
    """The org dataset at `url`: built there when absent, else reused; migrated, analysed."""
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    app = org.make_app(url, instance)
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
        db = get_db()
        lead = db.scalar(select(User.id).where(User.email == "lead01@scale.example.com"))
        if lead is None:
            print("  building the org dataset ...", flush=True)
            seed_scale(db, password=password, seed=1, **SCALES["org"])
            db.commit()
        ids = org.pick_targets(db)
        sizes = {t: db.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in Base.metadata.tables}
        db.close()
        # As autovacuum would leave the tables: fresh statistics and, on PostgreSQL, a
        # visibility map (index-only scans). Table by table: a bare ANALYZE or VACUUM on
        # PostgreSQL would visit every schema of the database.
        verb = "ANALYZE" if url.startswith("sqlite") else "VACUUM (ANALYZE)"
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in Base.metadata.sorted_tables:
                conn.exec_driver_sql(f'{verb} "{table.name}"')
    return app, ids, sizes


# --- recording the statements of each page -----------------------------------------------


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(label, who, path) as in bench/org.py's page_figures."""
    return [
        ("lead dashboard", "lead", "/dashboard"),
        (f"team member list ({ids['team_size']} members)", "lead", f"/teams/{ids['team']}"),
        ("member competency page", "lead", f"/members/{ids['member']}/competencies"),
        ("member 1:1 timeline", "lead", f"/members/{ids['member']}/sessions"),
        ("team skill matrix page", "lead", f"/teams/{ids['team']}/matrix"),
        ("sprint board", "lead", f"/sprints/{ids['sprint']}"),
        ("sprint report", "lead", f"/teams/{ids['team']}/sprint-report"),
        ("project timeline", "lead", f"/projects/{ids['project']}"),
        ("engineer home", "engineer", "/me"),
    ]


def record(app, fn) -> list[dict]:
    """Run fn; return its statements (text, parameters, seconds in the request)."""
    engine = app.extensions["tracker.engine"]
    seen: list[dict] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not SKIP.match(statement):
            seen.append({"sql": statement, "params": parameters, "many": executemany, "s": 0.0})
            conn.info["plans_at"] = (seen[-1], time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        if "plans_at" in conn.info:
            entry, t0 = conn.info.pop("plans_at")
            entry["s"] = time.perf_counter() - t0

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seen


def capture(app, ids: dict, wanted: str | None) -> list[tuple[str, list[dict]]]:
    """Each page's statements, on its second request (the first warms caches up)."""
    clients = {who: org.logged_in_client(app, ids[who]) for who in ("lead", "engineer")}

    def login():
        c = app.test_client()
        token = org.csrf_from(c.get("/login").get_data(as_text=True))
        data = {"email": ids["lead"], "password": org.PASSWORD, "csrf_token": token}
        assert c.post("/login", data=data).status_code == 302

    steps = [("login (POST, argon2id)", login)]
    for label, who, path in pages(ids):

        def get(client=clients[who], path=path):
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)

        steps.append((f"{label} `{path}`", get))
    steps.append(("org-wide matrix export (CSV)", lambda: org.app_export(app, "csv")))
    steps = [(label, fn) for label, fn in steps if (wanted or "").lower() in label.lower()]
    for _, fn in steps:
        fn()
    return [(label, record(app, fn)) for label, fn in steps]


# --- plans -------------------------------------------------------------------------------


def is_select(sql: str) -> bool:
    """A plain read, safe to run again (EXPLAIN ANALYZE runs it)."""
    writes = re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.I)
    return bool(re.match(r"\s*(SELECT|WITH)\b", sql, re.I)) and not writes


def sqlite_plan(conn, sql: str, params) -> list[str]:
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def postgres_plan(conn, sql: str, params) -> list[str]:
    how = "EXPLAIN (ANALYZE, BUFFERS) " if is_select(sql) else "EXPLAIN "
    return [row[0] for row in conn.exec_driver_sql(how + sql, params)]


def flags(plan: list[str], ms: float, sizes: dict) -> list[str]:
    """What deserves a look: full scans of big tables (or of unknown aliases), sorts, slowness."""
    found = []
    for line in map(str.strip, plan):
        scan = (
            re.match(r"SCAN (\w+)\b(?! USING)", line)
            or re.match(r"SEARCH (\w+) USING AUTOMATIC", line)  # an index built per query
            or re.search(r'Seq Scan on "?(\w+)"?', line)
        )
        name = scan.group(1) if scan else "CONSTANT"
        rows = sizes.get(name, BIG_TABLE)  # an alias (SQLite): size unknown
        if not re.match(r"CONSTANT|anon_\d", name) and rows >= BIG_TABLE:
            found.append(scan.group(0) + (f" ({rows:,} rows)" if name in sizes else ""))
        if "USE TEMP B-TREE" in line:
            found.append(line.replace("USE ", ""))
    if ms > SLOW_MS:
        found.append(f"> {SLOW_MS:g} ms")
    return found


def timed(conn, sql: str, params, repeat: int) -> tuple[float, float]:
    """Best and median ms of `repeat` runs, rows fetched (the best is steadier on a busy box)."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        conn.exec_driver_sql(sql, params).all()
        samples.append(time.perf_counter() - t)
    return min(samples) * 1000, statistics.median(samples) * 1000


def short(sql: str, full: bool) -> str:
    sql = " ".join(sql.split())
    if full:
        return sql
    sql = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", sql)
    sql = re.sub(r"((?:\?|%\(\w+\)s(?:::\w+)?), ){3,}", "…, ", sql)  # long IN lists
    return sql if len(sql) <= 240 else sql[:239] + "…"


def explain(url: str, captured, sizes: dict, args) -> list[tuple]:
    """Print every page's statements with time, plan and flags; return the flagged ones."""
    sqlite = url.startswith("sqlite")
    engine = make_engine(url, deferred_only=True)
    flagged = []
    with engine.connect() as conn:
        for label, statements in captured:
            distinct: dict[str, dict] = {}
            for s in statements:
                seen = distinct.setdefault(s["sql"], {**s, "n": 0})
                seen["n"] += 1
                if s["s"] > seen["s"]:  # plan the slowest parameters
                    seen.update(params=s["params"], s=s["s"])
            total = sum(s["s"] for s in statements) * 1000
            print(f"\n== {label}: {len(statements)} statements, {total:.1f} ms in the request")
            for s in distinct.values():
                sql, params = s["sql"], s["params"]
                if s["many"]:
                    plan = ["(executemany: not explained)"]
                else:
                    plan = (sqlite_plan if sqlite else postgres_plan)(conn, sql, params)
                ms = median = s["s"] * 1000  # a write: its time in the request
                if is_select(sql):
                    ms, median = timed(conn, sql, params, args.repeat)
                found = flags(plan, ms, sizes)
                if any("TEMP B-TREE" not in f for f in found):  # a sort alone is no worry
                    flagged.append((label, ms, found, sql))
                if args.only_flagged and not found:
                    continue
                mark = ("  ⚠ " + "; ".join(found)) if found else ""
                print(f"  {ms:8.2f} ms (median {median:.2f})  ×{s['n']}{mark}")
                print(f"    {short(sql, args.full_sql)}")
                for line in plan:
                    print("      " + line)
            conn.rollback()
    engine.dispose()
    return flagged


def summary(label: str, flagged: list[tuple]) -> None:
    print(f"\n### {label}: flagged statements\n")
    print("| page | ms | flags | statement |\n|---|---:|---|---|")
    for page, ms, found, sql in flagged:
        page = page.split(" `")[0]
        print(f"| {page} | {ms:.2f} | {'; '.join(found)} | `{short(sql, False)[:120]}` |")


def run(label: str, url: str, args) -> None:
    with tempfile.TemporaryDirectory() as instance:
        print(f"{label}: preparing {make_url(url).render_as_string()} ...", flush=True)
        app, ids, sizes = prepare(url, instance, args.password)
        captured = capture(app, ids, args.page)
        with app.app_context():
            get_engine().dispose()
    print(f"\n# {label}")
    summary(label, explain(url, captured, sizes, args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite file to reuse or build and keep")
    parser.add_argument("--pg-schema", metavar="NAME", help="PostgreSQL schema, likewise")
    parser.add_argument("--password", default=org.PASSWORD, help="default: %(default)s")
    parser.add_argument("--page", help="only pages whose label contains this")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per SELECT")
    parser.add_argument("--only-flagged", action="store_true", help="print flagged plans only")
    parser.add_argument("--full-sql", action="store_true", help="print statements in full")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    org.PASSWORD = args.password  # what org.logged_in_client logs in with
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{Path(args.sqlite or tmp + '/org.db').resolve()}", args)
    pg = None if args.no_postgres else org.postgres_url()
    if pg:
        schema = args.pg_schema or "bench_plans_" + uuid.uuid4().hex[:8]
        with org.private_schema(pg, schema, keep=bool(args.pg_schema)) as url:
            run("PostgreSQL", url, args)
    elif not args.no_postgres:
        print("PostgreSQL: skipped, no server answered.")


if __name__ == "__main__":
    main()
