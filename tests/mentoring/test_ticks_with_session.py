"""Carried items ticked with the 1:1 form (#13, defect 1): one submit saves the typing and the
ticks together; a refused save keeps every typed field and box and ticks nothing."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from tracker.mentoring.models import ActionItem, Meeting

TYPED = "Typed-during-the-1:1 notes 4b1e"


def _form(**overrides):
    data = {
        "kind": "one_on_one",
        "held_at": "2026-11-20T10:00",
        "duration_minutes": "30",
        "agenda": "Agenda typed live",
        "shared_notes": TYPED,
        "private_notes": "Private typed live",
        "mood": "3",
    }
    data.update(overrides)
    return data


def _carried(db, org, make_session):
    """Two open items of Eve's from an earlier 1:1, and one of Max's."""
    make_session(
        org.eng,
        org.lead,
        held_at=datetime(2026, 10, 1, 10),
        items=[("Finish the Spark course", "mentee", None), ("Book the offsite", "lead", None)],
    )
    make_session(
        org.mate, org.lead, held_at=datetime(2026, 10, 1, 11), items=[("Max's", "mentee", None)]
    )
    eves = db.scalars(
        select(ActionItem).where(ActionItem.member_id == org.eng.id).order_by(ActionItem.id)
    ).all()
    maxs = db.scalar(select(ActionItem).where(ActionItem.member_id == org.mate.id))
    return eves[0], eves[1], maxs


def _done(db) -> dict[str, bool]:
    db.expire_all()
    return {i.text: i.done for i in db.scalars(select(ActionItem))}


def _meetings(db, member) -> int:
    return db.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.member_id == member.id)
    )


def _box(html: str, item_id: int) -> str:
    """The "done" checkbox of one item on a page."""
    found = re.search(rf'<input type="checkbox" name="done" value="{item_id}"[^>]*>', html)
    assert found, f"no done box for item {item_id}"
    return found.group(0)


def test_the_new_1on1_form_holds_the_carried_items_as_done_boxes(client_as, org, db, make_session):
    spark, offsite, _ = _carried(db, org, make_session)
    html = client_as("lead").get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    form = html[html.index('<form method="post" novalidate data-unsaved-warning>') :]
    assert 'id="carried-h"' in form.split("</form>")[0]  # inside the one form
    for item in (spark, offsite):
        assert "checked" not in _box(html, item.id)
    assert "/done" not in html  # no form of its own that would reload the page


def test_ticks_are_saved_with_the_new_session(client_as, org, db, make_session):
    spark, offsite, _ = _carried(db, org, make_session)
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/sessions/new", _form(done=[str(spark.id)]))
    assert r.status_code == 302
    assert _done(db) == {"Finish the Spark course": True, "Book the offsite": False, "Max's": False}
    s = db.scalar(select(Meeting).where(Meeting.shared_notes == TYPED))
    assert s is not None and s.agenda == "Agenda typed live"
    ticked = db.get(ActionItem, spark.id)
    assert ticked.done_by_id == org.lead.id and ticked.done_at is not None
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Session logged. 1 action item ticked off." in page


def test_a_refused_save_ticks_nothing_and_keeps_every_field_and_box(
    client_as, org, db, make_session
):
    spark, offsite, _ = _carried(db, org, make_session)
    before = _meetings(db, org.eng)
    r = client_as("lead").form(
        f"/members/{org.eng.id}/sessions/new",
        _form(held_at="not a date", done=[str(spark.id), str(offsite.id)]),
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Not a valid datetime value." in html
    for typed in (TYPED, "Agenda typed live", "Private typed live"):
        assert typed in html
    assert "checked" in _box(html, spark.id) and "checked" in _box(html, offsite.id)
    assert not any(_done(db).values())
    assert _meetings(db, org.eng) == before


def test_another_members_item_is_refused_and_nothing_is_saved(client_as, org, db, make_session):
    spark, _, maxs = _carried(db, org, make_session)
    before = _meetings(db, org.eng)
    r = client_as("lead").form(
        f"/members/{org.eng.id}/sessions/new", _form(done=[str(spark.id), str(maxs.id)])
    )
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Done: pick from Eve Engineer’s open items." in html
    assert TYPED in html and "checked" in _box(html, spark.id)
    assert not any(_done(db).values())  # neither Max's item nor Eve's own
    assert _meetings(db, org.eng) == before  # the session went with the refusal


def test_unknown_or_garbled_ids_never_500(client_as, org, db, make_session):
    spark, _, _ = _carried(db, org, make_session)
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/sessions/new", _form(done=["abc", str(spark.id)]))
    assert r.status_code == 200 and TYPED in r.get_data(as_text=True)
    assert not any(_done(db).values())
    before = _meetings(db, org.eng)
    for bad in ("99999999", "-1", "9" * 40):  # no such item: refused, the typing kept
        r = client.form(f"/members/{org.eng.id}/sessions/new", _form(done=[str(spark.id), bad]))
        assert r.status_code == 200 and TYPED in r.get_data(as_text=True), bad
        assert "Done: pick from Eve Engineer’s open items." in r.get_data(as_text=True), bad
    assert not any(_done(db).values())
    assert _meetings(db, org.eng) == before
    r = client.form(
        f"/members/{org.eng.id}/sessions/new", _form(done=[str(n) for n in range(1, 200)])
    )
    assert r.status_code == 200 and "at most" in r.get_data(as_text=True)


def test_an_item_ticked_meanwhile_stays_ticked(client_as, org, db, make_session):
    spark, _, _ = _carried(db, org, make_session)
    client = client_as("lead")
    assert client.form(f"/items/{spark.id}/done").status_code == 302
    done_at = db.get(ActionItem, spark.id).done_at
    r = client.form(f"/members/{org.eng.id}/sessions/new", _form(done=[str(spark.id)]))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Session logged.<" in page and "action item ticked off" not in page  # none was open
    db.expire_all()
    assert db.get(ActionItem, spark.id).done_at == done_at  # its first tick is kept


def test_editing_a_1on1_ticks_its_carried_items_with_the_save(client_as, org, db, make_session):
    spark, offsite, _ = _carried(db, org, make_session)
    s = make_session(org.eng, org.lead, held_at=datetime(2026, 11, 2, 10), shared="Before")
    client = client_as("lead")
    html = client.get(f"/sessions/{s.id}/edit").get_data(as_text=True)
    assert "checked" not in _box(html, spark.id)
    edit = _form(held_at="2026-11-02T10:00")
    r = client.form(
        f"/sessions/{s.id}/edit", {**edit, "duration_minutes": "0", "done": [str(offsite.id)]}
    )
    assert r.status_code == 200 and "checked" in _box(r.get_data(as_text=True), offsite.id)
    assert not any(_done(db).values())
    assert db.get(Meeting, s.id).shared_notes == "Before"
    r = client.form(f"/sessions/{s.id}/edit", {**edit, "done": [str(offsite.id)]})
    assert r.status_code == 302
    assert _done(db) == {"Finish the Spark course": False, "Book the offsite": True, "Max's": False}
    assert db.get(Meeting, s.id).shared_notes == TYPED


def test_an_engineer_cannot_tick_through_the_session_form(client_as, org, db, make_session):
    spark, offsite, maxs = _carried(db, org, make_session)
    s = db.scalar(select(Meeting).where(Meeting.member_id == org.eng.id))
    client = client_as("engineer")
    done = [str(spark.id), str(offsite.id), str(maxs.id)]
    assert client.form(f"/members/{org.eng.id}/sessions/new", _form(done=done)).status_code == 403
    assert client.form(f"/members/{org.mate.id}/sessions/new", _form(done=done)).status_code == 403
    assert client.form(f"/sessions/{s.id}/edit", _form(done=done)).status_code == 403
    assert not any(_done(db).values())


def test_another_teams_lead_cannot_tick_through_the_form(client_as, org, db, make_session):
    spark, _, _ = _carried(db, org, make_session)
    r = client_as("other@example.com").form(
        f"/members/{org.eng.id}/sessions/new", _form(done=[str(spark.id)])
    )
    assert r.status_code == 404
    assert not any(_done(db).values())


def test_pages_without_a_typed_form_keep_their_tick_buttons(client_as, org, db, make_session):
    spark, _, _ = _carried(db, org, make_session)
    later = make_session(org.eng, org.lead, held_at=datetime(2026, 11, 2, 10))
    lead = client_as("lead")
    assert f"/items/{spark.id}/done" in lead.get(f"/sessions/{later.id}").get_data(as_text=True)
    eve = client_as("engineer")
    assert f"/items/{spark.id}/done" in eve.get("/me").get_data(as_text=True)
    assert eve.form(f"/items/{spark.id}/done", {"next": "/me"}).status_code == 302
    assert _done(db)["Finish the Spark course"]
