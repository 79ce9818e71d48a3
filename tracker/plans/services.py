"""Growth plans: the plan, its goals and comments, computed progress and history."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.auth.models import User

if TYPE_CHECKING:
    from tracker.mentoring.models import Meeting
from tracker.competencies.evidence import meetings
from tracker.competencies.models import Competency, Level
from tracker.competencies.services import FrameworkView, latest_values, view_for_team
from tracker.errors import RuleError
from tracker.plans.models import GOAL_STATUSES, Goal, GoalComment, GrowthPlan, PlanEvent
from tracker.sprints.models import Milestone
from tracker.team.models import Member
from tracker.team.services import get_member_for

MAX_TEXT = 5000
MAX_TITLE = 200
MAX_COMMENT = 2000  # a comment is a remark; longer thoughts belong in a session's notes
MAX_GOALS = 50  # goals per plan (done and dropped ones count: goals are never deleted)
OPEN_STATUSES = ("not_started", "in_progress")
STATUS_PROGRESS = {"not_started": 0.0, "in_progress": 0.5, "done": 1.0, "dropped": 0.0}


class PlanError(RuleError):
    """A plan rule was broken; the message names the field that is wrong."""


# --- loading ----------------------------------------------------------------------------


def _plan_query():
    return select(GrowthPlan).options(
        selectinload(GrowthPlan.goals).selectinload(Goal.sessions),
        selectinload(GrowthPlan.goals).selectinload(Goal.milestones),
    )  # comments and history can grow long: pages load them bounded (plan_lists.py)


def get_or_none(db: Session, member: Member) -> GrowthPlan | None:
    """The member's plan with its goals and their sessions and milestones (four queries)."""
    return db.scalar(_plan_query().where(GrowthPlan.member_id == member.id))


def get_goal_for(
    db: Session, user: User, goal_id: int, *, manage: bool = False
) -> tuple[Goal, Member]:
    """The goal and its member, if `user` may see (or manage) the member; else 404 or 403."""
    goal = db.scalar(
        select(Goal)
        .options(
            selectinload(Goal.plan), selectinload(Goal.sessions), selectinload(Goal.milestones)
        )
        .where(Goal.id == goal_id)
    )
    if goal is None:
        abort(404)
    member = get_member_for(db, user, goal.plan.member_id, manage=manage)
    return goal, member


def milestone_choices(db: Session, member: Member) -> list[Milestone]:
    """The milestones the member owns, newest due first: the work a goal can point to."""
    return list(
        db.scalars(
            select(Milestone)
            .where(Milestone.owner_id == member.id)
            .order_by(Milestone.due_date.desc(), Milestone.id.desc())
        )
    )


def session_choices(db: Session, member: Member) -> list[Meeting]:
    """The member's sessions, newest first: what a goal can link to."""
    return meetings(db, member.id)


# --- rules ------------------------------------------------------------------------------


def _need_view(view: FrameworkView | None) -> FrameworkView:
    if view is None:
        raise PlanError("No competency framework is loaded yet, so a plan has no levels.")
    return view


def _check_member(member: Member) -> None:
    if member.archived:
        raise PlanError(f"{member.name} is archived; restore them before changing the plan.")


def too_long(label: str, limit: int) -> str:
    """The message for a text over its cap, naming the field."""
    return f"{label} is longer than {limit} characters."


def _text(value: str | None, label: str, name: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise PlanError(too_long(label, limit), name)
    return value


def _event(db: Session, plan: GrowthPlan, actor: User, what: str) -> None:
    db.add(PlanEvent(plan=plan, actor_id=actor.id, what=what[:500]))


@dataclass
class GoalData:
    """What a goal form says; strings as typed, checked by the service."""

    title: str
    description: str = ""
    competency_key: str | None = None
    target_proficiency: str | int | None = None
    due_date: date | None = None
    status: str = "not_started"
    session_ids: list[int] | None = None  # None: leave the linked sessions as they are
    milestone_ids: list[int] | None = None  # None: leave the linked milestones as they are


@dataclass
class _CheckedGoal:
    title: str
    description: str
    competency_key: str | None
    target_proficiency: int | None
    due_date: date | None
    status: str
    sessions: list[Meeting] | None
    milestones: list[Milestone] | None = None


def _check_goal(
    db: Session, plan: GrowthPlan, member: Member, data: GoalData, view: FrameworkView
) -> _CheckedGoal:
    title = (data.title or "").strip()
    if not title:
        raise PlanError("Title is required.", "title")
    title = _text(title, "Title", "title", MAX_TITLE)
    key = (data.competency_key or "").strip() or None
    if key is not None and key not in view.by_key:
        raise PlanError(
            f"Competency {key!r} is not part of {view.version.framework.name}, "
            f"{member.name}'s framework.",
            "competency_key",
        )
    target = _proficiency(data.target_proficiency, view)
    if key is not None and target is None:  # blank: what the plan's target level expects
        target = view.expected(view.by_key[key], view.level(plan.target_level))
    if target is not None and key is None:
        raise PlanError("A target proficiency needs a competency.", "target_proficiency")
    if data.status not in GOAL_STATUSES:
        raise PlanError(f"Status must be one of {', '.join(GOAL_STATUSES.values())}.", "status")
    sessions = None
    if data.session_ids is not None:
        wanted = set(data.session_ids)
        sessions = [s for s in session_choices(db, member) if s.id in wanted] if wanted else []
        if len(sessions) != len(wanted):
            raise PlanError(f"Only {member.name}'s own sessions can be linked.", "sessions")
    milestones = None
    if data.milestone_ids is not None:
        wanted = set(data.milestone_ids)
        milestones = [m for m in milestone_choices(db, member) if m.id in wanted] if wanted else []
        if len(milestones) != len(wanted):
            raise PlanError(f"Only milestones {member.name} owns can be linked.", "milestones")
    return _CheckedGoal(
        title,
        _text(data.description, "Description", "description"),
        key,
        target,
        data.due_date,
        data.status,
        sessions,
        milestones,
    )


def _proficiency(raw: str | int | None, view: FrameworkView) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value not in view.scale_values:
        values = view.scale_values
        raise PlanError(
            f"Target proficiency must be a value on the scale ({min(values)} to {max(values)}).",
            "target_proficiency",
        )
    return value


def _baseline(db: Session, member: Member, key: str | None, view: FrameworkView) -> int | None:
    """The member's latest lead rating of `key` (the scale's lowest value if never rated)."""
    if key is None:
        return None
    values = latest_values(db, view.version.framework_id, Member.id == member.id)
    lead = values.get((member.id, key), [None, None])[0]
    return min(view.scale_values) if lead is None else lead


# --- writing ----------------------------------------------------------------------------


def save_plan(
    db: Session,
    member: Member,
    actor: User,
    target_level: str,
    target_date: date | None,
    summary: str | None,
    view: FrameworkView | None,
) -> GrowthPlan:
    """Create or update the member's plan; a new target level or date goes into the history."""
    view = _need_view(view)
    _check_member(member)
    level = view.level((target_level or "").strip())
    if level is None:
        names = ", ".join(lvl.name for lvl in view.levels)
        raise PlanError(
            f"Target level {target_level!r} is not a level of {member.name}'s framework: "
            f"choose one of {names}.",
            "target_level",
        )
    summary = _text(summary, "Summary", "summary")
    plan = get_or_none(db, member)
    if plan is None:
        plan = GrowthPlan(member_id=member.id, target_level=level.name, target_date=target_date)
        plan.summary = summary
        db.add(plan)
        when = f" by {target_date.isoformat()}" if target_date else ""
        _event(db, plan, actor, f"Plan created: target level {level.name}{when}")
        db.flush()
        return plan
    if plan.target_level != level.name:
        _event(db, plan, actor, f"Target level changed from {plan.target_level} to {level.name}")
    if plan.target_date != target_date:
        before = plan.target_date.isoformat() if plan.target_date else "none"
        after = target_date.isoformat() if target_date else "none"
        _event(db, plan, actor, f"Target date changed from {before} to {after}")
    plan.target_level, plan.target_date, plan.summary = level.name, target_date, summary
    db.flush()
    return plan


def add_goal(
    db: Session,
    plan: GrowthPlan,
    member: Member,
    actor: User,
    data: GoalData,
    view: FrameworkView | None,
) -> Goal:
    """Add a goal at the end of the plan."""
    view = _need_view(view)
    _check_member(member)
    if len(plan.goals) >= MAX_GOALS:
        raise PlanError(
            f"{member.name}'s plan already has {len(plan.goals)} goals, the most a plan holds "
            f"({MAX_GOALS}): edit an existing goal instead.",
            "title",
        )
    checked = _check_goal(db, plan, member, data, view)
    goal = Goal(
        plan=plan,
        title=checked.title,
        description=checked.description,
        competency_key=checked.competency_key,
        target_proficiency=checked.target_proficiency,
        baseline_proficiency=_baseline(db, member, checked.competency_key, view),
        due_date=checked.due_date,
        status=checked.status,
        position=max((g.position for g in plan.goals), default=-1) + 1,
        sessions=checked.sessions or [],
        milestones=checked.milestones or [],
    )
    db.add(goal)
    _event(db, plan, actor, f"Added goal “{goal.title}”")
    db.flush()
    return goal


def update_goal(
    db: Session, goal: Goal, member: Member, actor: User, data: GoalData, view: FrameworkView | None
) -> None:
    """Edit a goal; marking it done or dropped, or re-opening it, goes into the history."""
    view = _need_view(view)
    _check_member(member)
    checked = _check_goal(db, goal.plan, member, data, view)
    before, after = goal.status, checked.status
    if before != after:
        if after == "dropped":
            _event(db, goal.plan, actor, f"Dropped goal “{checked.title}”")
        elif after == "done":
            _event(db, goal.plan, actor, f"Marked goal “{checked.title}” done")
        elif before in ("done", "dropped"):
            _event(db, goal.plan, actor, f"Re-opened goal “{checked.title}”")
    goal.title, goal.description = checked.title, checked.description
    if checked.competency_key != goal.competency_key:  # another skill: start from where it is
        goal.baseline_proficiency = _baseline(db, member, checked.competency_key, view)
    goal.competency_key, goal.target_proficiency = (
        checked.competency_key,
        checked.target_proficiency,
    )
    goal.due_date, goal.status = checked.due_date, checked.status
    if checked.sessions is not None:
        goal.sessions = checked.sessions
    if checked.milestones is not None:
        goal.milestones = checked.milestones
    db.flush()


def add_comment(db: Session, goal: Goal, author: User, body: str | None) -> GoalComment:
    """Comment on a goal."""
    body = _text(body, "Comment", "body", MAX_COMMENT)
    if not body:
        raise PlanError("Comment is empty: write something first.", "body")
    comment = GoalComment(goal=goal, author_id=author.id, body=body)
    db.add(comment)
    db.flush()
    return comment


def goal_from_gap(
    db: Session,
    plan: GrowthPlan,
    member: Member,
    competency_key: str,
    view: FrameworkView | None,
    actor: User,
) -> Goal:
    """Turn a gap into a goal: reach the target level's expectation by the plan's date."""
    view = _need_view(view)
    _check_member(member)
    competency_key = (competency_key or "").strip()
    if not competency_key:
        raise PlanError("Choose the competency to make a goal of.", "competency_key")
    comp = view.by_key.get(competency_key)
    if comp is None:
        raise PlanError(
            f"Competency {competency_key!r} is not part of {member.name}'s framework.",
            "competency_key",
        )
    target = view.expected(comp, view.level(plan.target_level))
    if target is None:
        raise PlanError(
            f"{plan.target_level} has no expectation for {comp.name}.", "competency_key"
        )
    if any(g.competency_key == comp.key and g.status != "dropped" for g in plan.goals):
        raise PlanError(f"{comp.name} already has a goal in this plan.", "competency_key")
    label = view.labels.get(target, str(target))
    data = GoalData(
        title=f"Reach {label} in {comp.name}",
        competency_key=comp.key,
        target_proficiency=target,
        due_date=plan.target_date,
    )
    return add_goal(db, plan, member, actor, data, view)


# --- progress ---------------------------------------------------------------------------


def _percent(fraction: float) -> int:
    return math.floor(fraction * 100 + 0.5)  # half up: 62.5% shows as 63%, not 62%


@dataclass
class GoalProgress:
    goal: Goal
    progress: float
    competency: Competency | None = None
    current: int | None = None  # the latest lead rating, for competency goals
    baseline: int | None = None  # the rating the goal started from, for competency goals

    @property
    def percent(self) -> int:
        return _percent(self.progress)


@dataclass
class Gap:
    competency: Competency
    current: int
    expected: int
    covered: bool


@dataclass
class PlanProgress:
    plan: GrowthPlan
    view: FrameworkView | None
    target: Level | None
    goals: list[GoalProgress]
    overall: float | None
    gaps: list[Gap] = field(default_factory=list)
    unrated: int = 0  # competencies with an expectation at the target but no lead rating

    @property
    def overall_percent(self) -> int | None:
        return None if self.overall is None else _percent(self.overall)


def travelled(current: int, baseline: int, target: int) -> float:
    """The share of the way from `baseline` to `target` that `current` covers, 0 to 1."""
    if current >= target:
        return 1.0
    if target <= baseline:  # started at (or above) a target it has since fallen below
        return 0.0
    return max(0.0, (current - baseline) / (target - baseline))


def _goal_progress(goal: Goal, view: FrameworkView | None, lead: dict[str, int]) -> GoalProgress:
    comp = view.by_key.get(goal.competency_key) if view and goal.competency_key else None
    if view is None or comp is None:
        return GoalProgress(goal, STATUS_PROGRESS.get(goal.status, 0.0))
    target = goal.target_proficiency
    current = lead.get(comp.key)
    baseline = goal.baseline_proficiency
    if baseline is None:
        baseline = min(view.scale_values)
    if target is None:  # no target typed: progress follows the status
        return GoalProgress(goal, STATUS_PROGRESS.get(goal.status, 0.0), comp, current, baseline)
    if current is None:
        return GoalProgress(goal, 0.0, comp, None, baseline)
    return GoalProgress(goal, travelled(current, baseline, target), comp, current, baseline)


def plan_progress(
    db: Session, member: Member, view: FrameworkView | None = None
) -> PlanProgress | None:
    """The plan with computed progress per goal, overall, and the gaps to the target level."""
    plan = get_or_none(db, member)
    if plan is None:
        return None
    view = view or view_for_team(db, member.team)
    lead: dict[str, int] = {}
    if view is not None:
        values = latest_values(db, view.version.framework_id, Member.id == member.id)
        lead = {key: pair[0] for (_m, key), pair in values.items() if pair[0] is not None}
    goals = [_goal_progress(g, view, lead) for g in plan.goals]
    counted = [g.progress for g in goals if g.goal.status != "dropped"]
    overall = sum(counted) / len(counted) if counted else None
    target = view.level(plan.target_level) if view else None
    progress = PlanProgress(plan, view, target, goals, overall)
    if view is not None and target is not None:
        covered = {g.competency_key for g in plan.goals if g.status != "dropped"}
        for comp in view.competencies:
            expected = view.expected(comp, target)
            if expected is None:
                continue
            current = lead.get(comp.key)
            if current is None:
                progress.unrated += 1
            elif current < expected:
                progress.gaps.append(Gap(comp, current, expected, comp.key in covered))
    return progress


def goals_due_soonest(db: Session, member: Member, limit: int = 3) -> list[Goal]:
    """The member's open goals, earliest due date first and undated last (one query)."""
    return list(
        db.scalars(
            select(Goal)
            .join(GrowthPlan, GrowthPlan.id == Goal.plan_id)
            .where(GrowthPlan.member_id == member.id, Goal.status.in_(OPEN_STATUSES))
            .order_by(Goal.due_date.is_(None), Goal.due_date, Goal.position, Goal.id)
            .limit(limit)
        )
    )
