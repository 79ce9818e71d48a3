"""The admin's audit log page (the log itself is core: tracker/auditing.py)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the audit log page."""
    from tracker.audit.views import bp

    app.register_blueprint(bp)
