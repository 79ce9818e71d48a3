"""The rating form: one for the whole competency page, built from the framework's scale."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, URLField
from wtforms.validators import Length, Optional, ValidationError

from tracker import localtime
from tracker.competencies.assessment import CompetencyRow, MemberAssessment
from tracker.competencies.models import Rating
from tracker.competencies.ratings import NEEDS_VALUE, RowInput, changes, row_field
from tracker.competencies.services import MAX_NOTE

FIELD = re.compile(r"^[cnua]([0-9]{1,9})$")  # ASCII digits, within the id column


def _http_url(_form, field):
    if field.data and not re.match(r"^https?://[^\s/]+", field.data):
        raise ValidationError("Evidence link must start with http:// or https://.")


class RatingsForm(FlaskForm):
    """The whole page's ratings: c<id>, n<id>, u<id> per competency (added by `ratings_form`),
    and the session or milestone every rating saved by this submit cites."""

    rows: list[tuple[CompetencyRow, Rating | None]]
    member_name: str

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then: evidence comes with a rating, and the post names only
        this page's competencies."""
        ok = super().validate(extra_validators)
        for row, now in self.rows:
            value = self[row_field("value", row.competency.id)]
            if value.data in (None, "") and changes(self._row(row, None), now):
                value.errors = [*value.errors, NEEDS_VALUE.format(row.competency.name)]
                ok = False
        posted = posted_competency_ids(request.form)
        foreign = posted - {row.competency.id for row, _now in self.rows}
        if foreign:
            self.form_errors.append(
                f"Competency {', '.join(map(str, sorted(foreign)[:5]))} is not in "
                f"{self.member_name}'s framework: reload the page and rate again."
            )
        elif not posted:
            self.form_errors.append("The form sent no ratings: reload the page and try again.")
        return ok and not self.form_errors

    def posted_rows(self) -> list[RowInput]:
        """Every row as posted, once valid (the service keeps those that change a rating)."""
        return [
            self._row(row, _optional_int(self[row_field("value", row.competency.id)].data))
            for row, _now in self.rows
        ]

    def _row(self, row: CompetencyRow, value: int | None) -> RowInput:
        cid = row.competency.id
        note, url = self[row_field("note", cid)].data, self[row_field("evidence_url", cid)].data
        return RowInput(cid, value, note or "", url or "")


def ratings_form(
    assessment: MemberAssessment, kind: str, evidence: Evidence | None = None, formdata=None
) -> RatingsForm:
    """The page's one form, each row showing the current rating of `kind` ('lead' or 'self'):
    its value, note and link, so that only what the user changes is saved, and the id of that
    rating (as of), so that a save can tell a rating recorded since. `formdata`: the post as
    read (default: the request's)."""
    shown = evidence or Evidence([], [])

    class PageRatingsForm(RatingsForm):
        session_id = SelectField(
            "Shown in session",
            coerce=_optional_int,
            validators=[Optional()],
            choices=[("", "none")] + [(s.id, _held_label(s)) for s in shown.sessions],
        )
        milestone_id = SelectField(
            "Shown by milestone",
            coerce=_optional_int,
            validators=[Optional()],
            choices=[("", "none")] + [(m.id, m.title) for m in shown.milestones],
        )

    view = assessment.view
    scale = [(str(p.value), f"{p.value} · {p.label}") for p in view.scale]
    rows, data = [], {}
    for row in assessment.rows:
        cid, name = row.competency.id, row.competency.name
        now = row.lead if kind == "lead" else row.self_
        rated = now is not None and now.value in view.scale_values
        # No blank choice once rated: a rating cannot be taken back, only followed by another.
        # No Optional() on the select: it would let "  " through as blank.
        choices = scale if rated else [("", "not rated"), *scale]
        setattr(PageRatingsForm, row_field("value", cid), SelectField(name, choices=choices))
        note = Length(max=MAX_NOTE, message=f"Evidence for {name}: at most {MAX_NOTE} characters.")
        setattr(
            PageRatingsForm,
            row_field("note", cid),
            StringField("Evidence", validators=[Optional(), note]),
        )
        setattr(
            PageRatingsForm,
            row_field("evidence_url", cid),
            URLField("Link", validators=[Optional(), Length(max=500), _http_url]),
        )
        setattr(PageRatingsForm, row_field("as_of", cid), HiddenField())
        data[row_field("as_of", cid)] = str(now.id) if now else ""
        data[row_field("value", cid)] = str(now.value) if now and rated else ""
        data[row_field("note", cid)] = now.note if now else ""
        data[row_field("evidence_url", cid)] = now.evidence_url if now else ""
        rows.append((row, now))
    form = PageRatingsForm(data=data) if formdata is None else PageRatingsForm(formdata, data=data)
    form.rows, form.member_name = rows, assessment.member.name
    return form


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


@dataclass
class Evidence:
    """What a member's ratings can point to: their sessions and the milestones they delivered."""

    sessions: list
    milestones: list


def posted_competency_ids(formdata) -> set[int]:
    """Competency ids named by the posted rating fields (c<id>, n<id>, u<id>)."""
    return {int(m.group(1)) for key in formdata if (m := FIELD.match(key))}


def _held_label(s) -> str:
    return f"{localtime.format_local_date(s.held_at)} · {s.kind_label}"
