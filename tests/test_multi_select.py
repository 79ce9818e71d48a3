"""Every multi-value form field, posted with duplicates (in every spelling an int accepts) and
with values that are not choices: duplicates are stored once, bad values are refused with a
message naming the field, nothing half-written, never a 500."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField
from wtforms.fields.core import UnboundField

import tracker
from tests.conftest import login
from tracker.forms import MultiSelectField


def _all_form_classes() -> list[type]:
    for mod in pkgutil.walk_packages(tracker.__path__, "tracker."):
        importlib.import_module(mod.name)
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return [c for c in found if c.__module__.startswith("tracker.")]


def _multi_fields() -> dict[tuple[str, str], type]:
    """(form class, field name) -> field class, for every multi-value field of the app."""
    fields = {}
    for cls in _all_form_classes():
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField) and issubclass(
                value.field_class, SelectMultipleField
            ):
                fields[(cls.__name__, name)] = value.field_class
    return fields


# --- the cases: one per form and multi-value field ----------------------------------------


@dataclass
class Case:
    form: str  # form class name
    field: str  # field name
    label: str  # the field's label, which every message names
    url: object  # (setup) -> url
    base: object  # (setup) -> the other fields of a valid post
    values: object  # (setup) -> two valid ids
    stored: object  # (db, setup) -> ids stored for the field, in order
    count: object  # (db, setup) -> rows that a refused create must not add


def _team_count(db, s):
    from sqlalchemy import func

    from tracker.team.models import Team

    return db.scalar(select(func.count()).select_from(Team))


def _session_count(db, s):
    from sqlalchemy import func

    from tracker.mentoring.models import Meeting

    return db.scalar(select(func.count()).select_from(Meeting))


def _new_team_leads(db, s):
    from tracker.team.models import Team

    team = db.scalar(select(Team).where(Team.name == s.team_name))
    return [u.id for u in team.leads] if team else []


def _team_leads(db, s):
    db.refresh(s.org.team)
    return sorted(u.id for u in s.org.team.leads)


def _new_session_comps(db, s):
    from tracker.mentoring.models import Meeting

    found = db.scalar(select(Meeting).where(Meeting.agenda == s.marker))
    return [c.id for c in found.competencies] if found else []


def _session_comps(db, s):
    db.refresh(s.session)
    return sorted(c.id for c in s.session.competencies)


def _ticked(db, s):
    from tracker.mentoring.models import ActionItem

    db.expire_all()
    return sorted(i.id for i in db.scalars(select(ActionItem).where(ActionItem.done.is_(True))))


def _goal_links(attr):
    def stored(db, s):
        db.refresh(s.goal)
        return sorted(x.id for x in getattr(s.goal, attr))

    return stored


TEAM = lambda s: {  # noqa: E731
    "name": s.team_name,
    "framework_id": "0",
    "sprint_length_days": "14",
}
SESSION = lambda s: {  # noqa: E731
    "kind": "one_on_one",
    "held_at": "2026-11-02T10:00",
    "duration_minutes": "30",
    "agenda": s.marker,
}
GOAL = lambda s: {  # noqa: E731
    "title": "Own the feature store",
    "status": "in_progress",
    "competency_key": "",
    "target_proficiency": "",
    "due_date": "",
}

CASES = [
    Case(
        "TeamForm",
        "leads",
        "Leads",
        lambda s: "/teams/new",
        TEAM,
        lambda s: [s.org.lead.id, s.org.other_lead.id],
        _new_team_leads,
        _team_count,
    ),
    Case(
        "TeamForm",
        "leads",
        "Leads",
        lambda s: f"/teams/{s.org.team.id}/edit",
        TEAM,
        lambda s: [s.org.lead.id, s.org.other_lead.id],
        _team_leads,
        None,
    ),
    Case(
        "SessionForm",
        "competency_ids",
        "Competencies discussed",
        lambda s: f"/members/{s.org.eng.id}/sessions/new",
        SESSION,
        lambda s: s.comp_ids,
        _new_session_comps,
        _session_count,
    ),
    Case(
        "SessionForm",
        "competency_ids",
        "Competencies discussed",
        lambda s: f"/sessions/{s.session.id}/edit",
        SESSION,
        lambda s: s.comp_ids,
        _session_comps,
        None,
    ),
    Case(
        "SessionForm",
        "done",
        "Done",
        lambda s: f"/members/{s.org.eng.id}/sessions/new",
        SESSION,
        lambda s: s.item_ids,
        _ticked,
        _session_count,
    ),
    Case(
        "SessionForm",
        "done",
        "Done",
        lambda s: f"/sessions/{s.session2.id}/edit",
        SESSION,
        lambda s: s.item_ids,
        _ticked,
        None,
    ),
    Case(
        "EditGoalForm",
        "sessions",
        "Sessions where it was discussed",
        lambda s: f"/goals/{s.goal.id}/edit",
        GOAL,
        lambda s: [s.session.id, s.session2.id],
        _goal_links("sessions"),
        None,
    ),
    Case(
        "EditGoalForm",
        "milestones",
        "Milestones that prove it",
        lambda s: f"/goals/{s.goal.id}/edit",
        GOAL,
        lambda s: [s.org.milestone.id, s.milestone2.id],
        _goal_links("milestones"),
        None,
    ),
]
CASE_IDS = [
    "new-team",
    "edit-team",
    "new-session",
    "edit-session",
    "new-session-done",
    "edit-session-done",
    "goal-sessions",
    "goal-ms",
]


def _fullwidth(n: int) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in str(n))


# Posted spellings of the ids [a, b], and what must be stored.
DUPLICATES = {
    "twice": lambda a, b: ([a, a], [a]),
    "three-times": lambda a, b: ([a, a, a], [a]),
    "leading-zero": lambda a, b: ([a, f"0{a}"], [a]),
    "padded": lambda a, b: ([a, f" {a} "], [a]),
    "plus-sign": lambda a, b: ([a, f"+{a}"], [a]),
    "full-width-digits": lambda a, b: ([a, _fullwidth(a)], [a]),
    "interleaved": lambda a, b: ([a, b, a, b], [a, b]),
    "underscore": lambda a, b: ([a, f"{str(a)[:1]}_{str(a)[1:]}" if a >= 10 else a], [a]),
}
NOT_CHOICES = {
    "word": lambda a, b: [a, "abc"],
    "empty-and-word": lambda a, b: ["x", a],
    "unknown-id": lambda a, b: [a, 999_999],
    "huge": lambda a, b: [a, "9" * 40],
    "negative": lambda a, b: [-a],
    "float": lambda a, b: [f"{a}.5"],
}


@pytest.fixture
def setup(app, db, delivery, framework, make_session, make_milestone, plan):
    """Everything the forms can point at, and a logged-in admin (who may edit every team)."""
    from tracker.competencies.models import Competency
    from tracker.plans.models import Goal

    org = delivery
    app.config["PROPAGATE_EXCEPTIONS"] = False

    class S:
        pass

    s = S()
    s.org = org
    s.team_name = f"Team {uuid.uuid4().hex[:6]}"
    s.marker = f"agenda-{uuid.uuid4().hex[:8]}"
    s.comp_ids = list(
        db.scalars(
            select(Competency.id)
            .where(Competency.version_id == framework.id)
            .order_by(Competency.id)
            .limit(2)
        )
    )
    carried = [("Carried one", "mentee", None), ("Carried two", "lead", None)]
    s.session = make_session(org.eng, org.lead, held_at=datetime(2026, 10, 1, 10), items=carried)
    s.item_ids = sorted(i.id for i in s.session.items)
    s.session2 = make_session(org.eng, org.lead, held_at=datetime(2026, 10, 15, 10))
    s.milestone2 = make_milestone(org.project, "Second", owner=org.eng)
    s.goal = db.scalar(select(Goal).where(Goal.plan_id == plan.id))
    s.client = app.test_client()
    assert login(s.client, "lead@example.com").status_code == 302
    return s


def _post(s, case: Case, values: list):
    data = {**case.base(s), case.field: [str(v) for v in values]}
    return s.client.form(case.url(s), data)


def test_every_multi_value_field_is_covered_here_and_deduplicates():
    """A new multi-select anywhere fails here until it is a MultiSelectField with a case."""
    declared = _multi_fields()
    assert set(declared) == {(c.form, c.field) for c in CASES}
    assert all(issubclass(cls, MultiSelectField) for cls in declared.values()), declared


@pytest.mark.parametrize("spelling", list(DUPLICATES))
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_duplicates_are_stored_once(setup, db, case, spelling):
    a, b = case.values(setup)
    posted, expected = DUPLICATES[spelling](a, b)
    r = _post(setup, case, posted)
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    assert sorted(case.stored(db, setup)) == sorted(expected)


@pytest.mark.parametrize("bad", list(NOT_CHOICES))
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_that_are_not_choices_are_refused_naming_the_field(setup, db, case, bad):
    a, b = case.values(setup)
    before = case.stored(db, setup)
    rows = case.count(db, setup) if case.count else None
    r = _post(setup, case, NOT_CHOICES[bad](a, b))
    assert r.status_code in (200, 400), r.status_code
    html = r.get_data(as_text=True)
    assert 'class="field-error"' in html
    error = html[html.index('class="field-error"') :]
    error = error[: error.index("</small>")]
    assert case.label in error or "can be linked" in error or "framework" in error, error
    assert case.stored(db, setup) == before  # nothing written
    if rows is not None:
        assert case.count(db, setup) == rows
