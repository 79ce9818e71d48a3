"""Growth plans: a member's target level, goals, comments, progress and history."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.plans.views import bp

    app.register_blueprint(bp)
