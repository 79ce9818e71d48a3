"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from tracker.auth.models import ROLE_LABELS
from tracker.security import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

ROLE_CHOICES = list(ROLE_LABELS.items())


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} "
                "characters long.",
            ),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; not a common password.",
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField("Keep me logged in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    password = _new_password()
    confirm = _confirm()


class SetPasswordForm(FlaskForm):
    password = _new_password("Password")
    confirm = _confirm()


class UserForm(FlaskForm):
    email = EmailField(
        "Email",
        validators=[InputRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])


class UserEditForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])
