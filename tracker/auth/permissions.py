"""Route access rules: every view carries one, and a test fails on any view without."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, g
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Anyone may reach this view, logged in or not."""
    view.access = ("public",)  # type: ignore[attr-defined]
    return view


def logged_in(view: F) -> F:
    """Any active, logged-in user may reach this view (objects are checked by loaders)."""
    wrapped = login_required(view)
    wrapped.access = ("admin", "lead", "engineer")
    return wrapped


def roles(*allowed: str) -> Callable[[F], F]:
    """Only logged-in users with one of `allowed` roles may reach this view; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in allowed:
                g.refused_because = f"role {current_user.role}, needs {' or '.join(allowed)}"
                abort(403)
            return view(*args, **kwargs)

        wrapped = login_required(wrapper)
        wrapped.access = allowed
        return wrapped

    return decorator
