"""Team Tracker: a self-hosted app for engineering leads to run their team's growth."""

from __future__ import annotations

import gc
import os
import secrets
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import Config, config_for, default_database_url, mail_problem, secret_key_problem
from tracker.files import PRIVATE_FOLDER, ROOT, tighten, write_new_private

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def tune_gc() -> None:
    """For a long-lived server process, once the app is built (wsgi.py calls it).

    Everything start-up allocated (modules, routes, templates) is moved out of the cycle
    collector's sight, and the youngest generation is collected every 50,000 allocations
    instead of 700: pages that build thousands of objects (the matrix, the sprint report) no
    longer pay for collections of the whole heap in their slowest requests (measured in
    `make bench`: p95 of the matrix page 157 -> 105 ms, sprint report 89 -> 47 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the app: `config` is a config class or a dict of overrides (tests)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH", str(ROOT / "instance")),
    )
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(config_for(None if not config else config.get("ENV_NAME")))
        app.config.update(config or {})
    # Owner-only: it holds the SQLite database, its WAL and the development secret key (one
    # an older version made readable by others is tightened: tracker/files.py).
    Path(app.instance_path).mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    tighten(app.instance_path, folder=True)
    app.config["DATABASE_URL"] = app.config.get("DATABASE_URL") or default_database_url(
        app.instance_path
    )
    _secret_key(app)
    problem = mail_problem(app.config)
    if problem:
        raise RuntimeError(problem)
    # IDs in URLs fit the database's integer columns (PostgreSQL: 32 bits); anything larger
    # is a 404 from the router, never an overflow in the database.
    app.url_map.converters["int"] = BoundedInt
    proxies = int(os.environ.get("TRACKER_TRUSTED_PROXIES", "0") or 0)
    if proxies:
        # Flask's documented way to add WSGI middleware (mypy sees a method being replaced).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    import tracker.models  # noqa: F401  (every feature's mappers, before the first query)
    import tracker.seed.cli
    from tracker import auditing, cache, cli, db, errors, localtime, logs, requests, text
    from tracker.auth.permissions import check_declared, enforce_access
    from tracker.auth.sessions import end_expired_login
    from tracker.layers import FEATURES

    db.init_app(app)
    auditing.install()
    cache.init_app(app)
    text.init_app(app)  # the status_label and count_of filters, for every feature's pages
    localtime.init_app(app)  # the Jinja filters of dates and times in the viewer's zone
    # The hooks' one order, and why: tracker/requests.py.
    requests.install(
        app, csrf=csrf, login=login_manager, user_checks=[end_expired_login, enforce_access]
    )
    for name in FEATURES:  # in layer order: each plugs into the features before it
        import_module(f"tracker.{name}").init_app(app)
    tracker.seed.cli.register(cli.tracker_cli)
    errors.init_app(app)
    logs.init_app(app)  # no token or search term in any log line
    cli.init_app(app)
    check_declared(app)  # a view without an access rule stops the start, not a request
    from tracker.seed.guard import check_before_serving

    check_before_serving(app)  # production: no server while a published demo login works
    from tracker import mail

    mail.check_start(app)  # production without a mail server: says what that means
    return app


class BoundedInt(IntegerConverter):
    """`<int:...>` limited to 1 .. 2**31 - 1."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _secret_key(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production":
        problem = secret_key_problem(app.config.get("SECRET_KEY"))
        if problem:
            raise RuntimeError(problem)
        return
    if app.config.get("SECRET_KEY"):
        return
    # Development: generate once and keep it in the instance folder, so logins survive restarts.
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        write_new_private(key_file, secrets.token_hex(32).encode())  # 0600 from the start
    tighten(key_file)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


@login_manager.user_loader
def _load_user(cookie_id: str):
    from tracker.auth.sessions import load
    from tracker.db import get_db

    # The login's own row decides: revoked, expired, or another issue time is nobody.
    return load(get_db(), cookie_id)
