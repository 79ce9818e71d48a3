"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from tracker.auth.models import ROLE_LABELS
from tracker.localtime import is_zone, zone_message
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


def _zone_field(label: str, description: str, optional: bool) -> StringField:
    return StringField(
        label,
        filters=[lambda v: v.strip() if v else v],
        validators=[Length(max=64)] if optional else [InputRequired(), Length(max=64)],
        description=description,
        render_kw={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"},
    )


class TimeZoneForm(FlaskForm):
    """The user's own time zone; empty: the organisation's."""

    time_zone = _zone_field(
        "Your time zone",
        "A place name such as Europe/Berlin; leave it empty to use the organisation's.",
        optional=True,
    )

    def validate_time_zone(self, field) -> None:
        if field.data and not is_zone(field.data):
            raise ValidationError(zone_message("Your time zone", field.data))


class OrganisationForm(FlaskForm):
    """The organisation's time zone: everyone's who has not chosen their own."""

    time_zone = _zone_field(
        "Organisation's time zone",
        "A place name such as Europe/London: the zone of everyone who has not chosen one.",
        optional=False,
    )

    def validate_time_zone(self, field) -> None:
        if field.data and not is_zone(field.data):
            raise ValidationError(zone_message("Organisation's time zone", field.data))
