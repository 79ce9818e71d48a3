"""The dashboard's 1:1 cadence at its day boundaries: a 1:1 due today is due (in "Due this
week"), not overdue; one due yesterday is one day overdue; the week ends seven days from
today. A member never met is neither: they are in "First 1:1", whatever their start date
(issue #13 defect 5; this used to count them overdue from their start date)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.conftest import login
from tracker.db import utcnow

CADENCE = 14
FIRST = (None, False)  # never met: not overdue, not due this week, but in "First 1:1"
# Days since the last 1:1 -> (overdue by, in "due this week")
HELD = {
    CADENCE + 30: (30, False),
    CADENCE + 1: (1, False),
    CADENCE: (None, True),  # due today
    CADENCE - 1: (None, True),  # due tomorrow
    CADENCE - 7: (None, True),  # due in seven days: the week's last day
    CADENCE - 8: (None, False),  # due in eight days
    1: (None, False),
}


def _section(page: str, heading_id: str) -> str:
    part = page[page.index(f'id="{heading_id}"') :]
    return part[: part.index("</article>")]


def _entry(section: str, name: str) -> str | None:
    if f">{name}</a>" not in section:
        return None
    part = section[section.index(f">{name}</a>") :]
    return part[: part.index("</li>")]


@pytest.fixture
def people(db, make_user, make_team, make_member, make_session):
    lead = make_user("lead", email="lead@example.com", name="Lee Lead")
    team = make_team("Cadence", leads=[lead])
    today = utcnow().date()
    expected = {}
    for days, outcome in HELD.items():
        name = f"Held {days} days ago"
        member = make_member(team, name, cadence_days=CADENCE)
        # Early in that day (never later than now), so only the date counts.
        make_session(
            member, lead, held_at=datetime.combine(today - timedelta(days=days), time(0, 0))
        )
        expected[name] = outcome
    for days in HELD:  # never met: a first 1:1 to plan, however long ago they started
        name = f"Started {days} days ago"
        make_member(team, name, cadence_days=CADENCE, start_date=today - timedelta(days=days))
        expected[name] = FIRST
    db.commit()
    return expected


def test_a_one_on_one_due_today_is_due_not_overdue(client, people):
    assert login(client, "lead@example.com").status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    overdue, soon = _section(page, "overdue-h"), _section(page, "due-h")
    first = _section(page, "first-h")
    for name, (late, this_week) in people.items():
        assert (_entry(first, name) is not None) == name.startswith("Started"), name
        entry = _entry(overdue, name)
        if late is None:
            assert entry is None, name
        else:
            assert entry is not None, name
            assert f"{late} day{'' if late == 1 else 's'} overdue" in entry, (name, entry)
        assert (_entry(soon, name) is not None) == this_week, name
