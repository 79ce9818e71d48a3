"""Route access rules: every view declares one, and one request hook enforces it.

The decorators only record the rule on the view function (no wrapper), so they work above or
below `@bp.route`: Flask's `route` registers and returns the very function they mark.
`enforce_access` reads the rule of the view a request was routed to (its place among the
request hooks: tracker/requests.py), and `check_declared` refuses to build an app holding a
view without a rule, so a forgotten or hidden one fails at start-up, not in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

F = TypeVar("F", bound=Callable)

PUBLIC = ("public",)
ANY_ROLE = ("admin", "lead", "engineer")


def _declare(view: F, allowed: tuple[str, ...]) -> F:
    view.access = allowed  # type: ignore[attr-defined]
    return view


def public(view: F) -> F:
    """Anyone may reach this view, logged in or not."""
    return _declare(view, PUBLIC)


def logged_in(view: F) -> F:
    """Any active, logged-in user may reach this view (objects are checked by loaders)."""
    return _declare(view, ANY_ROLE)


def roles(*allowed: str) -> Callable[[F], F]:
    """Only logged-in users with one of `allowed` roles may reach this view; others get 403."""

    def decorator(view: F) -> F:
        return _declare(view, allowed)

    return decorator


def enforce_access() -> ResponseReturnValue | None:
    """Before the view runs: the anonymous go to the login page, other roles get a 403."""
    if request.url_rule is None or request.endpoint == "static" or request.method == "OPTIONS":
        return None  # a 404 or 405 to come, a file, or Flask's own answer to OPTIONS
    allowed = getattr(current_app.view_functions.get(request.endpoint or ""), "access", None)
    if allowed == PUBLIC:
        return None
    if allowed is None:  # a view added after start-up without a rule: closed, not open
        g.refused_because = "the view declares no access rule"
        abort(403)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.role not in allowed:
        g.refused_because = f"role {current_user.role}, needs {' or '.join(allowed)}"
        abort(403)
    return None


def check_declared(app: Flask) -> None:
    """Refuse to build `app` while one of its views declares no access rule."""
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "access", None) is None
    )
    if missing:
        raise RuntimeError(
            f"No access rule on {', '.join(missing)}: mark each view with @public, @logged_in "
            "or @roles(...), and make sure no decorator between it and @bp.route hides the mark."
        )
