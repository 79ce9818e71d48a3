"""A writer killed with SIGKILL in the middle of an import leaves an intact database with
nothing half-imported (SQLite: the transaction and WAL guarantee it; this proves we use them)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import yaml

from tracker import ROOT

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite file-level crash test"
)


def _big_framework(path, competencies=480):
    levels = ["Entry", "Mid", "Senior", "Lead"]
    doc = {
        "format": "team-tracker/framework@1",
        "name": "Crash Test Framework",
        "scale": [{"value": v, "label": f"L{v}"} for v in range(6)],
        "levels": [{"name": n} for n in levels],
        "categories": [
            {
                "key": f"cat-{c}",
                "name": f"Category {c}",
                "competencies": [
                    {
                        "key": f"comp-{c}-{i}",
                        "name": f"Competency {c}.{i}",
                        "description": "x" * 200,
                        "levels": {
                            n: {"expected": k + 1, "descriptor": f"{n} " + "y" * 300}
                            for k, n in enumerate(levels)
                        },
                    }
                    for i in range(competencies // 8)
                ],
            }
            for c in range(8)
        ],
    }
    path.write_text(yaml.safe_dump(doc))


def _env(instance):
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_ENV": "development",
    }


def test_killed_import_leaves_nothing_half_written(tmp_path):
    instance = tmp_path / "instance"
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    run = subprocess.run(
        flask + ["db", "upgrade"],
        cwd=ROOT,
        env=_env(instance),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    big = tmp_path / "big.yaml"
    _big_framework(big)
    db_file = instance / "tracker.db"
    killed = 0
    # The import takes ~4 s here: kills land in start-up, parsing and the writing itself.
    for delay in (1.0, 2.0, 2.8, 3.4, 3.9):
        proc = subprocess.Popen(
            flask + ["tracker", "import-framework", str(big)],
            cwd=ROOT,
            env=_env(instance),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        conn = sqlite3.connect(db_file)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            versions = conn.execute("SELECT count(*) FROM framework_version").fetchone()[0]
            comps = conn.execute("SELECT count(*) FROM competency").fetchone()[0]
            expectations = conn.execute("SELECT count(*) FROM expectation").fetchone()[0]
        finally:
            conn.close()
        # All or nothing: every imported version is complete, never a partial one.
        assert comps == versions * 480 and expectations == versions * 480 * 4
    assert killed >= 1, "no run was interrupted: the import finished before every kill"
    # The database still takes writes after the crashes.
    run = subprocess.run(
        flask + ["tracker", "seed-demo"],
        cwd=ROOT,
        env=_env(instance),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
