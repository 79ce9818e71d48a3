"""Browser fixtures: the real app served by werkzeug in a thread, on a copy of a migrated
SQLite database seeded once by `tracker seed-demo`, driven by Debian's Chromium.

Every test gets its own copy of the seeded database and its own server, so journeys that
change data (closing a sprint, adding a member) never see each other's changes. The tests
skip themselves when Chromium is missing and on the PostgreSQL run (TEST_DATABASE_URL): they
exercise the pages, not the engine, and the SQLite run covers them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic import command
from werkzeug.serving import make_server

from tracker import ROOT, create_app
from tracker.cli import alembic_config
from tracker.db import get_engine

from .support import DEMO_PASSWORD

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _skip_reason() -> str | None:
    if _chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    if os.environ.get("TEST_DATABASE_URL"):
        return "browser tests run on the SQLite run only (TEST_DATABASE_URL is set)"
    for module in ("playwright", "axe_playwright_python"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = _skip_reason()
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        if item.get_closest_marker("browser") is None:
            raise pytest.UsageError(f"{item.nodeid}: browser tests must be marked browser")
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def _app(url: str, instance: Path):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
    app.instance_path = str(instance)
    return app


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory) -> Path:
    """A migrated SQLite file with the demo organisation, made once per test run."""
    folder = tmp_path_factory.mktemp("browser-db")
    path = folder / "seeded.db"
    app = _app("sqlite:///" + str(path), folder)
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
        get_engine().dispose()
    result = app.test_cli_runner().invoke(
        args=["tracker", "seed-demo", "--password", DEMO_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        get_engine().dispose()  # checkpoints the WAL into the file
    return path


class LiveServer:
    """The app served on 127.0.0.1:<free port> in a background thread."""

    def __init__(self, app, database: Path):
        self.app = app
        self.database = database
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        with self.app.app_context():
            get_engine().dispose()

    def query(self, sql: str, *params):
        """Read the database directly (read-only), e.g. to find another member's session id."""
        conn = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


@pytest.fixture
def live_server(seeded_database, tmp_path):
    """The real app on its own copy of the seeded database."""
    path = tmp_path / "tracker.db"
    src = sqlite3.connect(seeded_database)
    dst = sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    server = LiveServer(_app("sqlite:///" + str(path), tmp_path), path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page per test, pointed at the live server.

    Any request that leaves 127.0.0.1 is aborted and fails the test: the app (and axe)
    must work offline.
    """
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="en-US")
    context.set_default_timeout(15_000)
    outside: list[str] = []

    def _guard(route):
        url = route.request.url
        if url.startswith(live_server.url) or not url.startswith(("http:", "https:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", _guard)
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"requests left the machine: {outside}"


@pytest.fixture
def shot(request, page):
    """shot("step"): a full-page screenshot in test-artifacts/browser/<test>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for old in ARTIFACTS.glob(f"{name}-*.png"):  # no stale step from an earlier run
        old.unlink()

    def take(step: str) -> Path:
        path = ARTIFACTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
