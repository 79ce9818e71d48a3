"""Rating forms: one quick-rating form per category, built from the framework's scale."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, URLField
from wtforms.validators import Length, Optional, ValidationError

from tracker.competencies.assessment import CategoryBlock
from tracker.competencies.services import MAX_NOTE, FrameworkView

FIELD = re.compile(r"^c(\d+)$")


def _http_url(_form, field):
    if field.data and not re.match(r"^https?://[^\s/]+", field.data):
        raise ValidationError("Evidence link must start with http:// or https://.")


def category_form(block: CategoryBlock, view: FrameworkView, formdata=None) -> FlaskForm:
    """A form with, per competency of the category: a rating select, a note and a link."""

    class CategoryRatingForm(FlaskForm):
        category_id = HiddenField()

    choices = [("", "no change")] + [(str(p.value), f"{p.value} · {p.label}") for p in view.scale]
    for row in block.rows:
        cid = row.competency.id
        setattr(
            CategoryRatingForm,
            f"c{cid}",
            SelectField(row.competency.name, choices=choices, validators=[Optional()]),
        )
        setattr(
            CategoryRatingForm,
            f"n{cid}",
            StringField("Evidence", validators=[Optional(), Length(max=MAX_NOTE)]),
        )
        setattr(
            CategoryRatingForm,
            f"u{cid}",
            URLField("Link", validators=[Optional(), Length(max=500), _http_url]),
        )
    form = CategoryRatingForm(formdata=formdata, category_id=str(block.category.id))
    form.rows = block.rows
    return form


def posted_competency_ids(formdata) -> set[int]:
    """Competency ids named by the posted rating fields (c<id>)."""
    return {int(m.group(1)) for key in formdata if (m := FIELD.match(key))}
