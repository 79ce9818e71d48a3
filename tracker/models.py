"""Every feature's models in one import: for Alembic, the shell and the tests."""

from tracker.auth.models import AccountLink, LoginAttempt, User
from tracker.competencies.models import (
    Category,
    Competency,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    Rating,
    ScalePoint,
)
from tracker.db import Base
from tracker.team.models import Member, Team, team_lead

__all__ = [
    "AccountLink",
    "Base",
    "Category",
    "Competency",
    "Expectation",
    "Framework",
    "FrameworkVersion",
    "Level",
    "LoginAttempt",
    "Member",
    "Rating",
    "ScalePoint",
    "Team",
    "User",
    "team_lead",
]
