"""What team asks of later features, which fill it when the app is built: the competency
frameworks a team can be assessed against and their career levels (competencies provides
them), and the "at a glance" panels of a member's page (mentoring, plans, competencies and
sprints each add theirs). Team imports no later feature."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.team.models import Member


@dataclass(frozen=True)
class FrameworkProvider:
    """The frameworks a team can choose and the levels a member of a team can have."""

    choices: Callable[[Session], list[tuple[int, str]]]  # (id, name), by name
    exists: Callable[[Session, int], bool]
    level_names: Callable[[Session, int], list[str] | None]  # lowest first; None: no framework


NO_FRAMEWORKS = FrameworkProvider(
    choices=lambda db: [], exists=lambda db, framework_id: False, level_names=lambda db, t: None
)
_provider = NO_FRAMEWORKS


def provide_frameworks(provider: FrameworkProvider) -> None:
    """Set what `frameworks()` answers (competencies does, in its init_app)."""
    global _provider
    _provider = provider


def frameworks() -> FrameworkProvider:
    """The registered framework provider (none registered: no frameworks, default levels)."""
    return _provider


# --- the member page at a glance ---------------------------------------------------------


@dataclass(frozen=True)
class GlanceContext:
    """What a panel is built for: who looks (`viewer`, already allowed to see `member`: one of
    their team's leads, an admin, or the member herself) at whom, and when."""

    db: Session
    viewer: User
    member: Member
    can_manage: bool  # the viewer leads the member's team or is an admin
    now: datetime  # naive UTC, as stored
    today: date  # the viewer's date (their time zone): due, overdue and late turn at their midnight
    # What one panel loaded that another reuses on the same page (the team's framework).
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def is_self(self) -> bool:
        """The viewer is the member herself."""
        return self.member.user_id is not None and self.member.user_id == self.viewer.id


@dataclass(frozen=True)
class Glance:
    """One panel of a member's page, offered by a later feature: `build` answers the data its
    `template` renders as `glance` (None: no panel), in a fixed number of queries whatever the
    member's history, and only what the viewer may already see on that feature's own pages
    (never a private note, nor a snippet or count of them). Panels show lowest `order` first."""

    name: str
    order: int
    template: str
    build: Callable[[GlanceContext], Mapping[str, Any] | None]


@dataclass(frozen=True)
class GlancePanel:
    """A built panel, for the member page to include."""

    name: str
    template: str
    data: Mapping[str, Any]


GLANCES: dict[str, Glance] = {}


def provide_glance(glance: Glance) -> None:
    """Add (or replace, by name) a panel of the member page (later features do, in their
    init_app)."""
    GLANCES[glance.name] = glance


def glances(context: GlanceContext) -> list[GlancePanel]:
    """The member's panels for the viewer, by order (then name), leaving out those with nothing
    to show."""
    panels = []
    for glance in sorted(GLANCES.values(), key=lambda g: (g.order, g.name)):
        data = glance.build(context)
        if data is not None:
            panels.append(GlancePanel(glance.name, glance.template, data))
    return panels
