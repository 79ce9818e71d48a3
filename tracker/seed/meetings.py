"""Demo mentoring history: months of 1:1s with notes and action items, and growth plans."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.competencies.services import view_for_team
from tracker.mentoring.models import ActionItem, Meeting
from tracker.plans import services as plans
from tracker.team.models import Member, Team

SHARED = [
    "Reviewed progress on the **feature store** migration. Unblocked the schema question.",
    "Talked about the on-call load; agreed to rotate the drift alerts.",
    "Walked through the model card draft. Good structure; needs the fairness section.",
    "Celebrated the launch of the ranking model. Discussed what to present at the demo day.",
    "Went over the feedback from the design review; two follow-ups below.",
    "Career chat: what the next level looks like and which projects would show it.",
]
PRIVATE = [
    "Seems tired after the release; keep an eye on workload.",
    "Wants more ownership; consider for the Q1 platform lead role.",
    "Mentioned friction with the data team; raise with their lead, carefully.",
    "Strong on delivery, quieter in reviews. Encourage to speak up.",
]
ITEMS = [
    ("Write the design doc for the batch scoring job", "mentee"),
    ("Pair with Noah on the Kubernetes deployment", "mentee"),
    ("Book the Spark optimisation course", "lead"),
    ("Prepare the demo-day slides", "mentee"),
    ("Share the model-monitoring runbook", "lead"),
    ("Read 'Designing ML Systems', chapters 7-8", "mentee"),
]
OVERDUE_MEMBER = "jonas@example.com"  # the demo's one overdue 1:1
PLAN_TARGETS = {"Entry": "Mid", "Mid": "Senior", "Senior": "Lead"}


def seed_mentoring(db: Session, team: Team, lead: User, today: date | None = None) -> None:
    """Sessions every cadence for about five months, and a plan for each engineer; once."""
    today = today or date.today()
    members = list(
        db.scalars(select(Member).where(Member.team_id == team.id, Member.archived.is_(False)))
    )
    ids = [m.id for m in members]
    if db.scalar(select(Meeting.id).where(Meeting.member_id.in_(ids)).limit(1)):
        return
    sessions: dict[int, list[Meeting]] = {}
    for member in members:
        rng = random.Random(f"mentoring-{member.email}")
        last = today - timedelta(
            days=35
            if member.email == OVERDUE_MEMBER
            else rng.randint(1, max(1, member.cadence_days - 2))
        )
        day, mine = last, []
        while day > today - timedelta(days=150):
            s = Meeting(
                member_id=member.id,
                mentor_id=lead.id,
                kind="career" if rng.random() < 0.1 else "one_on_one",
                held_at=datetime.combine(day, time(10, 0)),
                duration_minutes=30,
                agenda="",
                shared_notes=rng.choice(SHARED),
                private_notes=rng.choice(PRIVATE) if rng.random() < 0.5 else "",
                mood=rng.choice((3, 4, 4, 5, 2)),
            )
            db.add(s)
            mine.append(s)
            day -= timedelta(days=member.cadence_days)
        db.flush()
        planned = []
        for i, s in enumerate(mine):  # mine[0] is the latest
            for text, owner in rng.sample(ITEMS, 2 if rng.random() < 0.5 else 1):
                due = s.held_at.date() + timedelta(days=member.cadence_days)
                done = i >= 2 or (i == 1 and rng.random() < 0.5)
                planned.append((s, text, owner, due, done))
        # As the app carries an item: an open one stays on the session that agreed it and is
        # shown on the later ones, never agreed again as a copy (a "twin", which the lists
        # would fold into one). Oldest first, an item still open from an earlier session is
        # not added again; the rest are added in the order they were drawn.
        still_open: set[tuple[str, str]] = set()
        twins = set()
        for n in reversed(range(len(planned))):
            _s, text, owner, _due, done = planned[n]
            if (owner, text) in still_open:
                twins.add(n)
            elif not done:
                still_open.add((owner, text))
        for n, (s, text, owner, due, done) in enumerate(planned):
            if n in twins:
                continue
            db.add(
                ActionItem(
                    session_id=s.id,
                    member_id=member.id,
                    text=text,
                    owner=owner,
                    due_date=due,
                    done=done,
                    done_at=s.held_at + timedelta(days=5) if done else None,
                    done_by_id=lead.id if done else None,
                )
            )
        sessions[member.id] = mine
    db.flush()
    view = view_for_team(db, team)
    for member in members:
        if member.user_id is None or member.level not in PLAN_TARGETS or view is None:
            continue
        plan = plans.save_plan(
            db,
            member,
            lead,
            PLAN_TARGETS[member.level],
            today + timedelta(days=180),
            f"Grow {member.name.split()[0]} towards "
            f"{PLAN_TARGETS[member.level]}: depth first, then scope.",
            view,
        )
        progress = plans.plan_progress(db, member)
        for gap in (progress.gaps if progress else [])[:2]:
            plans.goal_from_gap(db, plan, member, gap.competency.key, view, lead)
        plans.add_goal(
            db,
            plan,
            member,
            lead,
            plans.GoalData(
                title="Give a tech talk at the ML guild",
                status="in_progress",
                due_date=today + timedelta(days=60),
                session_ids=[s.id for s in sessions.get(member.id, [])[:1]],
            ),
            view,
        )
    db.flush()
