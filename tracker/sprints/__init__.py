"""Projects, sprints and milestones planned against them: the board and sprint closing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the status-label and counted-noun filters."""
    from tracker.sprints.labels import count_of, status_label
    from tracker.sprints.views import bp

    app.register_blueprint(bp)
    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["count_of"] = count_of
