"""Projects, sprints and milestones planned against them: the board and sprint closing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.sprints.views import bp

    app.register_blueprint(bp)
