"""Growth-plan forms: choices come from the member's framework, rules live in the service."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker import localtime
from tracker.competencies.services import FrameworkView
from tracker.forms import DateInRange, MultiCheckboxField
from tracker.plans.models import GOAL_STATUSES
from tracker.plans.services import MAX_COMMENT, MAX_TEXT, MAX_TITLE, too_long

if TYPE_CHECKING:
    from tracker.mentoring.models import Meeting


class NamedDateField(DateField):
    """A date field whose error names the field (and keeps what was typed, as DateField does)."""

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            self.data = datetime.date.fromisoformat(" ".join(valuelist).strip())
        except ValueError:
            self.data = None
            raise ValueError(
                f"{self.label.text}: {' '.join(valuelist)!r} is not a date; use YYYY-MM-DD."
            ) from None


class PlanForm(FlaskForm):
    # validate_choice=False: the service checks the level and names the allowed ones.
    target_level = SelectField("Target level", validate_choice=False)
    target_date = NamedDateField("Target date", validators=[Optional(), DateInRange()])
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=MAX_TEXT)])


class GoalForm(FlaskForm):
    title = StringField(
        "Title", validators=[InputRequired("Title is required."), Length(max=MAX_TITLE)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=MAX_TEXT)])
    competency_key = SelectField("Competency", validate_choice=False)
    target_proficiency = SelectField(
        "Target proficiency",
        validate_choice=False,
        description="Progress is the way from the lead rating the goal started at to this; "
        "blank: what the plan's target level expects.",
    )
    due_date = NamedDateField("Due date", validators=[Optional(), DateInRange()])


class EditGoalForm(GoalForm):
    status = SelectField("Status", choices=list(GOAL_STATUSES.items()), validate_choice=False)
    sessions = MultiCheckboxField(
        "Sessions where it was discussed", coerce=int, validate_choice=False
    )
    milestones = MultiCheckboxField("Milestones that prove it", coerce=int, validate_choice=False)


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Comment",
        validators=[
            InputRequired("Comment is empty: write something first."),
            Length(max=MAX_COMMENT, message=too_long("Comment", MAX_COMMENT)),
        ],
    )


def plan_form(view: FrameworkView | None, formdata=None, **values) -> PlanForm:
    """The plan form with the framework's levels as choices."""
    form = PlanForm(formdata=formdata, **values)
    form.target_level.choices = [(lvl.name, lvl.name) for lvl in view.levels] if view else []
    return form


def goal_form(
    view: FrameworkView | None,
    formdata=None,
    *,
    edit: bool = False,
    sessions: list[Meeting] | None = None,
    milestones: list | None = None,
    **values,
) -> GoalForm:
    """A goal form (the edit form adds status and sessions) with the framework's choices."""
    form = (EditGoalForm if edit else GoalForm)(formdata=formdata, **values)
    comps = view.competencies if view else []
    form.competency_key.choices = [("", "None (progress follows the status)")] + [
        (c.key, c.name) for c in comps
    ]
    form.target_proficiency.choices = [("", "—")] + [
        (str(p.value), f"{p.value} · {p.label}") for p in (view.scale if view else [])
    ]
    if edit:
        form.sessions.choices = [
            (s.id, f"{localtime.format_local_date(s.held_at)} · {s.kind_label}")
            for s in sessions or []
        ]
        form.milestones.choices = [
            (
                m.id,
                f"{m.title} ({m.status}, due {m.due_date:%Y-%m-%d})"
                if m.due_date
                else f"{m.title} ({m.status})",
            )
            for m in milestones or []
        ]
    return form
