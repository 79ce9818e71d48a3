"""The org-scale dataset (`tracker seed-demo --scale org`): thousands of members, years of
history, written with bulk Core inserts (plain dicts in chunks, never one ORM object a row).

Deterministic for a given seed and day: every random choice comes from one `random.Random`
in a fixed order; dates are laid out backwards from `today` so the dashboards have something
due now. Primary keys are assigned here (after the current maximum), so dependent rows can
point at their parents without reading them back.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.competencies.lookup import default_framework
from tracker.competencies.models import Competency, Expectation, Level, Rating
from tracker.frameworks.io import ensure_default_framework
from tracker.mentoring.markdown import render
from tracker.mentoring.models import ActionItem, Meeting, session_competency
from tracker.plans.models import Goal, GrowthPlan
from tracker.security import hash_password
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.team.models import Member, Team, team_lead

SCALES = {"org": {"teams": 50, "members": 2000, "weeks": 104}}
DOMAIN = "scale.example.com"
CHUNK = 5000
LEVEL_WEIGHTS = (("Entry", 25), ("Mid", 35), ("Senior", 30), ("Lead", 10))
TITLES = {
    "Entry": "Junior ML Engineer",
    "Mid": "ML Engineer",
    "Senior": "Senior ML Engineer",
    "Lead": "Staff ML Engineer",
}
NEXT_LEVEL = {"Entry": "Mid", "Mid": "Senior", "Senior": "Lead"}
FIRST = [
    "Ada",
    "Ben",
    "Chen",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jia",
    "Kai",
    "Lia",
    "Max",
    "Nia",
    "Oto",
    "Pia",
    "Raj",
    "Sia",
    "Tom",
    "Uma",
]
LAST = [
    "Abe",
    "Berg",
    "Cruz",
    "Diaz",
    "Eze",
    "Fox",
    "Gill",
    "Hahn",
    "Ito",
    "Jain",
    "Kim",
    "Lund",
    "Moss",
    "Ng",
    "Ortiz",
    "Park",
    "Ruiz",
    "Sato",
]
SHARED = [
    "Reviewed progress on the **feature store** migration; unblocked the schema question.",
    "Talked about on-call load; agreed to rotate the drift alerts.",
    "Walked through the model card draft. Needs the fairness section.",
    "Went over the design review feedback; two follow-ups below.",
    "Career chat: what the next level looks like and which projects would show it.",
]
PRIVATE = [
    "",
    "Seems tired after the release; keep an eye on workload.",
    "Wants more ownership; consider for the platform lead role.",
    "Strong on delivery, quieter in reviews.",
]
ITEMS = [
    "Write the design doc for the batch scoring job",
    "Pair on the Kubernetes deployment",
    "Book the Spark optimisation course",
    "Prepare the demo-day slides",
    "Share the model-monitoring runbook",
]
KINDS = ["one_on_one"] * 17 + ["mentoring", "mentoring", "career"]


class ScaleError(ValueError):
    """The dataset could not be generated as asked."""


@dataclass
class _Ids:
    """Next free primary key per table, so generated rows can reference each other."""

    db: Session

    def start(self, model) -> int:
        return (self.db.scalar(select(func.max(model.id))) or 0) + 1


def _bulk(db: Session, model, rows: Iterable[dict]) -> int:
    """Insert `rows` in chunks with Core executemany; return how many."""
    table = getattr(model, "__table__", model)
    n, chunk = 0, []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            db.execute(insert(table), chunk)
            n, chunk = n + len(chunk), []
    if chunk:
        db.execute(insert(table), chunk)
        n += len(chunk)
    return n


def _fix_sequences(db: Session, models) -> None:
    """PostgreSQL: move each id sequence past the ids assigned here."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__  # from the models, never user input
        sql = f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT coalesce(max(id), 1) FROM \"{name}\"))"  # noqa: E501, S608
        db.execute(text(sql))


def _pick_level(rng: random.Random) -> str:
    roll, acc = rng.randrange(100), 0
    for level, weight in LEVEL_WEIGHTS:
        acc += weight
        if roll < acc:
            return level
    return "Mid"


def seed_scale(
    db: Session,
    *,
    teams: int,
    members: int,
    weeks: int,
    seed: int = 1,
    password: str,
    today: date | None = None,
) -> dict[str, int]:
    """Generate the dataset; return row counts per kind. The caller commits."""
    if teams < 1 or members < teams or weeks < 1:
        raise ScaleError("Need at least one team, one member per team and one week.")
    if db.scalar(select(User.id).where(User.email == f"lead01@{DOMAIN}")) is not None:
        raise ScaleError(f"A scale dataset is already there (lead01@{DOMAIN} exists).")
    db.info["audit"] = False  # generated rows are not events anyone did
    today = today or date.today()
    rng = random.Random(seed)
    ensure_default_framework(db)
    framework = default_framework(db)
    if framework is None:
        raise ScaleError("No default competency framework: make one the default first.")
    version_id = max(v.id for v in framework.versions)
    comps = list(
        db.execute(
            select(Competency.id, Competency.key)
            .where(Competency.version_id == version_id)
            .order_by(Competency.id)
        )
    )
    expected = {
        (cid, level): value
        for cid, level, value in db.execute(
            select(Expectation.competency_id, Level.name, Expectation.expected)
            .join(Level, Level.id == Expectation.level_id)
            .where(Level.version_id == version_id)
        )
    }
    ids = _Ids(db)
    counts: dict[str, int] = {}
    pw_hash = hash_password(password)  # argon2 is slow on purpose: one hash for every account
    start_day = today - timedelta(weeks=weeks)
    created = datetime.combine(start_day, time(9))

    # Leads, teams, members, engineer accounts.
    user_id, team_id, member_id = ids.start(User), ids.start(Team), ids.start(Member)
    users: list[dict]
    users, team_rows, lead_rows, member_rows = [], [], [], []
    team_members: list[list[dict]] = []
    for t in range(teams):
        lead = user_id + len(users)
        users.append(
            {
                "id": lead,
                "email": f"lead{t + 1:02d}@{DOMAIN}",
                "name": f"{FIRST[t % 20]} {LAST[t % 18]} (lead {t + 1})",
                "role": "lead",
                "ever_privileged": True,
                "password_hash": pw_hash,
                "active": True,
                "session_token": f"{rng.getrandbits(128):032x}",
                "created_at": created,
            }
        )
        team_rows.append(
            {
                "id": team_id + t,
                "name": f"Scale team {t + 1:02d}",
                "framework_id": None,
                "sprint_length_days": 14,
                "created_at": created,
            }
        )
        lead_rows.append({"team_id": team_id + t, "user_id": lead})
        team_members.append([])
    for i in range(members):
        t = i * teams // members
        level = _pick_level(rng)
        account = rng.random() < 0.3
        uid = None
        email = f"eng{i + 1:04d}@{DOMAIN}"
        name = f"{FIRST[i % 20]} {LAST[(i // 20) % 18]} {i + 1}"
        if account:
            uid = user_id + len(users)
            users.append(
                {
                    "id": uid,
                    "email": email,
                    "name": name,
                    "role": "engineer",
                    "ever_privileged": False,
                    "password_hash": pw_hash,
                    "active": True,
                    "session_token": f"{rng.getrandbits(128):032x}",
                    "created_at": created,
                }
            )
        archived = rng.random() < 0.02
        row = {
            "id": member_id + i,
            "team_id": team_id + t,
            "name": name,
            "email": email,
            "job_title": TITLES[level],
            "level": level,
            "start_date": start_day - timedelta(days=rng.randint(0, 2000)),
            "cadence_days": 7 if rng.random() < 0.45 else 14,
            "user_id": uid,
            "archived": archived,
            "archived_at": created + timedelta(days=300) if archived else None,
            "created_at": created,
            "updated_at": created,
        }
        member_rows.append(row)
        team_members[t].append(row)
    counts["users"] = _bulk(db, User, users)
    counts["teams"] = _bulk(db, Team, team_rows)
    _bulk(db, team_lead, lead_rows)
    counts["members"] = _bulk(db, Member, member_rows)
    lead_of = {r["team_id"]: r["user_id"] for r in lead_rows}
    ratings = _ratings(rng, member_rows, comps, expected, lead_of, weeks, start_day)
    counts["ratings"] = _bulk(db, Rating, ratings)
    counts["sessions"], counts["action_items"] = _mentoring(
        db, rng, ids, member_rows, comps, lead_of, start_day, today
    )
    counts.update(_delivery(db, rng, ids, team_rows, team_members, lead_of, start_day, today))
    counts["growth_plans"] = _plans(db, rng, ids, member_rows, comps, today)
    _fix_sequences(db, (User, Team, Member, Meeting, Sprint, Project, Milestone, GrowthPlan, Goal))
    return counts


def _ratings(rng, member_rows, comps, expected, lead_of, weeks, start_day) -> Iterator[dict]:
    """Lead rating rounds every half year (a full first round, then ~70% of competencies),
    and two self-rating rounds for members with an account."""
    rounds = [start_day + timedelta(weeks=w) for w in range(1, weeks + 1, 26)]
    for m in member_rows:
        drift = {cid: rng.choice((-2, -1, -1, 0, 0, 0, 1)) for cid, _ in comps}
        for r, day in enumerate(rounds):
            when = datetime.combine(day, time(10))
            for cid, _key in comps:
                if r and rng.random() > 0.7:
                    continue
                value = expected.get((cid, m["level"]), 2) + drift[cid] + (r >= 2)
                yield {
                    "member_id": m["id"],
                    "competency_id": cid,
                    "rater_id": lead_of[m["team_id"]],
                    "kind": "lead",
                    "value": max(0, min(5, value)),
                    "note": "",
                    "evidence_url": "",
                    "created_at": when + timedelta(minutes=cid),
                }
            if m["user_id"] and r >= len(rounds) - 2:
                gap = rng.choice((0, 0, 0, 1, -1, 2))
                for cid, _key in comps:
                    value = expected.get((cid, m["level"]), 2) + drift[cid] + gap
                    yield {
                        "member_id": m["id"],
                        "competency_id": cid,
                        "rater_id": m["user_id"],
                        "kind": "self",
                        "value": max(0, min(5, value)),
                        "note": "",
                        "evidence_url": "",
                        "created_at": when + timedelta(days=1, minutes=cid),
                    }


@lru_cache(maxsize=64)
def _html(text: str) -> str:
    return str(render(text))


def _notes(**notes: str) -> dict[str, str]:
    """The notes and their HTML: a bulk insert passes the model's render-on-write hook by."""
    return notes | {f"{name}_html": _html(text) for name, text in notes.items()}


def _mentoring(db, rng, ids, member_rows, comps, lead_of, start_day, today) -> tuple[int, int]:
    """1:1s every cadence (a few skipped) with notes, and about two action items each."""
    session_id = ids.start(Meeting)
    sessions: list[dict]
    sessions, items, links = [], [], []
    n_sessions = n_items = 0
    for m in member_rows:
        day = start_day + timedelta(days=rng.randrange(m["cadence_days"]))
        last = today - timedelta(days=70 if m["archived"] else 1)
        while day <= last:
            if rng.random() < 0.97:
                held = datetime.combine(day, time(9 + rng.randrange(8)))
                sid = session_id + n_sessions + len(sessions)
                sessions.append(
                    {
                        "id": sid,
                        "member_id": m["id"],
                        "mentor_id": lead_of[m["team_id"]],
                        "kind": rng.choice(KINDS),
                        "held_at": held,
                        "duration_minutes": 30,
                        **_notes(
                            agenda="Open items; progress; blockers.",
                            shared_notes=rng.choice(SHARED),
                            private_notes=rng.choice(PRIVATE),
                        ),
                        "mood": rng.randint(2, 5),
                        "created_at": held,
                        "updated_at": held,
                    }
                )
                if rng.random() < 0.2:
                    links.append({"session_id": sid, "competency_id": rng.choice(comps)[0]})
                recent = (today - day).days < 28
                for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                    done = not recent and rng.random() < 0.95
                    items.append(
                        {
                            "session_id": sid,
                            "member_id": m["id"],
                            "text": rng.choice(ITEMS),
                            "owner": "mentee" if rng.random() < 0.75 else "lead",
                            "due_date": day + timedelta(days=14),
                            "done": done,
                            "done_at": held + timedelta(days=10) if done else None,
                            "done_by_id": None,
                            "created_at": held,
                        }
                    )
            day += timedelta(days=m["cadence_days"])
        if len(items) >= CHUNK * 4:  # parents first, in bounded chunks
            n_sessions += _bulk(db, Meeting, sessions)
            n_items += _bulk(db, ActionItem, items)
            _bulk(db, session_competency, links)
            sessions, items, links = [], [], []
    n_sessions += _bulk(db, Meeting, sessions)
    n_items += _bulk(db, ActionItem, items)
    _bulk(db, session_competency, links)
    return n_sessions, n_items


def _delivery(db, rng, ids, team_rows, team_members, lead_of, start_day, today) -> dict:
    """Two-week sprints from the start to one past today, a project every ~6 sprints, and
    5-10 milestones a sprint: most done, some late, some slipping once or twice, a few dropped."""
    sprint_id, project_id, milestone_id = (
        ids.start(Sprint),
        ids.start(Project),
        ids.start(Milestone),
    )
    sprints: list[dict]
    projects: list[dict]
    milestones: list[dict]
    sprints, projects, milestones, moves = [], [], [], []
    first = start_day - timedelta(days=start_day.weekday())
    for t, team in enumerate(team_rows):
        owners = [m["id"] for m in team_members[t] if not m["archived"]] or [None]
        lead = lead_of[team["id"]]
        team_sprints: list[dict] = []
        start = first
        while True:
            end = start + timedelta(days=13)
            state = "closed" if end < today else "active" if start <= today else "planned"
            sid = sprint_id + len(sprints)
            row = {
                "id": sid,
                "team_id": team["id"],
                "name": f"Sprint {len(team_sprints) + 1}",
                "start_date": start,
                "end_date": end,
                "goal": "Ship the next milestones.",
                "state": state,
                "closed_at": datetime.combine(end, time(17)) if state == "closed" else None,
                "created_at": datetime.combine(start, time(9)),
            }
            sprints.append(row)
            team_sprints.append(row)
            if state == "planned":
                break
            start = end + timedelta(days=1)
        project: dict = {}  # the first sprint (k == 0) starts a project
        for k, sprint in enumerate(team_sprints):
            if k % 6 == 0:
                pid = project_id + len(projects)
                last = team_sprints[min(k + 5, len(team_sprints) - 1)]
                project = {
                    "id": pid,
                    "team_id": team["id"],
                    "name": f"Project {k // 6 + 1}",
                    "description": "",
                    "status": "done" if last["state"] == "closed" else "active",
                    "owner_id": rng.choice(owners),
                    "start_date": sprint["start_date"],
                    "target_date": last["end_date"],
                    "created_at": sprint["created_at"],
                }
                projects.append(project)
            for n in range(rng.randint(5, 10)):
                path = [k]
                roll = rng.random()
                slips = 2 if roll < 0.04 else 1 if roll < 0.14 else 0
                for _ in range(slips):
                    if path[-1] + 1 < len(team_sprints):
                        path.append(path[-1] + 1)
                final = team_sprints[path[-1]]
                due = sprint["end_date"]
                if final["state"] == "closed":
                    status = "dropped" if rng.random() < 0.03 else "done"
                elif final["state"] == "active":
                    status = rng.choice(("planned", "in progress", "in progress", "done"))
                else:
                    status = "planned"
                done_date = None
                if status == "done":
                    late = 3 if rng.random() < 0.05 else 0
                    done_date = min(final["end_date"], today) - timedelta(days=rng.randrange(4))
                    done_date = max(done_date, final["start_date"]) + timedelta(days=late)
                mid = milestone_id + len(milestones)
                milestones.append(
                    {
                        "id": mid,
                        "project_id": project["id"],
                        "title": f"{project['name']}: deliverable {k + 1}.{n + 1}",
                        "description": "",
                        "owner_id": rng.choice(owners),
                        "due_date": due,
                        "sprint_id": final["id"],
                        "status": status,
                        "done_date": done_date,
                        "drop_reason": "Superseded." if status == "dropped" else "",
                        "external_key": None,
                        "created_at": sprint["created_at"],
                        "updated_at": sprint["created_at"],
                    }
                )
                for a, b in zip(path, path[1:], strict=False):
                    moves.append(
                        {
                            "milestone_id": mid,
                            "from_sprint_id": team_sprints[a]["id"],
                            "to_sprint_id": team_sprints[b]["id"],
                            "moved_by_id": lead,
                            "moved_at": datetime.combine(team_sprints[a]["end_date"], time(17)),
                            "reason": "Carried over at sprint close.",
                            "carried_over": True,
                        }
                    )
    return {
        "sprints": _bulk(db, Sprint, sprints),
        "projects": _bulk(db, Project, projects),
        "milestones": _bulk(db, Milestone, milestones),
        "milestone_moves": _bulk(db, MilestoneMove, moves),
    }


def _plans(db, rng, ids, member_rows, comps, today) -> int:
    """A growth plan with three goals for about one member in six below Lead."""
    plan_id, goal_id = ids.start(GrowthPlan), ids.start(Goal)
    plans: list[dict]
    goals: list[dict]
    plans, goals = [], []
    now = datetime.combine(today, time(9))
    for m in member_rows:
        if m["archived"] or m["level"] not in NEXT_LEVEL or rng.random() > 0.17:
            continue
        pid = plan_id + len(plans)
        plans.append(
            {
                "id": pid,
                "member_id": m["id"],
                "target_level": NEXT_LEVEL[m["level"]],
                "target_date": today + timedelta(days=rng.randint(90, 360)),
                "summary": f"Grow into a {NEXT_LEVEL[m['level']]} engineer.",
                "created_at": now - timedelta(days=120),
                "updated_at": now - timedelta(days=120),
            }
        )
        for p in range(3):
            _cid, key = rng.choice(comps)
            goals.append(
                {
                    "id": goal_id + len(goals),
                    "plan_id": pid,
                    "title": f"Grow {key.replace('_', ' ')}",
                    "description": "",
                    "competency_key": key,
                    "target_proficiency": rng.randint(3, 4),
                    "due_date": today + timedelta(days=30 * (p + 1)),
                    "status": rng.choice(("not_started", "in_progress", "in_progress", "done")),
                    "position": p,
                    "created_at": now - timedelta(days=120),
                }
            )
    n = _bulk(db, GrowthPlan, plans)
    _bulk(db, Goal, goals)
    return n


def timed_seed(db: Session, **kwargs) -> tuple[dict[str, int], float]:
    """`seed_scale` and the seconds it took."""
    t0 = clock.perf_counter()
    counts = seed_scale(db, **kwargs)
    return counts, clock.perf_counter() - t0
