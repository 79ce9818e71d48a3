"""Search: one box on every page finds members, 1:1 sessions, action items, goals, milestones
and projects, each only where the person searching may open it (private notes: their author
alone). It reads every feature and nothing imports it, so it comes last in the layers."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the search page."""
    from tracker.search.views import bp

    app.register_blueprint(bp)
