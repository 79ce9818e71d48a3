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


# --- what an older version left readable is tightened on start -----------------------------


def _plant(instance: Path) -> dict[str, Path]:
    """An instance folder as an older version (or a umask of 000) left it: all readable."""
    instance.mkdir(parents=True)
    instance.chmod(0o777)
    paths = {name: instance / name for name in ("tracker.db", "tracker.db-wal", "tracker.db-shm")}
    for path in paths.values():
        path.touch()
        path.chmod(0o666)
    paths["secret_key"] = instance / "secret_key"
    paths["secret_key"].write_text("d" * 64)
    paths["secret_key"].chmod(0o644)
    return paths


@sqlite_only
@pytest.mark.parametrize(
    ("folder_mode", "file_mode"), [(0o777, 0o666), (0o755, 0o644), (0o750, 0o640)]
)
def test_an_existing_readable_instance_and_database_are_tightened_on_start(
    tmp_path, monkeypatch, folder_mode, file_mode
):
    old = os.umask(0o000)
    try:
        instance = tmp_path / "instance"
        paths = _plant(instance)
        instance.chmod(folder_mode)
        for path in paths.values():
            path.chmod(file_mode)
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
        app = create_app({"ENV_NAME": "development"})  # the default database, in the folder
        assert mode(instance) == 0o700
        assert {n: oct(mode(p)) for n, p in paths.items()} == dict.fromkeys(paths, "0o600")
        assert app.config["SECRET_KEY"] == "d" * 64  # kept, only its mode changed
        app.extensions["tracker.engine"].dispose()
    finally:
        os.umask(old)


@sqlite_only
def test_a_database_named_by_url_is_tightened_with_its_sidecars(tmp_path, monkeypatch):
    old = os.umask(0o000)
    try:
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
        folder = tmp_path / "shared"
        folder.mkdir(mode=0o777)
        db_file = folder / "live.db"
        files = [db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")]
        for path in files:
            path.touch(mode=0o666)
        app = create_app({"ENV_NAME": "testing", "DATABASE_URL": f"sqlite:///{db_file}"})
        assert [oct(mode(p)) for p in files] == ["0o600"] * 3
        assert mode(folder) == 0o777  # not ours to decide: only the instance folder is
        app.extensions["tracker.engine"].dispose()
    finally:
        os.umask(old)


@sqlite_only
@pytest.mark.parametrize("name", ["tracker.db", "tracker.db-wal", "tracker.db-shm", "secret_key"])
def test_links_are_not_followed_when_tightening(tmp_path, monkeypatch, name):
    """A link in the instance folder to a file elsewhere: neither is changed by the app."""
    old = os.umask(0o000)
    try:
        elsewhere = tmp_path / "elsewhere.txt"
        elsewhere.write_text("d" * 64)
        elsewhere.chmod(0o666)
        instance = tmp_path / "instance"
        instance.mkdir(mode=0o777)
        (instance / name).symlink_to(elsewhere)
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
        app = create_app({"ENV_NAME": "development"})
        app.extensions["tracker.engine"].dispose()
        assert mode(elsewhere) == 0o666
        assert (instance / name).is_symlink()
        assert mode(instance) == 0o700
    finally:
        os.umask(old)


@sqlite_only
def test_a_file_of_another_owner_is_left_alone(tmp_path, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    old = os.umask(0o000)
    try:
        instance = tmp_path / "instance"
        paths = _plant(instance)
        os.chown(paths["tracker.db-shm"], 65534, 65534)  # nobody's
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))
        app = create_app({"ENV_NAME": "development"})
        assert mode(paths["tracker.db-shm"]) == 0o666
        assert mode(paths["tracker.db"]) == 0o600
        app.extensions["tracker.engine"].dispose()
    finally:
        os.umask(old)


def test_the_development_key_is_created_owner_only_without_a_later_chmod(tmp_path, monkeypatch):
    """Created with its final mode, in one step: no moment when another user could open it,
    and no chmod needed (here chmod fails, as it would on a file system that refuses it)."""
    old = os.umask(0o000)
    instance = tmp_path / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(instance))

    def refuse(*_args, **_kwargs):
        raise PermissionError("chmod is not allowed here")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(Path, "chmod", refuse)
    try:
        app = create_app({"ENV_NAME": "development", "DATABASE_URL": "sqlite://"})
        key = instance / "secret_key"
        assert mode(key) == 0o600 and len(key.read_text()) == 64
        assert app.config["SECRET_KEY"] == key.read_text()
        assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]  # no temp file
        again = create_app({"ENV_NAME": "development", "DATABASE_URL": "sqlite://"})
        assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]  # created once
    finally:
        os.umask(old)


def test_of_writers_racing_to_create_a_private_file_exactly_one_wins(tmp_path):
    """Two processes starting at once must not end with two development keys."""
    import threading

    from tracker.files import write_new_private

    target = tmp_path / "secret_key"
    start, won = threading.Barrier(8), []

    def write(n: int) -> None:
        start.wait()
        if write_new_private(target, f"key-{n}".encode()):
            won.append(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and target.read_text() == f"key-{won[0]}"
    assert mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temp file left


@sqlite_only
def test_tightening_keeps_the_sqlite_locks_this_process_holds(tmp_path):
    """Closing any descriptor of a file drops every POSIX lock the process holds on it: the
    tightening must never open the database files, or a second engine (a second app in one
    process) would silently release a write transaction's lock."""
    from tracker.db import make_engine

    db_file = tmp_path / "live.db"
    url = f"sqlite:///{db_file}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with engine.begin() as conn:  # BEGIN IMMEDIATE: this process holds the write lock
        conn.execute(text("INSERT INTO t VALUES (1)"))
        sidecars = [db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")]
        for path in sidecars:
            path.chmod(0o666)
        make_engine(url).dispose()  # tightens all three, while the lock is held
        assert [mode(p) for p in sidecars] == [0o600] * 3
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, "
                "isolation_level=None); c.execute('BEGIN IMMEDIATE')",
                str(db_file),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode != 0 and "locked" in other.stderr, other.stderr
    engine.dispose()
