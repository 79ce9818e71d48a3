"""Accounts: login, logout, passwords, invitation and reset links, admin user management, roles."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the account commands."""
    from tracker.auth import cli
    from tracker.auth.views import bp
    from tracker.cli import tracker_cli

    app.register_blueprint(bp)
    cli.register(tracker_cli)
