"""Mentoring: 1:1 meetings with notes, action items, the engineer's home and calendar feeds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, render-notes and the notes filter; give competencies and
    plans the meetings to cite as evidence, auth the meetings' authors to protect, and the
    member page its 1:1, mood and action-item panels."""
    from tracker.auth.protection import register_note_author
    from tracker.cli import tracker_cli
    from tracker.competencies.evidence import provide_meetings
    from tracker.mentoring import cli, glance, provides, template_views  # noqa: F401 - its routes
    from tracker.mentoring.markdown import stored
    from tracker.mentoring.views import bp
    from tracker.team.hooks import provide_glance

    app.register_blueprint(bp)
    app.jinja_env.filters["stored_html"] = stored  # notes are rendered when saved
    cli.register(tracker_cli)
    provide_meetings(provides.member_meetings)
    register_note_author(provides.wrote_meetings)
    for panel in glance.GLANCES:
        provide_glance(panel)
