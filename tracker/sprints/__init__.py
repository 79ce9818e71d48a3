"""Projects, sprints and milestones planned against them: the board and sprint closing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the status-label and counted-noun filters and the member
    page's milestones panel."""
    from tracker.sprints.glance import GLANCE
    from tracker.sprints.labels import count_of, status_label
    from tracker.sprints.views import bp
    from tracker.team.hooks import provide_glance

    app.register_blueprint(bp)
    app.jinja_env.filters["status_label"] = status_label
    app.jinja_env.filters["count_of"] = count_of
    provide_glance(GLANCE)
