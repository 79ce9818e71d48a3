"""Competency frameworks as documents: browse, compare, import and export their versions."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the framework commands."""
    from tracker.cli import tracker_cli
    from tracker.frameworks import cli
    from tracker.frameworks.views import bp

    app.register_blueprint(bp)
    cli.register(tracker_cli)
