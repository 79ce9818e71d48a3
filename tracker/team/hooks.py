"""What team asks of a later feature, which fills it when the app is built: the competency
frameworks a team can be assessed against and their career levels (competencies provides
them; team imports no later feature)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


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
