"""Files the app creates are its owner's alone, whatever the umask lets through: the instance
folder 0700; the SQLite database, its -wal and -shm, the development secret key, backups and
every CLI export 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker import create_app
from tracker.db import get_engine

ROOT = Path(__file__).resolve().parent.parent
on_postgres = bool(os.environ.get("TEST_DATABASE_URL"))
sqlite_only = pytest.mark.skipif(on_postgres, reason="SQLite files")


@pytest.fixture(params=[0o022, 0o002, 0o000], ids=["umask022", "umask002", "umask000"])
def permissive_umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _migrate(app) -> None:
    from alembic import command

    from tracker.cli import alembic_config

    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")


@sqlite_only
def test_a_new_instance_folder_database_wal_and_key_are_owner_only(
    permissive_umask, tmp_path, monkeypatch
):
    instance = tmp_path / "deep" / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
    app = create_app({"ENV_NAME": "development"})  # the default database, in the folder
    _migrate(app)
    with app.app_context():
        engine = get_engine()
        with engine.begin() as conn:  # an open connection keeps the -wal and -shm in place
            conn.execute(text("UPDATE data_version SET token = 'x'"))
            files = sorted(instance.iterdir())
            names = {f.name for f in files}
            assert {"tracker.db", "tracker.db-wal", "tracker.db-shm", "secret_key"} <= names
            assert mode(instance) == 0o700
            assert {f.name: oct(mode(f)) for f in files} == dict.fromkeys(names, "0o600")
        engine.dispose()


@sqlite_only
def test_a_database_named_by_url_outside_the_instance_is_owner_only(
    permissive_umask, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    db_file = tmp_path / "elsewhere" / "live.db"
    db_file.parent.mkdir()
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": f"sqlite:///{db_file}"})
    _migrate(app)
    with app.app_context():
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            for f in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")):
                assert mode(f) == 0o600, f
        get_engine().dispose()


@sqlite_only
def test_the_command_line_creates_a_private_instance(tmp_path):
    """`make migrate` as a user runs it: a fresh process under umask 022."""
    instance = tmp_path / "instance"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_ENV": "development",
    }
    run = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert run.returncode == 0, run.stderr
    assert mode(instance) == 0o700
    assert {f.name: mode(f) for f in instance.iterdir()} == {
        "tracker.db": 0o600,
        "secret_key": 0o600,
    }


@sqlite_only
def test_a_backup_is_owner_only_and_restore_keeps_the_database_so(
    permissive_umask, runner, app, tmp_path
):
    out = tmp_path / "backup.db"
    r = runner.invoke(args=["tracker", "backup", str(out)])
    assert r.exit_code == 0, r.output
    assert mode(out) == 0o600
    assert not list(tmp_path.glob("backup.db-*"))  # no journal left beside it
    live = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    assert runner.invoke(args=["tracker", "restore", str(out), "--yes"]).exit_code == 0
    assert mode(live) == 0o600


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_matrix_exports_are_owner_only_new_or_replaced(
    permissive_umask, runner, org, framework, tmp_path, fmt
):
    out = tmp_path / f"matrix.{fmt}"
    r = runner.invoke(args=["tracker", "export-matrix", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert mode(out) == 0o600 and out.stat().st_size > 0
    # An export written over an older, readable file leaves an owner-only one.
    out.chmod(0o644)
    first = out.read_bytes()
    r = runner.invoke(args=["tracker", "export-matrix", "--team", "ML Platform", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert mode(out) == 0o600 and out.read_bytes() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"matrix.{fmt}"]  # no temp file left


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_framework_exports_are_owner_only(permissive_umask, runner, framework, tmp_path, suffix):
    out = tmp_path / f"framework.{suffix}"
    r = runner.invoke(args=["tracker", "export-framework", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert mode(out) == 0o600
    out.chmod(0o664)
    assert runner.invoke(args=["tracker", "export-framework", "-o", str(out)]).exit_code == 0
    assert mode(out) == 0o600


def test_an_export_into_a_missing_folder_says_so(runner, org, framework, tmp_path):
    out = tmp_path / "no-such-folder" / "matrix.csv"
    r = runner.invoke(args=["tracker", "export-matrix", "-o", str(out)])
    assert r.exit_code == 1 and "Could not write" in r.output and "Traceback" not in r.output
