"""The admin's audit log page (the log itself is core: tracker/auditing.py) and the page of
background jobs (the queue is core: tracker/jobs.py)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the audit log page and the jobs page."""
    from tracker.audit import job_views  # noqa: F401  (its routes, on the same blueprint)
    from tracker.audit.views import bp

    app.register_blueprint(bp)
