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

from tracker.forms import DateInRange, ExistsLocally, MultiSelectField
from tracker.mentoring.models import SESSION_KINDS
from tracker.mentoring.services import NOTE_FIELDS, too_long


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _one_newline(value: str | None) -> str | None:
    # Browsers send a typed line break as CRLF: counted once, as the page shows it.
    return value.replace("\r\n", "\n") if value else value


def _note_field(name: str, **kwargs) -> TextAreaField:
    label, limit = NOTE_FIELDS[name]
    message = too_long(label, limit, "%(length)d")  # WTForms fills in the length
    return TextAreaField(
        label,
        filters=[_one_newline],
        validators=[Optional(), Length(max=limit, message=message)],
        **kwargs,
    )


class SessionForm(FlaskForm):
    kind = SelectField("Kind", choices=list(SESSION_KINDS.items()))
    held_at = DateTimeLocalField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(), DateInRange(with_time=True), ExistsLocally()],
        description="A time in the future schedules the session rather than logging it.",
    )
    duration_minutes = IntegerField(
        "Duration (minutes)", default=30, validators=[InputRequired(), NumberRange(1, 600)]
    )
    agenda = _note_field("agenda")
    shared_notes = _note_field("shared_notes", description="Markdown.")
    private_notes = _note_field("private_notes", description="Markdown.")
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
    # The carried items ticked with the session: the service checks they are the member's.
    done = MultiSelectField("Done", coerce=int, validate_choice=False, validators=[Optional()])


class ItemForm(FlaskForm):
    text = StringField("Action item", validators=[InputRequired(), Length(max=500)])
    owner = SelectField("Owner", choices=[("mentee", "Mentee"), ("lead", "Lead")])
    due_date = DateField("Due", validators=[Optional(), DateInRange()])


class TemplateForm(FlaskForm):
    # The rules (a name, unique per owner, the lengths) are the service's: one message each.
    name = StringField("Name", filters=[lambda v: v.strip() if v else v])
    body = TextAreaField(
        "Talking points",
        filters=[_one_newline],
        description="Markdown: ## headings and - bullets. A heading named like a section of "
        "the prefilled agenda (Open action items, Growth goals due soonest, Ratings to talk "
        "about) takes that section's lines.",
    )
