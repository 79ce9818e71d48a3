"""What a member's competency page and radar chart show, computed in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.competencies.history import History, rating_history
from tracker.competencies.models import Category, Competency, Level, Rating
from tracker.competencies.services import (
    FrameworkView,
    Latest,
    framework_id_for_team,
    latest_ratings,
)
from tracker.team.models import Member

DISCONNECT_STEPS = 2


def is_disconnect(lead: int | None, self_: int | None) -> bool:
    """Self and lead rating differ by two or more steps: worth talking about."""
    if lead is None or self_ is None:
        return False
    return abs(lead - self_) >= DISCONNECT_STEPS


@dataclass
class CompetencyRow:
    competency: Competency
    lead: Rating | None
    self_: Rating | None
    expected: int | None
    expected_next: int | None
    descriptor: str
    descriptor_next: str
    history: History

    @property
    def gap(self) -> int | None:
        """Lead rating minus the expectation for the member's level (negative: below)."""
        if self.lead is None or self.expected is None:
            return None
        return self.lead.value - self.expected

    @property
    def gap_next(self) -> int | None:
        if self.lead is None or self.expected_next is None:
            return None
        return self.lead.value - self.expected_next

    @property
    def disconnect(self) -> bool:
        """Self and lead rating differ by two or more steps: worth talking about."""
        return is_disconnect(
            self.lead.value if self.lead else None, self.self_.value if self.self_ else None
        )


@dataclass
class CategoryBlock:
    category: Category
    rows: list[CompetencyRow]


@dataclass
class RadarPoint:
    category: str
    rating: float | None
    expected: float | None
    expected_target: float | None


@dataclass
class MemberAssessment:
    member: Member
    view: FrameworkView
    level: Level | None
    target: Level | None
    blocks: list[CategoryBlock]

    @property
    def rows(self) -> list[CompetencyRow]:
        return [r for b in self.blocks for r in b.rows]

    @property
    def disconnects(self) -> list[CompetencyRow]:
        return [r for r in self.rows if r.disconnect]

    @property
    def rated_count(self) -> int:
        return sum(1 for r in self.rows if r.lead is not None)

    def radar(self) -> list[RadarPoint]:
        """Per category: mean lead rating, mean expectation at the level and at the target."""

        def mean(values):
            values = [v for v in values if v is not None]
            return round(sum(values) / len(values), 2) if values else None

        return [
            RadarPoint(
                b.category.name,
                mean(r.lead.value if r.lead else None for r in b.rows),
                mean(r.expected for r in b.rows),
                mean(r.expected_next for r in b.rows),
            )
            for b in self.blocks
        ]


def assess_member(
    db: Session,
    member: Member,
    view: FrameworkView,
    target_name: str | None = None,
    open_key: str | None = None,
    history_page: int = 1,
) -> MemberAssessment:
    """Every competency of the member's framework with ratings, expectations and history (the
    newest few of each; page `history_page` of the competency `open_key`)."""
    framework_id = framework_id_for_team(db, member.team)
    assert framework_id is not None
    latest = latest_ratings(db, framework_id, Member.id == member.id)
    history = rating_history(db, member, framework_id, open_key, history_page)
    level = view.level(member.level)
    target = view.level(target_name) if target_name else view.next_level(level)
    blocks = []
    for category in view.categories:
        rows = []
        for comp in category.competencies:
            now = latest.get((member.id, comp.key), Latest())
            exp, exp_next = view.expectation(comp, level), view.expectation(comp, target)
            rows.append(
                CompetencyRow(
                    competency=comp,
                    lead=now.lead,
                    self_=now.self_,
                    expected=exp.expected if exp else None,
                    expected_next=exp_next.expected if exp_next else None,
                    descriptor=exp.descriptor if exp else "",
                    descriptor_next=exp_next.descriptor if exp_next else "",
                    history=history.get(comp.key, History(0)),
                )
            )
        blocks.append(CategoryBlock(category, rows))
    return MemberAssessment(member, view, level, target, blocks)
