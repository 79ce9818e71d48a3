"""Rating forms: one quick-rating form per category, built from the framework's scale."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, URLField
from wtforms.validators import Length, Optional, ValidationError

from tracker.competencies.assessment import CategoryBlock
from tracker.competencies.services import MAX_NOTE, FrameworkView

FIELD = re.compile(r"^c([0-9]{1,9})$")  # ASCII digits, within the id column


def _http_url(_form, field):
    if field.data and not re.match(r"^https?://[^\s/]+", field.data):
        raise ValidationError("Evidence link must start with http:// or https://.")


def category_form(
    block: CategoryBlock, view: FrameworkView, formdata=None, evidence: Evidence | None = None
) -> FlaskForm:
    """A form with, per competency of the category: a rating select, a note and a link; and
    for the whole submit, a session or a milestone of the member as evidence."""
    shown = evidence or Evidence([], [])

    class CategoryRatingForm(FlaskForm):
        category_id = HiddenField()
        session_id = SelectField(
            "Shown in session",
            coerce=_optional_int,
            validators=[Optional()],
            choices=[("", "none")]
            + [(s.id, f"{s.held_at:%Y-%m-%d} · {s.kind_label}") for s in shown.sessions],
        )
        milestone_id = SelectField(
            "Shown by milestone",
            coerce=_optional_int,
            validators=[Optional()],
            choices=[("", "none")] + [(m.id, m.title) for m in shown.milestones],
        )

    choices = [("", "no change")] + [(str(p.value), f"{p.value} · {p.label}") for p in view.scale]
    for row in block.rows:
        cid = row.competency.id
        setattr(
            CategoryRatingForm,
            f"c{cid}",
            # No Optional(): it would let "  " through as blank; "" is the "no change" choice.
            SelectField(row.competency.name, choices=choices, default=""),
        )
        setattr(
            CategoryRatingForm,
            f"n{cid}",
            StringField(
                "Evidence",
                validators=[
                    Optional(),
                    Length(
                        max=MAX_NOTE,
                        message=f"Evidence for {row.competency.name}: at most {MAX_NOTE} "
                        "characters.",
                    ),
                ],
            ),
        )
        setattr(
            CategoryRatingForm,
            f"u{cid}",
            URLField("Link", validators=[Optional(), Length(max=500), _http_url]),
        )
    form = CategoryRatingForm(formdata=formdata, category_id=str(block.category.id))
    form.rows = block.rows
    return form


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


@dataclass
class Evidence:
    """What a member's ratings can point to: their sessions and the milestones they delivered."""

    sessions: list
    milestones: list


def posted_competency_ids(formdata) -> set[int]:
    """Competency ids named by the posted rating fields (c<id>)."""
    return {int(m.group(1)) for key in formdata if (m := FIELD.match(key))}
