"""What every form shares: the range of dates the app accepts, page numbers from a query and
the multi-select fields (de-duplicated and checked against their choices) and the empty form
of a POST button.

Dates are bounded to the years 1900-2999 everywhere a user can type or import one: anything
outside is a typing slip, and dates near 9999-12-31 would overflow the date arithmetic of
cadences, calendar feeds and sprint proposals.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import request
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker import localtime

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
MAX_PAGE = 100_000


def out_of_range(day: date | datetime | None) -> bool:
    """True for a date (or a datetime's date) outside EARLIEST..LATEST."""
    if day is None:
        return False
    if isinstance(day, datetime):
        day = day.date()
    return not EARLIEST <= day <= LATEST


def range_message(what: str, raw: object) -> str:
    return f"{what}: {raw} is outside the years {EARLIEST.year}-{LATEST.year}."


class DateInRange:
    """A WTForms validator for DateField and DateTimeLocalField; the browser gets min and max."""

    def __init__(self, with_time: bool = False) -> None:
        suffix = "T00:00" if with_time else ""
        self.field_flags = {
            "min": EARLIEST.isoformat() + suffix,
            "max": LATEST.isoformat() + ("T23:59" if with_time else ""),
        }

    def __call__(self, form, field) -> None:
        if out_of_range(field.data):
            raise ValidationError(range_message(field.label.text, field.data))


class ExistsLocally:
    """A DateTimeLocalField's time must exist in the user's time zone: the hour skipped when
    the clocks go forward is refused rather than silently moved."""

    def __call__(self, form, field) -> None:
        typed = field.data
        if typed is None or out_of_range(typed):
            return
        if localtime.to_local(localtime.to_utc(typed)) != typed:
            raise ValidationError(
                f"{field.label.text}: {typed:%Y-%m-%d %H:%M} does not exist in "
                f"{localtime.zone_name()} (the clocks go forward then); pick another time."
            )


def page_arg(name: str = "page") -> int:
    """A page number from the query string: 1 when missing or not a number, at most MAX_PAGE."""
    page = request.args.get(name, 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _not_a_choice(label: str, values: list[str]) -> str:
    shown = ", ".join(f"'{v}'" for v in values[:3]) + (", …" if len(values) > 3 else "")
    return f"{label}: {shown} is not a valid choice for this field."


class MultiSelectField(SelectMultipleField):
    """A multi-select whose values are de-duplicated (first wins, after coercion: `1`, `01` and
    `１` are one id) and checked against its choices, with messages that name the field.

    Every multi-value field of the app is one of these: a value posted twice would otherwise
    reach a link table twice and break its primary key."""

    def process_formdata(self, valuelist):
        good, bad = [], []
        for raw in valuelist:
            try:
                good.append(self.coerce(raw))
            except (ValueError, TypeError):
                bad.append(raw)
        self.data = list(dict.fromkeys(good))  # the typing that makes sense is kept
        if bad:
            raise ValueError(_not_a_choice(self.label.text, [b[:40] for b in bad]))

    def pre_validate(self, form):
        if not self.validate_choice or not self.data:
            return
        acceptable = {self.coerce(choice[0]) for choice in self.iter_choices()}
        unknown = [str(value) for value in self.data if value not in acceptable]
        if unknown:
            raise ValidationError(_not_a_choice(self.label.text, unknown))


class MultiCheckboxField(MultiSelectField):
    """A multi-select shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmptyForm(FlaskForm):
    """A form with only the CSRF token: for POST buttons."""
