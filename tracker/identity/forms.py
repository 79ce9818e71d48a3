"""Two-factor forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from tracker.security import MAX_PASSWORD_LENGTH


def _code(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[InputRequired(message=f"{label}: type the code."), Length(max=40)],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class CodeForm(FlaskForm):
    """A code at login: the authenticator app's, or a recovery code."""

    code = _code(
        "Code", "The 6 digits your authenticator app shows, or one of your recovery codes."
    )


class ConfirmForm(FlaskForm):
    """The first code, which turns the second factor on."""

    code = _code("Code from your app", "The 6 digits your authenticator app shows now.")


class TurnOffForm(FlaskForm):
    password = PasswordField(
        "Current password", validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    code = _code("Code", "The 6 digits your authenticator app shows, or a recovery code.")


class PolicyForm(FlaskForm):
    required = BooleanField("Require two-factor authentication of admins and leads")
