"""Every feature's models in one import: for Alembic, the shell and the tests."""

from tracker.auditing import AuditEvent
from tracker.auth.models import AccountLink, AccountNotice, LoginCounter, User
from tracker.auth.sessions import LoginSession
from tracker.cache import DataVersion
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
from tracker.identity.models import RecoveryCode, TwoFactor
from tracker.localtime import Organisation
from tracker.mentoring.models import ActionItem, CalendarFeed, Meeting, session_competency
from tracker.plans.models import (
    Goal,
    GoalComment,
    GrowthPlan,
    PlanEvent,
    goal_milestone,
    goal_session,
)
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.team.models import Member, Team, team_lead

__all__ = [
    "AccountLink",
    "AccountNotice",
    "AuditEvent",
    "ActionItem",
    "CalendarFeed",
    "DataVersion",
    "Goal",
    "GoalComment",
    "GrowthPlan",
    "Meeting",
    "PlanEvent",
    "goal_milestone",
    "goal_session",
    "session_competency",
    "Base",
    "Category",
    "Competency",
    "Expectation",
    "Framework",
    "FrameworkVersion",
    "Level",
    "LoginCounter",
    "LoginSession",
    "Member",
    "Milestone",
    "MilestoneMove",
    "Organisation",
    "RecoveryCode",
    "TwoFactor",
    "Project",
    "Rating",
    "ScalePoint",
    "Sprint",
    "Team",
    "User",
    "team_lead",
]
