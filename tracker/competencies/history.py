"""A member's rating history, bounded: the newest few per competency on the member page, and
one page at a time of the competency the reader opens (ratings are never overwritten, so an
engineer rating themself daily would otherwise grow the page without end)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from tracker.competencies.models import Competency, FrameworkVersion, Rating
from tracker.forms import MAX_PAGE
from tracker.team.models import Member

HISTORY_SHOWN = 3  # newest ratings per competency on the member page
HISTORY_PAGE = 20  # ratings per page of the opened competency


@dataclass
class History:
    """One competency's ratings on the page (newest first) and how many there are."""

    total: int
    page: int = 0  # 0: the newest HISTORY_SHOWN; 1..: a page of the opened competency
    ratings: list[Rating] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // HISTORY_PAGE))

    @property
    def first(self) -> int:
        """Position (1-based) of the first rating shown."""
        return (self.page - 1) * HISTORY_PAGE + 1 if self.page else 1

    @property
    def has_more(self) -> bool:
        return self.total > len(self.ratings)


def _query(db: Session, member: Member, framework_id: int, open_key: str | None, page: int):
    order = (Rating.created_at.desc(), Rating.id.desc())
    ranked = (
        select(
            Rating.id.label("rating_id"),
            Competency.key.label("key"),
            func.row_number().over(partition_by=Competency.key, order_by=order).label("rn"),
            func.count().over(partition_by=Competency.key).label("total"),
        )
        .join(Competency, Competency.id == Rating.competency_id)
        .join(FrameworkVersion, FrameworkVersion.id == Competency.version_id)
        .where(Rating.member_id == member.id, FrameworkVersion.framework_id == framework_id)
        .subquery()
    )
    shown = ranked.c.rn <= HISTORY_SHOWN
    if open_key:
        low = (page - 1) * HISTORY_PAGE
        in_page = and_(
            ranked.c.key == open_key, ranked.c.rn > low, ranked.c.rn <= low + HISTORY_PAGE
        )
        shown = or_(shown, in_page)
    return db.execute(
        select(Rating, ranked.c.key, ranked.c.rn, ranked.c.total)
        .options(
            selectinload(Rating.rater), selectinload(Rating.session), selectinload(Rating.milestone)
        )
        .join(ranked, ranked.c.rating_id == Rating.id)
        .where(shown)
        .order_by(*order)
    ).all()


def rating_history(
    db: Session, member: Member, framework_id: int, open_key: str | None = None, page: int = 1
) -> dict[str, History]:
    """Per competency key: its newest HISTORY_SHOWN ratings, or for `open_key` page `page` of
    them (a page past the end shows the last one). One query and three loads, whatever the
    number of ratings; two when the page asked for is past the end."""
    page = min(max(page, 1), MAX_PAGE)
    rows = _query(db, member, framework_id, open_key, page)
    history: dict[str, History] = {}
    for _rating, key, _rn, total in rows:
        history.setdefault(key, History(total, page if key == open_key else 0))
    opened = history.get(open_key) if open_key else None
    if opened and page > opened.pages:
        return rating_history(db, member, framework_id, open_key, opened.pages)
    low = (page - 1) * HISTORY_PAGE
    for rating, key, rn, _total in rows:
        h = history[key]
        # The opened competency shows its page only (its newest few came along in the query).
        if not h.page or low < rn <= low + HISTORY_PAGE:
            h.ratings.append(rating)
    return history
