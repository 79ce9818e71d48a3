"""axe-core on the main pages: no violation of impact "serious" or "critical".

axe's script comes from the axe-playwright-python package (it bundles axe.min.js), and the
`page` fixture fails any test whose page asks for anything beyond the live server, so the
check runs offline.
"""

from __future__ import annotations

import pytest

from .support import ENGINEER, LEAD, axe_violations, login

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.browser
def test_main_pages_have_no_serious_axe_violations(page, shot, live_server):
    q = live_server.query
    ((team,),) = q("SELECT id FROM team WHERE name = 'ML Platform'")
    ((member, user),) = q("SELECT id, user_id FROM member WHERE email = ?", ENGINEER)
    ((sprint,),) = q("SELECT id FROM sprint WHERE team_id = ? AND state = 'active'", team)
    ((session,),) = q(  # her newest session with private notes: the lead sees that section
        "SELECT id FROM mentoring_session WHERE member_id = ? AND private_notes != ''"
        " ORDER BY held_at DESC LIMIT 1",
        member,
    )
    lead_pages = [
        ("dashboard", "/dashboard"),
        ("team-roster", f"/teams/{team}"),
        ("member-page", f"/members/{member}"),  # at a glance: the mood line, the panels
        ("member-competencies", f"/members/{member}/competencies"),
        ("skill-matrix", f"/teams/{team}/matrix"),
        ("session", f"/sessions/{session}"),
        ("growth-plan", f"/members/{member}/plan"),
        ("account", "/account"),  # with its time-zone form
        ("sprint-board", f"/sprints/{sprint}"),
        ("new-session", f"/members/{member}/sessions/new"),  # with its template choice
        ("agenda-templates", "/sessions/templates"),
    ]
    engineer_pages = [
        ("engineer-home", "/me"),
        ("engineer-member-page", f"/members/{member}"),
        ("engineer-growth-plan", f"/members/{member}/plan"),
        ("engineer-competencies", f"/members/{member}/competencies"),
        ("engineer-session", f"/sessions/{session}"),
    ]
    failing: list[str] = []
    other: list[str] = []

    def scan(name: str, url: str | None = None) -> None:
        if url:
            response = page.goto(url)
            assert response.status == 200, url
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("load")  # images (the radar) in place before axe looks
        bad, minor = axe_violations(page, name)
        failing.extend(bad)
        other.extend(minor)
        shot(name)

    page.goto("/login")
    scan("login")
    login(page, LEAD)
    for name, url in lead_pages:
        scan(name, url)
    page.get_by_role("button", name="Log out").click()
    login(page, ENGINEER)
    for name, url in engineer_pages:
        scan(name, url)

    if other:
        print("axe: moderate or minor violations (not failing):\n" + "\n".join(other))
    assert not failing, "axe found serious or critical violations:\n" + "\n".join(failing)
