"""The demo organisation that `make run` seeds: realistic, idempotent."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.auth.services import AccountError, create_user
from tracker.competencies.models import Rating
from tracker.competencies.services import view_for_team
from tracker.frameworks.io import ensure_default_framework
from tracker.mentoring.agenda_templates import ensure_builtin_templates
from tracker.mentoring.models import AgendaTemplate
from tracker.security import DEMO_PASSWORD, hash_password, password_problem
from tracker.seed.delivery import seed_delivery
from tracker.seed.meetings import seed_mentoring
from tracker.team.models import Member, Team


class DemoError(ValueError):
    """The demo could not be seeded as asked."""


def demo_password(env_name: str) -> str:
    """The documented demo password in development; anywhere else a new random one."""
    return DEMO_PASSWORD if env_name == "development" else secrets.token_urlsafe(18)


def seed_password_problem(password: str) -> str | None:
    """What is wrong with a seed's password: the published demo password is the one weak
    password a seed may set (seeds never run in production, and nobody may choose it for an
    account: tracker/password_strength.py); any other must pass the policy."""
    return None if password == DEMO_PASSWORD else password_problem(password)


ACCOUNTS = [
    ("admin", "admin@example.com", "Alex Admin"),
    ("lead", "dana.lead@example.com", "Dana Okafor"),
    ("lead", "sam.lead@example.com", "Sam Lindqvist"),
]

# name, email, job title, level, start date, cadence days, gets an engineer account
ML_PLATFORM = [
    (
        "Priya Raman",
        "priya@example.com",
        "Senior ML Engineer",
        "Senior",
        date(2021, 3, 1),
        14,
        True,
    ),
    ("Tomás Herrera", "tomas@example.com", "ML Engineer", "Mid", date(2022, 9, 12), 14, True),
    ("Mei Chen", "mei@example.com", "Junior ML Engineer", "Entry", date(2025, 2, 3), 7, True),
    ("Jonas Weber", "jonas@example.com", "Data Engineer", "Mid", date(2023, 1, 16), 14, False),
    ("Aisha Bello", "aisha@example.com", "Staff ML Engineer", "Lead", date(2019, 6, 24), 21, False),
    ("Noah Smith", "noah@example.com", "MLOps Engineer", "Senior", date(2020, 11, 2), 14, False),
    ("Lena Novak", "lena@example.com", "ML Engineer", "Mid", date(2024, 4, 8), 14, False),
    (
        "Ravi Patel",
        "ravi@example.com",
        "Junior Data Scientist",
        "Entry",
        date(2025, 8, 18),
        7,
        False,
    ),
    (
        "Chloé Martin",
        "chloe@example.com",
        "Research Engineer",
        "Senior",
        date(2022, 2, 14),
        14,
        False,
    ),
]
DATA_PLATFORM = [
    (
        "Kofi Mensah",
        "kofi@example.com",
        "Senior Data Engineer",
        "Senior",
        date(2021, 7, 5),
        14,
        False,
    ),
    ("Ingrid Dahl", "ingrid@example.com", "Data Engineer", "Mid", date(2023, 10, 2), 14, False),
    ("Yuki Tanaka", "yuki@example.com", "Analytics Engineer", "Entry", date(2025, 5, 19), 7, False),
]
# team name, lead email, members
TEAMS = [
    ("ML Platform", "dana.lead@example.com", ML_PLATFORM),
    ("Data Platform", "sam.lead@example.com", DATA_PLATFORM),
]


def _user(db: Session, role: str, email: str, name: str, password: str) -> User:
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        try:
            user = create_user(db, email, name, role, None)
        except AccountError as exc:
            raise DemoError(str(exc)) from exc
        user.password_hash = hash_password(password)  # checked once, by seed()
    return user


def _team(db: Session, name: str, lead: User, members: list, password: str, logins: list) -> Team:
    team = db.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name, leads=[lead])
        db.add(team)
        db.flush()
    existing = {m.email for m in db.scalars(select(Member).where(Member.team_id == team.id))}
    for m_name, email, title, level, start, cadence, has_account in members:
        if has_account:
            logins.append(("engineer", email))
        if email in existing:
            continue
        user = _user(db, "engineer", email, m_name, password) if has_account else None
        db.add(
            Member(
                team=team,
                name=m_name,
                email=email,
                job_title=title,
                level=level,
                start_date=start,
                cadence_days=cadence,
                user=user,
            )
        )
    return team


def seed(db: Session, password: str) -> list[tuple[str, str]]:
    """Create (or complete) the demo organisation; return its logins as (role, email)."""
    problem = seed_password_problem(password)
    if problem:
        raise DemoError(f"--password: {problem}")
    logins = []
    users = {}
    for role, email, name in ACCOUNTS:
        users[email] = _user(db, role, email, name, password)
        logins.append((role, email))

    ensure_default_framework(db)
    ensure_builtin_templates(db)  # migration 0015 made them; the demo may follow a reset
    _lead_template(db, users["dana.lead@example.com"])
    for team_name, lead_email, members in TEAMS:
        team = _team(db, team_name, users[lead_email], members, password, logins)
        db.flush()
        _ratings(db, team, users[lead_email])
        seed_delivery(db, team, users[lead_email])
        seed_mentoring(db, team, users[lead_email])
    db.flush()
    return logins


WEEKLY = """## Since last time
- Wins worth telling the team about
- Anything stuck: reviews, data access, compute

## The model in flight
- Offline metrics against the baseline; what the next experiment tests
- Anything to raise at the next design review

## You
- Energy and workload this week
- Feedback for me"""


def _lead_template(db: Session, lead: User) -> None:
    """A lead's own agenda template, as leads keep them (once: the seed is idempotent)."""
    found = db.scalar(
        select(AgendaTemplate.id).where(
            AgendaTemplate.owner_id == lead.id, AgendaTemplate.name == "Weekly 1:1"
        )
    )
    if found is None:
        db.add(AgendaTemplate(owner_id=lead.id, name="Weekly 1:1", body=WEEKLY, archived=False))


# Rating rounds, oldest first: a living history for the heatmap, the radar and the gaps.
ROUNDS = [datetime(2026, 5, 12, 10), datetime(2026, 8, 18, 10), datetime(2026, 11, 16, 10)]
EVIDENCE = [
    (
        "Led the design review for the feature store migration.",
        "https://git.example.com/ml/feature-store/pull/118",
    ),
    ("Shipped the drift dashboard; caught the Q3 data shift early.", ""),
    ("Mentored two juniors through their first model launch.", ""),
    (
        "Presented the churn model results to the commercial team.",
        "https://wiki.example.com/churn-readout",
    ),
    ("Completed the AWS ML Specialty certification.", "https://certs.example.com/aws-ml/4411"),
]


def _ratings(db: Session, team: Team, lead: User) -> None:
    """Three rounds of lead ratings and two of self-ratings per member, once."""
    view = view_for_team(db, team)
    assert view is not None  # seed() installs the default framework before any rating
    members = list(db.scalars(select(Member).where(Member.team_id == team.id)))
    rated = set(
        db.scalars(select(Rating.member_id).where(Rating.member_id.in_([m.id for m in members])))
    )
    top = max(view.scale_values)
    for member in members:
        if member.id in rated:
            continue
        rng = random.Random(f"demo-{member.email}")  # the same story on every machine
        level = view.level(member.level)
        for comp in view.competencies:
            expected = view.expected(comp, level) or 0
            value = max(0, min(top, expected + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
            for i, when in enumerate(ROUNDS):
                grown = min(top, value + (1 if i == 2 and rng.random() < 0.3 else 0))
                note, url = rng.choice(EVIDENCE) if rng.random() < 0.12 else ("", "")
                db.add(
                    Rating(
                        member_id=member.id,
                        competency_id=comp.id,
                        rater_id=lead.id,
                        kind="lead",
                        value=grown if i == 2 else value,
                        note=note,
                        evidence_url=url,
                        created_at=when + timedelta(minutes=comp.id),
                    )
                )
            if member.user_id and rng.random() < 0.8:
                # Most self-ratings are close; a few are two steps off: disconnects to discuss.
                roll = rng.random()
                gap = 2 if roll < 0.04 else -2 if roll < 0.07 else rng.choice((0, 0, 0, 1, -1))
                for when in ROUNDS[1:]:
                    db.add(
                        Rating(
                            member_id=member.id,
                            competency_id=comp.id,
                            rater_id=member.user_id,
                            kind="self",
                            value=max(0, min(top, value + gap)),
                            created_at=when + timedelta(days=1, minutes=comp.id),
                        )
                    )
