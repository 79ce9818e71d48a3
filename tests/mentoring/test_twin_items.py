"""Issue #13 item 7: an action item agreed again while it was still open (carried) is one
commitment: the dashboard, the engineer's home, the 1:1 pages and the agenda list it once, and
ticking it off ticks off its twins."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tracker.db import utcnow
from tracker.mentoring.models import ActionItem

TEXT = "Pair with Noah on the deployment"


def _rows(html: str, text: str) -> int:
    """How many list rows or table rows name `text` (tick buttons, the 1:1 form's "done"
    boxes and cells, not the agenda)."""
    ticks = re.findall(rf"(?:Tick off|Done): {text}\"", html)
    return len(ticks) + len(re.findall(rf'">{text}</a></td>', html))


def _made(client_as, org, make_session):
    now, today = utcnow(), utcnow().date()
    make_session(
        org.eng,
        org.lead,
        held_at=now - timedelta(days=30),
        items=[(TEXT, "mentee", today - timedelta(days=20)), ("Other thing", "mentee", None)],
    )
    later = make_session(
        org.eng,
        org.lead,
        held_at=now - timedelta(days=10),
        items=[
            (f"  {TEXT.lower()} ", "mentee", today - timedelta(days=3)),  # agreed again
            (TEXT, "lead", today - timedelta(days=2)),  # the lead's own: another commitment
        ],
    )
    make_session(
        org.mate,
        org.lead,
        held_at=now - timedelta(days=5),
        items=[(TEXT, "mentee", today - timedelta(days=1))],
    )
    return later


def test_a_carried_item_agreed_again_is_listed_once(client_as, org, db, make_session):
    later = _made(client_as, org, make_session)
    lead = client_as("lead")
    html = lead.get("/dashboard").get_data(as_text=True)
    items = html[html.index('id="items-h"') :]
    rows = re.findall(r'<tr><td><a href="/sessions/\d+">([^<]+)</a></td>\s*<td>([^<]+)</td>', items)
    assert sorted(rows) == sorted(
        [(TEXT, "Eve Engineer"), (TEXT, "Eve Engineer"), (TEXT, "Max Mate")]
    )  # Eve's own and the lead's: two owners, two commitments; never her twin
    assert "(20 days ago)" in items and "(3 days ago)" not in items  # the older one stands
    new = lead.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert _rows(new, TEXT) == 2  # hers and the lead's
    agenda = new[new.index('name="agenda"') :]
    agenda = agenda[: agenda.index("</textarea>")]
    assert agenda.lower().count(TEXT.lower()) == 2
    assert _rows(lead.get(f"/members/{org.eng.id}/items").get_data(as_text=True), TEXT) == 2
    session_page = lead.get(f"/sessions/{later.id}").get_data(as_text=True)
    carried = session_page[: session_page.index('id="items"')]
    assert _rows(carried, TEXT) == 1  # the first agreement, still open before this 1:1
    home = client_as("engineer").get("/me").get_data(as_text=True)
    assert _rows(home, TEXT) == 1  # her tick button once (the lead's item has none here)


def test_ticking_it_off_ticks_off_its_twins(client_as, org, db, make_session):
    _made(client_as, org, make_session)
    first = db.scalar(
        select(ActionItem).where(
            ActionItem.text == TEXT,
            ActionItem.member_id == org.eng.id,
            ActionItem.owner == "mentee",
        )
    )
    eng = client_as("engineer")
    assert eng.form(f"/items/{first.id}/done", {"next": "/me"}).status_code == 302
    still = {
        (i.member_id, i.owner, i.text.strip().lower())
        for i in db.scalars(select(ActionItem).where(ActionItem.done.is_(False)))
    }
    assert (org.eng.id, "mentee", TEXT.lower()) not in still  # her twin went with it
    assert (org.eng.id, "lead", TEXT.lower()) in still and (
        org.mate.id,
        "mentee",
        TEXT.lower(),
    ) in still
    assert _rows(eng.get("/me").get_data(as_text=True), TEXT) == 0
    lead = client_as("lead")
    assert lead.form(f"/items/{first.id}/reopen", {"next": "/dashboard"}).status_code == 302
    reopened = db.scalars(
        select(ActionItem).where(
            ActionItem.member_id == org.eng.id,
            ActionItem.owner == "mentee",
            ActionItem.done.is_(False),
            ActionItem.text != "Other thing",
        )
    ).all()
    assert [i.id for i in reopened] == [first.id]  # re-opening is of that one item
