"""Project, sprint, milestone, sprint-closing and import forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from tracker.forms import DateInRange
from tracker.sprints.closing import Decision
from tracker.sprints.models import MILESTONE_STATUSES, PROJECT_STATUSES
from tracker.text import status_label


def _id_or_none(value):
    # Out-of-range ids become "none chosen"; the service then refuses what must be chosen.
    if value in (None, "", "0") or not str(value).isdigit() or int(value) >= 2**31:
        return None
    return int(value)


class _OwnerField(SelectField):
    """An optional member (or sprint) id; the service says why a foreign one is refused."""

    def __init__(self, label, **kwargs):
        super().__init__(label, coerce=_id_or_none, validate_choice=False, **kwargs)


class ProjectForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    status = SelectField("Status", choices=[(s, status_label(s)) for s in PROJECT_STATUSES])
    owner_id = _OwnerField("Owner", description="A member of the team.")
    start_date = DateField("Start date", validators=[Optional(), DateInRange()])
    target_date = DateField("Target date", validators=[Optional(), DateInRange()])


class SprintForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    start_date = DateField("Start date", validators=[InputRequired(), DateInRange()])
    end_date = DateField("End date", validators=[InputRequired(), DateInRange()])
    goal = TextAreaField("Sprint goal", validators=[Optional(), Length(max=2000)])


class MilestoneForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    owner_id = _OwnerField("Owner", description="A member of the team.")
    due_date = DateField("Due date", validators=[Optional(), DateInRange()])
    sprint_id = _OwnerField("Planned for sprint")
    status = SelectField("Status", choices=[(s, status_label(s)) for s in MILESTONE_STATUSES])
    done_date = DateField(
        "Done on", validators=[Optional(), DateInRange()], description="Blank when done: today."
    )
    drop_reason = StringField(
        "Why it is dropped", validators=[Optional(), Length(max=500)], description="If dropped."
    )
    move_reason = StringField(
        "Reason for moving it (optional)",
        validators=[Optional(), Length(max=500)],
        description="Kept in the milestone's history when the sprint changes.",
    )


class BoardMoveForm(FlaskForm):
    """A board card's one-step move: its status and its sprint (blank: unchanged); `board` and
    `owner` say which board, filtered how, to go back to."""

    status = SelectField(
        "Status", choices=[(s, status_label(s)) for s in MILESTONE_STATUSES], validate_choice=False
    )
    sprint_id = _OwnerField("Sprint")
    reason = StringField(
        "Reason", validators=[Optional(), Length(max=500)], description="Needed to drop it."
    )
    board = HiddenField(filters=[_id_or_none])
    owner = HiddenField(validators=[Optional(), Length(max=20)])


def close_form(milestones) -> FlaskForm:
    """Per unfinished milestone: carry it to the next sprint or drop it (with a reason)."""

    class CloseForm(FlaskForm):
        start_next = BooleanField("Start the next sprint now", default=True)
        carry_reason = StringField(
            "Reason recorded with each carry-over (optional)",
            validators=[Optional(), Length(max=500)],
        )

    for m in milestones:
        setattr(
            CloseForm,
            f"action_{m.id}",
            SelectField(
                m.title,
                choices=[("carry", "Carry to the next sprint"), ("drop", "Drop it")],
                default="carry",
            ),
        )
        setattr(
            CloseForm,
            f"reason_{m.id}",
            StringField("Reason for dropping", validators=[Optional(), Length(max=500)]),
        )
    return CloseForm()


def decisions(form, milestones) -> dict[int, Decision]:
    """What the closing form says about each unfinished milestone."""
    chosen = {}
    for m in milestones:
        action = form[f"action_{m.id}"].data
        reason = form[f"reason_{m.id}"].data if action == "drop" else form.carry_reason.data
        chosen[m.id] = Decision(action, reason or "")
    return chosen
