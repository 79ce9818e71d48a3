"""The milestones' panel on the member page (tracker/sprints/glance.py): the open milestones
the member owns that are late, at risk in the current sprint or have slipped, in the board's
words; links only to pages the viewer may open."""

from __future__ import annotations

from datetime import date, timedelta


def _panel(client, member) -> str:
    html = client.get(f"/members/{member.id}").get_data(as_text=True)
    start = html.index('id="glance-milestones-h"')
    return html[start : html.index("</article>", start)]


def test_late_at_risk_and_slipped_milestones(
    client_as, org, db, make_project, make_sprint, make_milestone
):
    from tracker.sprints.models import MilestoneMove

    today = date.today()
    earlier = make_sprint(org.team, today - timedelta(days=20), end=today - timedelta(days=7))
    now = make_sprint(org.team, today - timedelta(days=3), state="active", name="Now")
    later = make_sprint(org.team, today + timedelta(days=11), name="Later")
    project = make_project(org.team, "Feature store")
    late = make_milestone(
        project, "Late one", sprint=now, owner=org.eng, due_date=today - timedelta(days=1)
    )
    risky = make_milestone(
        project, "Risky one", sprint=now, owner=org.eng, due_date=today + timedelta(days=2)
    )
    slipped = make_milestone(
        project,
        "Slipped one",
        sprint=later,
        owner=org.eng,
        due_date=today + timedelta(days=20),
        status="in progress",
    )
    db.add(MilestoneMove(milestone_id=slipped.id, from_sprint_id=earlier.id, to_sprint_id=later.id))
    make_milestone(
        project,
        "Fine one",
        sprint=now,
        owner=org.eng,
        due_date=today + timedelta(days=2),
        status="in progress",
    )
    make_milestone(
        project,
        "Done one",
        sprint=now,
        owner=org.eng,
        due_date=today - timedelta(days=1),
        status="done",
    )
    make_milestone(
        project, "Max's late one", sprint=now, owner=org.mate, due_date=today - timedelta(days=1)
    )
    db.commit()
    lead = _panel(client_as("lead"), org.eng)
    assert lead.index("Late one") < lead.index("Risky one") < lead.index("Slipped one")
    assert 'class="badge ms-late">Late' in lead and 'class="badge ms-at-risk">At risk' in lead
    assert "slipped 1×" in lead
    for absent in ("Fine one", "Done one", "Max's late one"):
        assert absent not in lead
    assert "Current sprint: Now" in lead
    for m in (late, risky, slipped):
        assert f'href="/milestones/{m.id}"' in lead
    assert f'href="/teams/{org.team.id}/delivery">Team delivery' in lead
    eve = _panel(client_as("engineer"), org.eng)
    assert "Late one" in eve and "/milestones/" + str(late.id) not in eve  # leads' page only
    assert 'href="/milestones/mine">My milestones' in eve and "/delivery" not in eve


def test_all_on_track_and_none_owned(client_as, org, make_project, make_sprint, make_milestone):
    today = date.today()
    assert "Eve Engineer owns no open milestones — " in _panel(client_as("lead"), org.eng)
    eve = _panel(client_as("engineer"), org.eng)
    assert "You own no open milestones." in eve and "href" not in eve
    project = make_project(org.team, "Feature store")
    make_milestone(project, "Later one", owner=org.eng, due_date=today + timedelta(days=40))
    assert "None: 1 open milestone owned, all on track." in _panel(client_as("lead"), org.eng)
