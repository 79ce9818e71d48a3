"""Error pages in the app's style; the session is rolled back before any of them renders."""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account is not allowed to do this."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "That upload is larger than this server accepts."),
    500: ("Something went wrong", "The error has been logged. Nothing you sent was half-saved."),
}


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def render_error(code: int, detail: str | None = None):
    """Render the error page for `code`."""
    _rollback()
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for code in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(
            400,
            "The form had expired or was not sent from this site. Reload the page and try again.",
        )
