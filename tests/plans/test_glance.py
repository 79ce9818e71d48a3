"""The growth plan's panel on the member page (tracker/plans/glance.py): target, goals done
of those that count, overall progress as the plan page says it; no plan: only a lead or an
admin is offered to create one."""

from __future__ import annotations

from datetime import date


def _panel(client, member) -> str:
    html = client.get(f"/members/{member.id}").get_data(as_text=True)
    start = html.index('id="glance-plan-h"')
    return html[start : html.index("</article>", start)]


def test_progress_as_the_plan_page_computes_it(client_as, org, db, plan):
    from tracker.plans.models import Goal

    db.add_all(
        [
            Goal(plan_id=plan.id, title="Ship it", status="done", position=1),
            Goal(plan_id=plan.id, title="Gone", status="dropped", position=2),
            Goal(
                plan_id=plan.id,
                title="Write the RFC",
                status="not_started",
                position=3,
                due_date=date(2027, 1, 15),
            ),
        ]
    )
    db.commit()
    for who in ("lead", "admin", "engineer"):
        panel = _panel(client_as(who), org.eng)
        assert "Towards <strong>Senior</strong> · by 2027-06-30" in panel, who
        assert "1 of 3 goals done" in panel  # the dropped goal does not count
        assert 'value="50"' in panel and "50%" in panel  # (0.5 + 1 + 0) / 3
        assert "Due next: Write the RFC (2027-01-15)" in panel
        assert f'href="/members/{org.eng.id}/plan"' in panel
    plan_page = client_as("lead").get(f"/members/{org.eng.id}/plan").get_data(as_text=True)
    assert 'value="50"' in plan_page  # the same figure on the plan page


def test_no_plan_yet(client_as, org, db):
    for who in ("lead", "admin"):
        panel = _panel(client_as(who), org.eng)
        assert "No growth plan yet" in panel and ">create one</a>" in panel, who
    panel = _panel(client_as("engineer"), org.eng)
    assert "your lead creates it with you" in panel and "create one" not in panel
    from tracker.db import utcnow

    org.eng.archived, org.eng.archived_at = True, utcnow()
    db.commit()
    assert "create one" not in _panel(client_as("lead"), org.eng)
