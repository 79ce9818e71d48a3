"""The form round trip every create and edit view shares: validate, act, commit once, redirect.

A view loads the object it acts on (its feature's loader checks the permission), builds the
form, and hands both to `save` with the service call as `action`. The request owns the one
transaction: `done` is where a view's writes are committed, and `refused` is where a broken
rule (a RuleError) rolls them all back, so nothing is ever half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from tracker.db import get_db
from tracker.errors import RuleError

T = TypeVar("T")
Said = str | Callable[[Any], str]  # a text, or one made from what the action returned


def done(message: str, to: str) -> ResponseReturnValue:
    """Commit the request's one transaction, flash `message` and redirect to `to`."""
    get_db().commit()
    flash(message, "success")
    return redirect(to)


def refused(exc: RuleError, form: FlaskForm | None = None, field: str | None = None) -> None:
    """Roll back, then put the message beside its field (`exc.field`, else `field`) so the
    user's typing stays on the page; flashed when the form has neither field."""
    get_db().rollback()
    names = [name for name in (exc.field, field) if name and form is not None and name in form]
    if form is None or not names:
        flash(str(exc), "error")
        return
    target = form[names[0]]
    target.errors = [*target.errors, str(exc)]


def save(
    form: FlaskForm,
    action: Callable[[], T],
    *,
    flash_ok: Said,
    to: Said,
    template: str,
    field: str | None = None,
    invalid: int = 400,
    **context: Any,
) -> ResponseReturnValue:
    """On a valid POST run `action()`, then `done`; on a RuleError `refused`; otherwise (a GET,
    or the form or a rule refused) the form's page again, `invalid` its status with errors."""
    if form.validate_on_submit():
        try:
            result = action()
        except RuleError as exc:
            refused(exc, form, field)
        else:
            return done(_say(flash_ok, result), _say(to, result))
    status = invalid if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _say(said: Said, result: object) -> str:
    return said if isinstance(said, str) else said(result)
