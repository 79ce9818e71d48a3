"""The growth plan's panel on a member's page (tracker/team/hooks.py): the target level,
goals done of those that count (dropped ones do not) and the overall progress, as the plan
page computes them; whoever may see the member page sees the plan page too."""

from __future__ import annotations

from tracker.competencies.glance import framework_view
from tracker.plans.services import OPEN_STATUSES, plan_progress
from tracker.team.hooks import Glance, GlanceContext


def plan_glance(ctx: GlanceContext) -> dict:
    """The plan's progress, or what to do without one (the plan's own queries, whatever the
    number of goals)."""
    progress = plan_progress(ctx.db, ctx.member, framework_view(ctx))
    if progress is None:
        return {"plan": None, "can_create": ctx.can_manage and not ctx.member.archived}
    counted = [g.goal for g in progress.goals if g.goal.status != "dropped"]
    upcoming = sorted(
        (g for g in counted if g.status in OPEN_STATUSES and g.due_date is not None),
        key=lambda g: (g.due_date, g.position, g.id),
    )
    return {
        "plan": progress.plan,
        "done": sum(1 for g in counted if g.status == "done"),
        "total": len(counted),
        "percent": progress.overall_percent,
        "next_goal": upcoming[0] if upcoming else None,
        "can_create": False,
    }


GLANCE = Glance("growth_plan", 40, "plans/_glance.html", plan_glance)
