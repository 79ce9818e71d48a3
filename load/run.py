"""`make load`: mixed reads and writes against gunicorn (4 workers) for a bounded time, then
proof that every acknowledged write is in the database and nothing failed with "database is
locked". On SQLite (WAL) and, when a server answers, on PostgreSQL. 127.0.0.1 only.

    .venv/bin/python load/run.py [--seconds 30] [--users 24]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "load-test-passphrase-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    out = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def accounts(url: str) -> tuple[list, list]:
    """Leads with their members and one category's competencies; engineers with open items."""
    engine = create_engine(url)
    with engine.connect() as c:
        cat = c.execute(text("SELECT id FROM category ORDER BY id LIMIT 1")).scalar()
        comps = [
            r[0]
            for r in c.execute(text("SELECT id FROM competency WHERE category_id = :c"), {"c": cat})
        ]
        leads = []
        for email, team_id in c.execute(
            text('SELECT u.email, tl.team_id FROM "user" u JOIN team_lead tl ON tl.user_id = u.id')
        ):
            members = [
                r[0]
                for r in c.execute(
                    text("SELECT id FROM member WHERE team_id = :t AND archived = :f"),
                    {"t": team_id, "f": False},
                )
            ]
            leads.append(
                {"email": email, "members": members, "category": cat, "competencies": comps}
            )
        engineers = []
        for email, member_id in c.execute(
            text('SELECT u.email, m.id FROM "user" u JOIN member m ON m.user_id = u.id')
        ):
            items = [
                r[0]
                for r in c.execute(
                    text(
                        "SELECT id FROM action_item WHERE member_id = :m AND owner = 'mentee' "
                        "AND done = :f"
                    ),
                    {"m": member_id, "f": False},
                )
            ]
            engineers.append({"email": email, "items": items})
    engine.dispose()
    return leads, engineers


def verify(url: str, ack_file: Path) -> tuple[int, int]:
    """(acknowledged writes, of which missing from the database)."""
    acks = [json.loads(line) for line in ack_file.read_text().splitlines() if line.strip()]
    engine = create_engine(url)
    missing = 0
    with engine.connect() as c:
        for ack in acks:
            if ack["kind"] == "session":
                q = text("SELECT count(*) FROM mentoring_session WHERE agenda = :m")
                found = c.execute(q, {"m": ack["marker"]}).scalar()
            elif ack["kind"] == "rating":
                found = c.execute(
                    text("SELECT count(*) FROM rating WHERE note = :m"), {"m": ack["marker"]}
                ).scalar()
            else:
                found = c.execute(
                    text("SELECT count(*) FROM action_item WHERE id = :i AND done = :t"),
                    {"i": ack["id"], "t": True},
                ).scalar()
            missing += 0 if found else 1
    engine.dispose()
    return len(acks), missing


def run(label: str, env: dict, url: str, seconds: int, users: int, tmp: Path) -> list[str]:
    flask(env, "db", "upgrade")
    flask(env, "tracker", "seed-demo", "--password", PASSWORD)
    leads, engineers = accounts(url)
    port = free_port()
    log = tmp / f"gunicorn-{label}.log"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(log),
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        ack_file = tmp / f"acks-{label}.jsonl"
        ack_file.write_text("")
        lenv = {
            **env,
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_ACK_FILE": str(ack_file),
            "LOAD_LEADS": json.dumps(leads),
            "LOAD_ENGINEERS": json.dumps(engineers),
        }
        stats = tmp / f"stats-{label}"
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "load" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(stats),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=lenv,
            timeout=seconds + 120,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with open(f"{stats}_stats.csv", newline="") as fh:
        total = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    acked, missing = verify(url, ack_file)
    locked = log.read_text().count("database is locked")
    return [
        f"\n{label}: {users} users, {seconds} s, gunicorn 4 workers on 127.0.0.1\n",
        "| requests | req/s | p50 ms | p95 ms | p99 ms | failed | acknowledged writes | "
        "missing | 'database is locked' |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {total['Request Count']} | {float(total['Requests/s']):.0f} | {total['50%']} | "
        f"{total['95%']} | {total['99%']} | {total['Failure Count']} | {acked} | {missing} | "
        f"{locked} |",
    ], int(total["Failure Count"]) + missing + locked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--users", type=int, default=24)
    args = parser.parse_args()
    lines, problems = [], 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = {
            "PATH": os.environ.get("PATH", ""),
            "TRACKER_ENV": "development",
            "SECRET_KEY": uuid.uuid4().hex,
        }
        env = {**base, "TRACKER_INSTANCE_PATH": str(tmp / "sqlite")}
        out, bad = run(
            "SQLite (WAL)", env, f"sqlite:///{tmp}/sqlite/tracker.db", args.seconds, args.users, tmp
        )
        lines += out
        problems += bad
        pg = os.environ.get(
            "LOAD_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        try:
            admin = create_engine(pg, connect_args={"connect_timeout": 3})
            with admin.begin() as c:
                schema = "load_" + uuid.uuid4().hex[:8]
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception:  # noqa: BLE001 - no server: skip that engine
            lines.append("\nPostgreSQL: skipped, no server answered.")
        else:
            url = make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
            url = url.render_as_string(hide_password=False)
            try:
                out, bad = run(
                    "PostgreSQL",
                    {**base, "DATABASE_URL": url, "TRACKER_INSTANCE_PATH": str(tmp / "pg")},
                    url,
                    args.seconds,
                    args.users,
                    tmp,
                )
                lines += out
                problems += bad
            finally:
                with admin.begin() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print("\n".join(lines))
    if problems:
        raise SystemExit(f"\n{problems} problem(s): failed requests, lost writes or locks.")
    print("\nEvery acknowledged write is in the database; no request failed.")


if __name__ == "__main__":
    main()
