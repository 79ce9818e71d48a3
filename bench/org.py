"""Benchmark at organisation scale: 50 teams, 2,000 members, two years of history (issue 7).

Not a test: it prints figures. For SQLite (a temp file) and PostgreSQL (a private schema, when
BENCH_POSTGRES_URL or a local server answers) it builds the `seed-demo --scale org` dataset,
then measures:

- p50/p95 server time of the main pages through the WSGI app (Flask test client, logged in;
  a warm-up, then --runs requests each; the dashboard's page cache off, so every request
  renders) and the SQL statements each page runs;
- the org-wide skill matrix export (CSV, XLSX, JSON) beside a baseline: the same data read by
  one plain SQL query through the driver and written by csv / json / XlsxWriter unstyled;
- peak memory (ru_maxrss) of a `tracker export-matrix` process per format;
- /dashboard and a member page under gunicorn (4 workers, 127.0.0.1) with wrk for --duration s,
  served as `make serve` serves them (the page cache on, the collector tuned).

    .venv/bin/python bench/org.py [--runs 50] [--duration 30] [--no-postgres] [--no-load]

Tables go to standard output and to bench/results/org-<engine>.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace this script's folder on the path: the stdlib's `copy` tries `import org.python.core`
# (a Jython check) and would find this file as `org`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import xlsxwriter
from alembic import command
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from tracker import create_app, tune_gc
from tracker.auth.models import User
from tracker.cli import alembic_config
from tracker.competencies.matrix import org_matrix
from tracker.competencies.matrix_export import BUILDERS
from tracker.db import Base, get_db, get_engine
from tracker.mentoring.models import Meeting
from tracker.seed.org import SCALES, seed_scale
from tracker.sprints.models import Milestone, Sprint
from tracker.team.models import Member, Team

PASSWORD = "benchmark-passphrase-1"
SECRET = "bench-" + uuid.uuid4().hex
RESULTS = ROOT / "bench" / "results"
TARGET_MS = 50

# The latest rating per member, competency key and kind (lead/self), for active members on
# the default framework, with the expectation for the member's level: one plain query.
BASELINE_SQL = """
WITH latest AS (
  SELECT r.member_id, c.key, r.kind, r.value,
         ROW_NUMBER() OVER (PARTITION BY r.member_id, c.key, r.kind
                            ORDER BY r.created_at DESC, r.id DESC) AS rn
  FROM rating r JOIN competency c ON c.id = r.competency_id {kinds}
)
SELECT m.id, m.name, m.email, t.name, m.level, m.archived, l.key, l.kind, l.value, e.expected
FROM latest l
JOIN member m ON m.id = l.member_id
JOIN team t ON t.id = m.team_id
LEFT JOIN level lv ON lv.version_id = {version} AND lv.name = m.level
LEFT JOIN competency cc ON cc.version_id = {version} AND cc.key = l.key
LEFT JOIN expectation e ON e.competency_id = cc.id AND e.level_id = lv.id
WHERE l.rn = 1 AND m.archived = {false}
ORDER BY t.name, m.name, m.id
"""


# --- building the dataset ----------------------------------------------------------------


def make_app(url: str, instance: str):
    app = create_app(
        {
            "ENV_NAME": "development",  # real argon2 parameters; plain-HTTP cookies
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "SERVER_NAME": None,
            # Server time is what rendering costs: the dashboard's page cache would make every
            # repeat a hit. The gunicorn runs below keep it on, as served.
            "PAGE_CACHE_SIZE": 0,
        }
    )
    return app


def build(url: str, instance: str) -> tuple:
    os.environ["TRACKER_INSTANCE_PATH"] = instance
    app = make_app(url, instance)
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
        db = get_db()
        t0 = time.perf_counter()
        counts = seed_scale(db, password=PASSWORD, seed=1, **SCALES["org"])
        db.commit()
        built = time.perf_counter() - t0
        # Fresh planner statistics, as autovacuum or a routine ANALYZE would leave them; table
        # by table (a bare ANALYZE on PostgreSQL visits every schema of the database).
        for table in Base.metadata.sorted_tables:
            db.execute(text(f'ANALYZE "{table.name}"'))
        db.commit()
        ids = pick_targets(db)
    return app, counts, built, ids


def pick_targets(db) -> dict:
    """The first team (40 members), its busiest member, active sprint, current project."""
    lead = db.scalar(select(User).where(User.email == "lead01@scale.example.com"))
    team = db.scalar(select(Team).order_by(Team.id))
    member_id = db.scalar(
        select(Meeting.member_id)
        .join(Member, Member.id == Meeting.member_id)
        .where(Member.team_id == team.id, Member.archived.is_(False))
        .group_by(Meeting.member_id)
        .order_by(text("count(*) DESC"), Meeting.member_id)
        .limit(1)
    )
    sprint = db.scalar(select(Sprint).where(Sprint.team_id == team.id, Sprint.state == "active"))
    project_id = db.scalar(select(Milestone.project_id).where(Milestone.sprint_id == sprint.id))
    engineer = db.scalar(
        select(User)
        .join(Member, Member.user_id == User.id)
        .where(Member.team_id == team.id, Member.archived.is_(False))
        .order_by(User.id)
    )
    return {
        "lead": lead.email,
        "engineer": engineer.email,
        "team": team.id,
        "team_size": db.scalar(
            select(text("count(*)")).select_from(Member).where(Member.team_id == team.id)
        ),
        "member": member_id,
        "sprint": sprint.id,
        "project": project_id,
    }


# --- pages through the WSGI app ----------------------------------------------------------


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


def logged_in_client(app, email: str):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, (email, r.status_code)
    return client


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s) * 1000, s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] * 1000


def count_statements(app, fn) -> int:
    engine = app.extensions["tracker.engine"]
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", statement, re.I):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return len(seen)


def page_figures(app, ids: dict, runs: int, warmup: int = 5) -> list[tuple]:
    lead = logged_in_client(app, ids["lead"])
    eng = logged_in_client(app, ids["engineer"])
    pages = [
        ("lead dashboard `/dashboard`", lead, "/dashboard"),
        (f"team member list ({ids['team_size']} members)", lead, f"/teams/{ids['team']}"),
        ("member competency page", lead, f"/members/{ids['member']}/competencies"),
        ("member 1:1 timeline", lead, f"/members/{ids['member']}/sessions"),
        ("team skill matrix page", lead, f"/teams/{ids['team']}/matrix"),
        ("sprint board", lead, f"/sprints/{ids['sprint']}"),
        ("sprint report", lead, f"/teams/{ids['team']}/sprint-report"),
        ("project timeline", lead, f"/projects/{ids['project']}"),
        ("engineer home `/me`", eng, "/me"),
    ]
    out = []

    def do_login():
        c = app.test_client()
        token = csrf_from(c.get("/login").get_data(as_text=True))
        t = time.perf_counter()
        r = c.post("/login", data={"email": ids["lead"], "password": PASSWORD, "csrf_token": token})
        took = time.perf_counter() - t
        assert r.status_code == 302, r.status_code
        return took

    for _ in range(warmup):
        do_login()
    samples = [do_login() for _ in range(runs)]
    c = app.test_client()
    token = csrf_from(c.get("/login").get_data(as_text=True))
    n = count_statements(
        app,
        lambda: c.post(
            "/login", data={"email": ids["lead"], "password": PASSWORD, "csrf_token": token}
        ),
    )
    out.append(("login (POST, argon2id)", *percentiles(samples), n))

    for label, client, path in pages:

        def get(client=client, path=path):
            r = client.get(path)
            assert r.status_code == 200, (path, r.status_code)

        for _ in range(warmup):
            get()
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            get()
            samples.append(time.perf_counter() - t)
        out.append((label, *percentiles(samples), count_statements(app, get)))
    return out


# --- exports and baselines ---------------------------------------------------------------


def baseline_rows(app, kinds: str):
    """One plain SQL query through the driver; rows grouped per member."""
    sqlite = app.config["DATABASE_URL"].startswith("sqlite")
    with app.app_context():
        db = get_db()
        version = db.scalar(
            text(
                "SELECT max(v.id) FROM framework_version v JOIN framework f "
                "ON f.id = v.framework_id WHERE f.is_default = :t"
            ),
            {"t": True},
        )
        db.close()
        raw = get_engine().raw_connection()
    try:
        cur = raw.cursor()
        where = "WHERE r.kind = 'lead'" if kinds == "lead" else ""
        cur.execute(
            BASELINE_SQL.format(kinds=where, version=int(version), false="0" if sqlite else "false")
        )
        members, keys, last = [], {}, None
        for mid, name, email, team, level, archived, key, kind, value, exp in cur.fetchall():
            if mid != last:
                current = [name, email, team, level, "archived" if archived else "active", {}]
                members.append(current)
                last = mid
            keys.setdefault(key, None)
            current[5].setdefault(key, [None, None, exp])[0 if kind == "lead" else 1] = value
        return members, list(keys)
    finally:
        raw.close()


def baseline_csv(app) -> bytes:
    members, keys = baseline_rows(app, "lead")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["member", "email", "team", "level", "status", *keys])
    for *cells, ratings in members:
        writer.writerow([*cells, *(ratings.get(k, ("",))[0] for k in keys)])
    return out.getvalue().encode()


def baseline_json(app) -> bytes:
    members, keys = baseline_rows(app, "all")
    doc = [
        {
            "name": name,
            "email": email,
            "team": team,
            "level": level,
            "status": status,
            "ratings": {
                k: {
                    "lead": v[0],
                    "self": v[1],
                    "expected": v[2],
                    "gap": None if v[0] is None or v[2] is None else v[0] - v[2],
                }
                for k, v in ratings.items()
            },
        }
        for name, email, team, level, status, ratings in members
    ]
    return json.dumps(doc).encode()


def baseline_xlsx(app) -> bytes:
    """The same two grids as the export (latest lead rating; gap to the level), unstyled."""
    members, keys = baseline_rows(app, "lead")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    for sheet_name, pick in (("Ratings", 0), ("Gaps", 1)):
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, ["member", "email", "team", "level", "status", *keys])
        for r, (*cells, ratings) in enumerate(members, start=1):
            sheet.write_row(r, 0, cells)
            for j, k in enumerate(keys):
                v = ratings.get(k)
                if v is None or v[0] is None:
                    continue
                value = v[0] if pick == 0 else (None if v[2] is None else v[0] - v[2])
                if value is not None:
                    sheet.write_number(r, 5 + j, value)
    book.close()
    return out.getvalue()


def app_export(app, fmt: str) -> bytes:
    """What `tracker export-matrix --format FMT` builds for the whole organisation."""
    with app.app_context():
        db = get_db()
        data = BUILDERS[fmt](org_matrix(db))
        db.close()
        return data


def median_s(fn, runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def export_figures(app, url: str, instance: str, runs: int) -> list[tuple]:
    out = []
    for fmt, base in (("csv", baseline_csv), ("xlsx", baseline_xlsx), ("json", baseline_json)):
        app_s = median_s(lambda fmt=fmt: app_export(app, fmt), runs)
        base_s = median_s(lambda base=base: base(app), runs)
        rss = export_rss(url, instance, fmt)
        out.append((fmt, app_s, base_s, rss))
    return out


def export_rss(url: str, instance: str, fmt: str) -> float:
    """Peak resident memory (MiB) of a `flask tracker export-matrix` process."""
    target = Path(instance) / f"org.{fmt}"
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    cmd = [sys.executable, "-c", code, str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    cmd += ["tracker", "export-matrix", "--format", fmt, "-o", str(target)]
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_INSTANCE_PATH": instance}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024


# --- throughput under gunicorn and wrk ---------------------------------------------------


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk (the HTTP load generator) is missing: apt-get install -y wrk ...")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: `sudo apt-get install wrk`): skipping throughput.")
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_login(base: str, email: str) -> str:
    """Log in over HTTP like a browser; return the session cookie header."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    token = csrf_from(opener.open(base + "/login").read().decode())
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    try:
        opener.open(base + "/login", data=body.encode())
    except urllib.error.HTTPError as exc:  # the 302 after a successful login
        if exc.code != 302:
            raise
        jar.extract_cookies(exc, urllib.request.Request(base + "/login"))
    # One page first, as a browser would: the session gets its CSRF secret and keeps it (wrk
    # sends the same cookie every time and never takes a new one).
    opener.open(base + "/dashboard").read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def parse_wrk(output: str) -> tuple[float, float, int]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses:\s+(\d+)", r"Socket errors:.*"):
        m = re.search(pattern, output)
        if m and m.groups():
            errors += int(m.group(1))
        elif m:
            errors += sum(int(x) for x in re.findall(r"\d+", m.group(0)))
    return rps, float(p99.group(1)) * scale, errors


def load_figures(url: str, instance: str, ids: dict, duration: int) -> list[tuple]:
    wrk = ensure_wrk()
    if not wrk:
        return []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": instance,
        "TRACKER_ENV": "development",
        "SECRET_KEY": SECRET,
        "TRACKER_BIND": f"127.0.0.1:{port}",
        "TRACKER_WORKERS": "4",
    }
    log = open(Path(instance) / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    out = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie = http_login(base, ids["lead"])
        for label, path in (
            ("lead dashboard", "/dashboard"),
            ("member page", f"/members/{ids['member']}"),
        ):
            cmd = [wrk, "-t2", "-c8", f"-d{duration}s", "--latency", "-H", f"Cookie: {cookie}"]
            subprocess.run([*cmd[:3], "-d3s", *cmd[4:], base + path], capture_output=True)
            done = subprocess.run([*cmd, base + path], capture_output=True, text=True)
            out.append((label, path, *parse_wrk(done.stdout)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return out


# --- the report --------------------------------------------------------------------------


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return (
        f"{os.cpu_count()} cores, {mem:.0f} GiB RAM, {system}, Python {platform.python_version()}"
    )


def report(label, counts, built, pages, exports, load) -> str:
    lines = [
        f"### {label}",
        "",
        f"Dataset: {', '.join(f'{v:,} {k}' for k, v in counts.items())}; built in {built:.1f} s.",
        f"Machine: {machine()}.",
        "",
        "| page | p50 ms | p95 ms | target p95 | SQL statements |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, p50, p95, n in pages:
        ok = "" if p95 < TARGET_MS else " ✗"
        lines.append(f"| {name} | {p50:.1f} | {p95:.1f}{ok} | < {TARGET_MS} | {n} |")
    lines += [
        "",
        "| org-wide export (2,000 × 39) | export s | baseline s | × baseline | target "
        "| peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    targets = {"csv": 2.0, "xlsx": 1.5, "json": 2.0}
    for fmt, app_s, base_s, rss in exports:
        lines.append(
            f"| {fmt.upper()} | {app_s:.2f} | {base_s:.2f} | {app_s / base_s:.2f} | "
            f"≤ {targets[fmt]} | {rss:.0f} |"
        )
    if load:
        lines += [
            "",
            "| gunicorn, 4 workers, wrk 8 connections | req/s | p99 ms | errors |",
            "|---|---:|---:|---:|",
        ]
        for name, path, rps, p99, errors in load:
            lines.append(f"| {name} `{path}` | {rps:.0f} | {p99:.1f} | {errors} |")
    return "\n".join(lines) + "\n"


def run(label: str, url: str, args) -> str:
    with tempfile.TemporaryDirectory() as instance:
        print(f"{label}: building the org dataset ...", flush=True)
        app, counts, built, ids = build(url, instance)
        # As wsgi.py does for the app gunicorn serves; after the build, whose objects a server
        # never holds, so that they are collected rather than frozen.
        tune_gc()
        print(f"{label}: built in {built:.1f} s; timing pages ...", flush=True)
        pages = page_figures(app, ids, args.runs)
        print(f"{label}: exports ...", flush=True)
        exports = export_figures(app, url, instance, args.export_runs)
        load = []
        if not args.no_load:
            print(f"{label}: gunicorn + wrk, {args.duration} s per page ...", flush=True)
            load = load_figures(url, instance, ids, args.duration)
        with app.app_context():
            get_engine().dispose()
    text_ = report(label, counts, built, pages, exports, load)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"org-{label.lower()}.md").write_text(text_)
    print(text_, flush=True)
    return text_


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return url
    except Exception:  # noqa: BLE001 - any failure means: no server to benchmark against
        return None


@contextmanager
def private_schema(pg: str, schema: str, keep: bool = False):
    """A URL on a schema of its own in the PostgreSQL database `pg`, dropped afterwards unless
    `keep`: the benchmarks never touch `public` or anybody else's schema."""
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", schema) and schema != "public", schema
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    try:
        url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page")
    parser.add_argument("--export-runs", type=int, default=3, help="timed runs per export")
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per page")
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn + wrk")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/org.db", args)
    pg = None if args.no_postgres else postgres_url()
    if pg:
        with private_schema(pg, "bench_org_" + uuid.uuid4().hex[:8]) as url:
            run("PostgreSQL", url, args)
    elif not args.no_postgres:
        print("PostgreSQL: skipped, no server answered.")


if __name__ == "__main__":
    main()
