"""Frameworks found by name or as the organisation's default: for commands, seeds and imports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.competencies.models import Framework


def get_framework_by_name(db: Session, name: str) -> Framework | None:
    """The framework called `name` (exact, after stripping spaces), if any."""
    return db.scalar(select(Framework).where(Framework.name == name.strip()))


def default_framework(db: Session) -> Framework | None:
    """The organisation's default framework, if one is set."""
    return db.scalar(select(Framework).where(Framework.is_default).order_by(Framework.id).limit(1))


def framework_names(db: Session) -> list[str]:
    """The names of all frameworks, sorted."""
    return list(db.scalars(select(Framework.name).order_by(Framework.name)))
