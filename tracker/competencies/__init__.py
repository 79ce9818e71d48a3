"""Competency frameworks (levels, scale, categories, competencies), ratings and the skill matrix."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the export command; give team its frameworks and levels,
    and the member page its rating-disconnects panel."""
    from tracker.cli import tracker_cli
    from tracker.competencies import cli, services
    from tracker.competencies.glance import GLANCE
    from tracker.competencies.views import bp
    from tracker.team.hooks import provide_frameworks, provide_glance

    app.register_blueprint(bp)
    cli.register(tracker_cli)
    provide_frameworks(services.TEAM_FRAMEWORKS)
    provide_glance(GLANCE)
