"""Delivery: the sprint report and trend, the delivery dashboard, Jira and GitHub imports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the import command."""
    from tracker.cli import tracker_cli
    from tracker.delivery import cli
    from tracker.delivery.views import bp

    app.register_blueprint(bp)
    cli.register(tracker_cli)
