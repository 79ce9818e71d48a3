"""Session and action-item forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.forms import DateInRange, MultiSelectField
from tracker.mentoring.models import SESSION_KINDS
from tracker.mentoring.services import MAX_AGENDA, MAX_NOTES


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class SessionForm(FlaskForm):
    kind = SelectField("Kind", choices=list(SESSION_KINDS.items()))
    held_at = DateTimeLocalField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(), DateInRange(with_time=True)],
        description="A time in the future schedules the session rather than logging it.",
    )
    duration_minutes = IntegerField(
        "Duration (minutes)", default=30, validators=[InputRequired(), NumberRange(1, 600)]
    )
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=MAX_AGENDA)])
    shared_notes = TextAreaField(
        "Shared notes", validators=[Optional(), Length(max=MAX_NOTES)], description="Markdown."
    )
    private_notes = TextAreaField(
        "Private notes", validators=[Optional(), Length(max=MAX_NOTES)], description="Markdown."
    )
    mood = SelectField(
        "Mood / engagement",
        coerce=_optional_int,
        validators=[Optional()],
        choices=[
            ("", "not recorded"),
            ("1", "1 · low"),
            ("2", "2"),
            ("3", "3 · steady"),
            ("4", "4"),
            ("5", "5 · energised"),
        ],
    )
    competency_ids = MultiSelectField("Competencies discussed", coerce=int, validators=[Optional()])


class ItemForm(FlaskForm):
    text = StringField("Action item", validators=[InputRequired(), Length(max=500)])
    owner = SelectField("Owner", choices=[("mentee", "Mentee"), ("lead", "Lead")])
    due_date = DateField("Due", validators=[Optional(), DateInRange()])
