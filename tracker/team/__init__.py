"""Teams, their leads and the member roster; a lead invites a member to an account."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from tracker.team.views import bp

    app.register_blueprint(bp)
