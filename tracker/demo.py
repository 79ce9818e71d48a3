"""The demo organisation that `make run` seeds: realistic, idempotent."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.auth.services import AccountError, create_user
from tracker.competencies.framework_io import ensure_default_framework
from tracker.competencies.models import Rating
from tracker.competencies.services import view_for_team
from tracker.mentoring.demo import seed_mentoring
from tracker.security import password_problem, verify_password
from tracker.sprints.demo import seed_delivery
from tracker.team.models import Member, Team


class DemoError(ValueError):
    """The demo could not be seeded as asked."""


# Published in the README for `make run`: a development database's demo password only.
DEMO_PASSWORD = "teamtracker-demo"  # noqa: S105 - public on purpose, and refused in production
# The org-scale seed's logins: lead01@scale.example.com ..., eng0001@scale.example.com ...
SCALE_PREFIXES = ("lead", "eng")


def demo_password(env_name: str) -> str:
    """The documented demo password in development; anywhere else a new random one."""
    return DEMO_PASSWORD if env_name == "development" else secrets.token_urlsafe(18)


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
            user = create_user(db, email, name, role, password)
        except AccountError as exc:
            raise DemoError(str(exc)) from exc
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
    problem = password_problem(password)
    if problem:
        raise DemoError(f"--password: {problem}")
    logins = []
    users = {}
    for role, email, name in ACCOUNTS:
        users[email] = _user(db, role, email, name, password)
        logins.append((role, email))

    ensure_default_framework(db)
    for team_name, lead_email, members in TEAMS:
        team = _team(db, team_name, users[lead_email], members, password, logins)
        db.flush()
        _ratings(db, team, users[lead_email])
        seed_delivery(db, team, users[lead_email])
        seed_mentoring(db, team, users[lead_email])
    db.flush()
    return logins


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


# --- start-up check: no published logins on a production server -----------------------------


def demo_addresses() -> list[str]:
    """Every address the small demo can give an account."""
    people = [person[1] for _team, _lead, members in TEAMS for person in members]
    return [email for _role, email, _name in ACCOUNTS] + people


def _demo_address():
    from tracker.scale import DOMAIN

    # Ranges on the e-mail's unique index ("lead" <= e < "leae"; a LIKE prefix would use no
    # index on either engine), under any collation that orders letters.
    scale = [
        and_(
            User.email >= p,
            User.email < p[:-1] + chr(ord(p[-1]) + 1),
            User.email.like(f"%@{DOMAIN}"),
        )
        for p in SCALE_PREFIXES
    ]
    return or_(User.email.in_(demo_addresses()), *scale)


def published_logins(db: Session) -> list[str]:
    """Active accounts with a demo address whose password is the published demo password.

    One query on the e-mail index; each distinct hash is checked once (the org-scale seed
    gives all its accounts the same one)."""
    rows = db.execute(
        select(User.email, User.password_hash)
        .where(User.active.is_(True), _demo_address())
        .order_by(User.email)
    ).all()
    published: dict[str, bool] = {}
    for _email, password_hash in rows:
        if password_hash and password_hash not in published:
            published[password_hash] = verify_password(password_hash, DEMO_PASSWORD)
    return [email for email, password_hash in rows if published.get(password_hash or "")]


def refuse_published_logins(db: Session) -> None:
    """Raise when a production server would accept a published demo login (wsgi.py)."""
    emails = published_logins(db)
    if not emails:
        return
    shown = ", ".join(emails[:10]) + (f" and {len(emails) - 10} more" if len(emails) > 10 else "")
    raise RuntimeError(
        f"Refusing to serve: {len(emails)} active account(s) still have the published demo "
        f"password ({shown}). Deactivate them with `flask --app wsgi tracker "
        "deactivate-demo-logins`, run with the server's environment (the command line is not "
        "refused), then start the server again."
    )


def refuse_production_demo_logins(app) -> None:
    """In production, `refuse_published_logins` on the app's database (wsgi.py, per worker)."""
    if app.config["ENV_NAME"] != "production":
        return
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.db import get_db

    with app.app_context():
        try:
            refuse_published_logins(get_db())
        except SQLAlchemyError as exc:
            raise RuntimeError(
                "Refusing to serve: the start-up check for demo logins could not read the "
                f"database ({type(exc).__name__}). Is it reachable, and migrated "
                "(`flask --app wsgi db upgrade`)?"
            ) from exc
