"""Every feature's models in one import: for Alembic, the shell and the tests."""

from tracker.auth.models import AccountLink, LoginAttempt, User
from tracker.db import Base
from tracker.team.models import Member, Team, team_lead

__all__ = ["AccountLink", "Base", "LoginAttempt", "Member", "Team", "User", "team_lead"]
