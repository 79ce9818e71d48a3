"""The rating disconnects' panel on a member's page (tracker/team/hooks.py): where the lead's
and the member's own latest ratings differ by two or more steps, as the competency page marks
them; whoever may see the member page sees both ratings there."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.competencies.assessment import DISCONNECT_STEPS, is_disconnect
from tracker.competencies.services import FrameworkView, latest_values, view_for_team
from tracker.team.hooks import Glance, GlanceContext
from tracker.team.models import Member


@dataclass(frozen=True)
class Disconnect:
    key: str
    name: str
    lead: int
    self_: int


def framework_view(ctx: GlanceContext) -> FrameworkView | None:
    """The member's team's framework, loaded once for all the panels of the page."""
    if "framework_view" not in ctx.shared:
        ctx.shared["framework_view"] = view_for_team(ctx.db, ctx.member.team)
    return ctx.shared["framework_view"]


def disconnects_glance(ctx: GlanceContext) -> dict | None:
    """The disconnects in framework order and how much is rated (the framework's queries and
    one for the ratings, whatever their number); no panel without a framework."""
    member = ctx.member
    view = framework_view(ctx)
    if view is None:
        return None
    values = latest_values(ctx.db, view.version.framework_id, Member.id == member.id)
    found, lead_rated, self_rated = [], 0, 0
    for comp in view.competencies:
        lead, self_ = values.get((member.id, comp.key), (None, None))
        lead_rated += lead is not None
        self_rated += self_ is not None
        if is_disconnect(lead, self_):
            assert lead is not None and self_ is not None  # a disconnect has both
            found.append(Disconnect(comp.key, comp.name, lead, self_))
    can_rate = (ctx.can_manage or ctx.is_self) and not member.archived
    return {
        "disconnects": found,
        "steps": DISCONNECT_STEPS,
        "competencies": len(view.competencies),
        "lead_rated": lead_rated,
        "self_rated": self_rated,
        "can_rate": can_rate,
    }


GLANCE = Glance("disconnects", 50, "competencies/_glance.html", disconnects_glance)
