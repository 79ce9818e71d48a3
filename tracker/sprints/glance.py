"""The milestones' panel on a member's page (tracker/team/hooks.py): the open milestones the
member owns that are late, at risk in the current sprint or have slipped, in the words and
by the rules of the sprint board (`milestone_state`, `History.is_slip`). The member sees her
own milestones' statuses on her home; her leads see them on the board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.sprints.models import OPEN_STATUSES, Milestone, MilestoneMove, Sprint
from tracker.sprints.reports import History, current_sprint, milestone_state
from tracker.team.hooks import Glance, GlanceContext

SHOWN = 8  # flagged milestones on the member page: the most urgent first
RANK = {"late": 0, "at-risk": 1, "on-track": 2}


@dataclass(frozen=True)
class Flagged:
    milestone: Milestone
    state: str  # late, at-risk or on-track (then it slipped)
    slips: int
    linked: bool  # the viewer may open the milestone's page


def milestones_glance(ctx: GlanceContext) -> dict:
    """The member's open milestones that need a look, and how many she owns (three queries
    whatever their number)."""
    db, member, today = ctx.db, ctx.member, ctx.today
    owned = list(
        db.scalars(
            select(Milestone)
            .options(joinedload(Milestone.project), joinedload(Milestone.sprint))
            .where(Milestone.owner_id == member.id, Milestone.status.in_(OPEN_STATUSES))
        )
    )
    team_ids = {m.project.team_id for m in owned} | {member.team_id}
    sprints = list(
        db.scalars(select(Sprint).where(Sprint.team_id.in_(team_ids)).order_by(Sprint.start_date))
    )
    moves: dict[int, list[MilestoneMove]] = {}
    if owned:
        query = (
            select(MilestoneMove)
            .join(Milestone, Milestone.id == MilestoneMove.milestone_id)
            .where(Milestone.owner_id == member.id, Milestone.status.in_(OPEN_STATUSES))
            .order_by(MilestoneMove.moved_at, MilestoneMove.id)
        )
        for mv in db.scalars(query):
            moves.setdefault(mv.milestone_id, []).append(mv)
    histories = {
        team_id: History([s for s in sprints if s.team_id == team_id], moves)
        for team_id in team_ids
    }
    currents = {team_id: current_sprint(h, today) for team_id, h in histories.items()}
    flagged = []
    for m in owned:
        team_id = m.project.team_id
        state = milestone_state(m, currents[team_id], today)
        slips = histories[team_id].slips(m.id)
        if state in ("late", "at-risk") or slips:
            linked = ctx.can_manage and team_id == member.team_id
            flagged.append(Flagged(m, state, slips, linked))
    flagged.sort(
        key=lambda f: (RANK.get(f.state, 3), f.milestone.due_date or date.max, f.milestone.id)
    )
    return {
        "flagged": flagged[:SHOWN],
        "flagged_total": len(flagged),
        "owned_total": len(owned),
        "sprint": currents[member.team_id],
        "today": today,
        "can_manage": ctx.can_manage,
        "is_self": ctx.is_self,
    }


GLANCE = Glance("milestones", 60, "sprints/_glance.html", milestones_glance)
