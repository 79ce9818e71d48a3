"""Saving a member's competency page: every changed rating on it in one go, or none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.auditing import record_created
from tracker.auth.models import User
from tracker.competencies.models import Competency, Rating
from tracker.competencies.services import MAX_NOTE, FrameworkView, RatingError, latest_ratings
from tracker.team.models import Member

# A row's form fields on the page: c<competency id> (the value), n<id> (note), u<id> (link),
# a<id> (as of: the id of the rating the page showed, blank when it showed none).
ROW_FIELDS = {"value": "c", "note": "n", "evidence_url": "u", "as_of": "a"}
NEEDS_VALUE = "{}: choose a rating to go with this evidence."


def row_field(name: str | None, competency_id: int) -> str:
    """The page form's field for one row's value (name None), note or evidence link."""
    return f"{ROW_FIELDS[name or 'value']}{competency_id}"


@dataclass
class RowInput:
    """One row of the page as posted: no value means the row gives none."""

    competency_id: int
    value: int | None
    note: str = ""
    evidence_url: str = ""


@dataclass
class Saved:
    """What one save recorded: how many ratings, in which categories (framework order)."""

    ratings: int
    categories: list[str]

    @property
    def message(self) -> str:
        """The sentence the page shows after the save."""
        if not self.ratings:
            return "No rating was changed: nothing to save."
        n = len(self.categories)
        where = self.categories[0] if n == 1 else f"{n} categories"
        return f"Saved {self.ratings} rating{'s' if self.ratings != 1 else ''} in {where}."


def current_ratings(
    db: Session, view: FrameworkView, member: Member, kind: str
) -> dict[int, Rating]:
    """The newest rating of `kind` ('lead' or 'self') per competency id of `view` (one query)."""
    latest = latest_ratings(db, view.version.framework_id, Member.id == member.id)
    current = {}
    for competency in view.competencies:
        now = latest.get((member.id, competency.key))
        rating = (now.lead if kind == "lead" else now.self_) if now else None
        if rating is not None:
            current[competency.id] = rating
    return current


def changes(row: RowInput, now: Rating | None) -> bool:
    """Whether a row differs from the current rating: its value, note or link, or a value where
    there was none. Blank edges do not count (the rating stores them stripped)."""
    was = (now.value, now.note, now.evidence_url) if now else (None, "", "")
    typed = (row.note.strip(), row.evidence_url.strip())
    if row.value is None:
        return typed != was[1:]
    return (row.value, *typed) != was


def _posted_value(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


@dataclass
class RatedMeanwhile:
    """The rows of a posted page whose rating changed after the page was loaded (its as-of
    rating id is not the current one): `current` per competency id, and `conflicts`, those
    the user changed too, to something else. The others the user left as shown: the newer
    rating stands, and `formdata` is the post with those rows brought up to date."""

    current: dict[int, Rating | None]
    conflicts: list[Competency]
    formdata: Mapping[str, str]

    def names(self) -> list[str]:
        return [c.name for c in self.conflicts]

    def kept(self, view: FrameworkView) -> list[str]:
        """The competencies whose newer rating stands because the user had not changed them."""
        clash = {c.id for c in self.conflicts}
        return [c.name for c in view.competencies if c.id in self.current and c.id not in clash]


def rated_meanwhile(
    db: Session, view: FrameworkView, member: Member, kind: str, formdata
) -> RatedMeanwhile:
    """Compare a posted page's as-of ids with the ratings of `kind` now (the lost update:
    two people, or two tabs, saving the same page). A row without an as-of field is not
    checked. One query for the current ratings, one for those the page showed, if any."""
    current = current_ratings(db, view, member, kind)
    stale: dict[int, int] = {}  # competency id -> the rating id the page showed (0: none)
    for competency in view.competencies:
        posted = formdata.get(row_field("as_of", competency.id))
        if posted is None:
            continue
        shown_id = int(posted) if posted.isdigit() and len(posted) < 10 else 0
        now = current.get(competency.id)
        if shown_id != (now.id if now else 0):
            stale[competency.id] = shown_id
    if not stale:
        return RatedMeanwhile({}, [], formdata)
    wanted = [i for i in stale.values() if i]
    shown = (
        {
            r.id: r
            for r in db.scalars(
                select(Rating).where(
                    Rating.id.in_(wanted), Rating.member_id == member.id, Rating.kind == kind
                )
            )
        }
        if wanted
        else {}
    )
    fixed = formdata.copy()
    conflicts = []
    for competency in view.competencies:
        if competency.id not in stale:
            continue
        cid, now = competency.id, current.get(competency.id)
        was = shown.get(stale[cid])
        if was is not None and was.competency_id != cid:
            was = None
        row = RowInput(
            cid,
            _posted_value(formdata.get(row_field("value", cid))),
            formdata.get(row_field("note", cid)) or "",
            formdata.get(row_field("evidence_url", cid)) or "",
        )
        if changes(row, was) and changes(row, now):
            conflicts.append(competency)  # the user's typing stays; the as-of moves on
        else:  # left as shown (or changed to what is there now): the newer rating stands
            fixed[row_field("value", cid)] = str(now.value) if now else ""
            fixed[row_field("note", cid)] = now.note if now else ""
            fixed[row_field("evidence_url", cid)] = now.evidence_url if now else ""
        fixed[row_field("as_of", cid)] = str(now.id) if now else ""
    return RatedMeanwhile({cid: current.get(cid) for cid in stale}, conflicts, fixed)


def _check_url(url: str, field: str) -> None:
    url = url.strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500):
        raise RatingError("Evidence link must be an http(s) URL of at most 500 characters.", field)


def check_row(view: FrameworkView, member: Member, row: RowInput) -> Competency:
    """The competency a row with a value rates, after every rule of rating (a RatingError
    naming the row's field: its value, note or link)."""
    competency = next((c for c in view.competencies if c.id == row.competency_id), None)
    if competency is None:
        raise RatingError(
            f"Competency {row.competency_id} is not part of {view.version.framework.name} "
            f"version {view.version.number}, the framework {member.name} is assessed against."
        )
    cid, name = competency.id, competency.name
    if row.value is None:
        raise RatingError(NEEDS_VALUE.format(name), row_field("value", cid))
    if row.value not in view.scale_values:
        raise RatingError(
            f"{name}: {row.value} is not on the scale "
            f"({min(view.scale_values)} to {max(view.scale_values)}).",
            row_field("value", cid),
        )
    if len(row.note) > MAX_NOTE:
        raise RatingError(
            f"Evidence for {name}: at most {MAX_NOTE} characters ({len(row.note)} given).",
            row_field("note", cid),
        )
    _check_url(row.evidence_url, row_field("evidence_url", cid))
    return competency


def rate_changed(
    db: Session,
    view: FrameworkView,
    member: Member,
    rater: User,
    kind: str,
    rows: Iterable[RowInput],
    session_id: int | None = None,
    milestone_id: int | None = None,
) -> Saved:
    """Record a rating of `kind` for each row that changes the current one (the session or
    milestone cited by all); every row is checked before any is written, so a RatingError
    (naming the row's field) leaves nothing behind. Writes, never commits."""
    if member.archived:
        raise RatingError(f"{member.name} is archived; restore them before rating.")
    current = current_ratings(db, view, member, kind)
    checked = [
        (check_row(view, member, row), row)
        for row in rows
        if changes(row, current.get(row.competency_id))
    ]
    if checked:
        # One INSERT for the lot (a flush would send one per rating on SQLite), then one for
        # their audit rows: a full review costs the queries of a single rating.
        values = [
            {
                "member_id": member.id,
                "competency_id": competency.id,
                "rater_id": rater.id,
                "kind": kind,
                "value": row.value,
                "note": row.note.strip(),
                "evidence_url": row.evidence_url.strip(),
                "session_id": session_id,
                "milestone_id": milestone_id,
            }
            for competency, row in checked
        ]
        record_created(db, db.scalars(insert(Rating).returning(Rating), values).all())
    touched = {competency.category_id for competency, _ in checked}
    return Saved(len(checked), [c.name for c in view.categories if c.id in touched])
