"""Growth plans: a member's target level, goals, comments, progress and history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the member page's growth-plan panel."""
    from tracker.plans.glance import GLANCE
    from tracker.plans.views import bp
    from tracker.team.hooks import provide_glance

    app.register_blueprint(bp)
    provide_glance(GLANCE)
