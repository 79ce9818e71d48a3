"""The lists of a growth plan that its readers can grow, bounded on every page: each goal's
comments (the newest few on the plan, then one page at a time) and the plan's history (the
newest changes, then one page at a time). Each is a fixed number of queries, whatever its
length: an engineer commenting daily would otherwise grow the lead's plan page without end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tracker.forms import MAX_PAGE
from tracker.plans.models import GoalComment, GrowthPlan, PlanEvent

COMMENTS_SHOWN = 3  # newest comments per goal on the plan page and its print view
COMMENTS_PAGE = 20  # comments per page of one goal's comments
EVENTS_SHOWN = 10  # newest changes on the plan page and its print view
EVENTS_PAGE = 50  # changes per page of the plan's history
LINKS_SHOWN = 5  # sessions and milestones named beside a goal on the plan page

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """Some rows of a longer list (newest first), which page they are and how many there are."""

    total: int
    per_page: int
    page: int = 0  # 0: the newest few, shown within another page
    rows: list[T] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """Position (1-based, newest first) of the first row shown."""
        return (self.page - 1) * self.per_page + 1 if self.page else 1

    @property
    def left_out(self) -> int:
        """How many rows the list has that are not shown."""
        return self.total - len(self.rows)


def _clamp(page: int, total: int, per_page: int) -> int:
    """A real page: at least the first, at most the last (a page past the end is the last)."""
    return min(max(page, 1), MAX_PAGE, max(1, -(-total // per_page)))


def newest_comments(
    db: Session, goal_ids: list[int], shown: int = COMMENTS_SHOWN
) -> dict[int, Page[GoalComment]]:
    """Per goal id: its newest `shown` comments, newest first, and how many it has (one query
    and one load of the authors, whatever the number of goals and comments)."""
    threads = {gid: Page[GoalComment](0, COMMENTS_PAGE) for gid in goal_ids}
    if not goal_ids:
        return threads
    order = (GoalComment.created_at.desc(), GoalComment.id.desc())
    ranked = (
        select(
            GoalComment.id.label("comment_id"),
            func.row_number().over(partition_by=GoalComment.goal_id, order_by=order).label("rn"),
            func.count().over(partition_by=GoalComment.goal_id).label("total"),
        )
        .where(GoalComment.goal_id.in_(goal_ids))
        .subquery()
    )
    rows = db.execute(
        select(GoalComment, ranked.c.total)
        .options(selectinload(GoalComment.author))
        .join(ranked, ranked.c.comment_id == GoalComment.id)
        .where(ranked.c.rn <= shown)
        .order_by(*order)
    ).all()
    for comment, total in rows:
        thread = threads[comment.goal_id]
        thread.total = total
        thread.rows.append(comment)
    return threads


def comment_page(db: Session, goal_id: int, page: int) -> Page[GoalComment]:
    """One page of a goal's comments, newest first (a count, a page and the authors' load)."""
    total = (
        db.scalar(
            select(func.count()).select_from(GoalComment).where(GoalComment.goal_id == goal_id)
        )
        or 0
    )
    page = _clamp(page, total, COMMENTS_PAGE)
    rows = db.scalars(
        select(GoalComment)
        .options(selectinload(GoalComment.author))
        .where(GoalComment.goal_id == goal_id)
        .order_by(GoalComment.created_at.desc(), GoalComment.id.desc())
        .limit(COMMENTS_PAGE)
        .offset((page - 1) * COMMENTS_PAGE)
    )
    return Page(total, COMMENTS_PAGE, page, list(rows))


def history(db: Session, plan: GrowthPlan, page: int = 0) -> Page[PlanEvent]:
    """The plan's changes, newest first: the newest EVENTS_SHOWN (page 0), or page `page` of
    EVENTS_PAGE (a count, the rows and the actors' load)."""
    total = (
        db.scalar(select(func.count()).select_from(PlanEvent).where(PlanEvent.plan_id == plan.id))
        or 0
    )
    per_page = EVENTS_PAGE if page else EVENTS_SHOWN
    page = _clamp(page, total, per_page) if page else 0
    rows = db.scalars(
        select(PlanEvent)
        .options(selectinload(PlanEvent.actor))
        .where(PlanEvent.plan_id == plan.id)
        .order_by(PlanEvent.at.desc(), PlanEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page if page else 0)
    )
    return Page(total, EVENTS_PAGE, page, list(rows))
