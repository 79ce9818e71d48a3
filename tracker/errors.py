"""Error pages in the app's style (the session is rolled back before any renders) and RuleError."""

from __future__ import annotations

import re

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

ARG = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account is not allowed to do this."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "That upload is larger than this server accepts."),
    500: ("Something went wrong", "The error has been logged. Nothing you sent was half-saved."),
}


class RuleError(ValueError):
    """A rule the user broke: `str(exc)` says what, `field` names the form field it concerns.

    Each feature's own error (AccountError, TeamError, ...) is one of these, so the form round
    trip (tracker/views.py) handles them all alike."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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


def _where() -> str:
    # The route with its numeric IDs; text arguments (a token in a link) stay placeholders.
    rule = request.url_rule
    if rule is None:
        return "(no route)"
    args = {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int)}
    return ARG.sub(lambda m: str(args.get(m.group(1), f"<{m.group(1)}>")), rule.rule)


def _refused(what: str) -> None:
    """One audit row per refusal: who, which route; never the query string, the form or a text
    argument of the path (they may hold search terms, note text or a token)."""
    from tracker.auditing import record_apart

    summary = f"{what}: {request.method} {_where()[:300]} ({request.endpoint})"
    reason = g.pop("refused_because", None)
    record_apart("refused", "request", None, f"{summary}: {reason}" if reason else summary)


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for code in (400, 404, 405, 413, 500):
        app.register_error_handler(code, lambda exc, code=code: render_error(code))

    @app.errorhandler(403)
    def _forbidden(exc):
        _refused("403")
        return render_error(403)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        _refused("CSRF token missing or invalid")
        return render_error(
            400,
            "The form had expired or was not sent from this site. Reload the page and try again.",
        )
