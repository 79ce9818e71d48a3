"""Projects, sprints and milestones planned against them: the board and sprint closing."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the member page's milestones panel."""
    from tracker.sprints.glance import GLANCE
    from tracker.sprints.views import bp
    from tracker.team.hooks import provide_glance

    app.register_blueprint(bp)
    provide_glance(GLANCE)
