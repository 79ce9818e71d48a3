"""An engineer's journey: her home, her own action items, and no way to any private note."""

from __future__ import annotations

import re

import pytest

from .support import ENGINEER, LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect

ITEM = "Write the ranking model post-mortem"
PRIVATE = "Asked about the Lead role; talk to HR before the next review."


def _session_links(page) -> set[str]:
    hrefs = page.locator("a[href^='/sessions/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return {h for h in hrefs if re.fullmatch(r"/sessions/\d+", h)}


def _lead_logs_a_session_with_priya(page, live_server) -> None:
    ((member_id,),) = live_server.query("SELECT id FROM member WHERE email = ?", ENGINEER)
    login(page, LEAD)
    page.goto(f"/members/{member_id}/sessions/new")
    page.get_by_label("Shared notes").fill("Agreed to write up the ranking launch.")
    page.get_by_label("Private notes").fill(PRIVATE)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_have_text("Session logged.")
    page.get_by_label("Action item").fill(ITEM)
    page.get_by_role("button", name="Add action item").click()
    expect(page.locator("section#items li").filter(has_text=ITEM)).to_contain_text("mentee")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


@pytest.mark.browser
def test_engineer_sees_her_home_ticks_an_item_and_no_private_note(page, shot, live_server):
    _lead_logs_a_session_with_priya(page, live_server)
    login(page, ENGINEER)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", level=1, name="Priya Raman")).to_be_visible()
    expect(page.get_by_role("heading", name="Growth plan: towards Lead")).to_be_visible()
    expect(page.get_by_label("Overall progress")).to_be_visible()
    radar = page.get_by_role("img", name=re.compile(r"^Radar chart"))
    expect(radar).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=radar.element_handle()
    )
    assert radar.evaluate("img => img.naturalWidth") > 0
    shot("1-home")

    open_items = page.locator("article").filter(
        has=page.get_by_role("heading", name="Open action items")
    )
    # Only her own items have a tick: the lead's are shown without one.
    lead_owned = open_items.get_by_role("listitem").filter(has_text="· lead")
    expect(lead_owned).not_to_have_count(0)
    expect(lead_owned.get_by_role("button")).to_have_count(0)
    open_items.get_by_role("button", name=f"Tick off: {ITEM}").click()
    expect(page.get_by_role("status")).to_have_text(f"“{ITEM}” ticked off.")
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(open_items.get_by_role("listitem").filter(has_text=ITEM)).to_have_count(0)
    shot("2-item-ticked")

    # Every session page her pages link to, and none shows a private note.
    links = _session_links(page)
    page.get_by_role("link", name="my sessions").click()
    expect(page.get_by_role("heading", name="Sessions with Priya Raman")).to_be_visible()
    links |= _session_links(page)
    mine = live_server.query(
        "SELECT s.id, s.private_notes FROM mentoring_session s JOIN member m"
        " ON m.id = s.member_id WHERE m.email = ?",
        ENGINEER,
    )
    privates = {notes for _, notes in mine if notes}
    assert PRIVATE in privates and len(privates) > 1, (
        "the demo gives Priya sessions with private notes: the check needs them"
    )
    assert links and links <= {f"/sessions/{sid}" for sid, _ in mine}
    lead_items_seen = 0
    newest_first = sorted(links, key=lambda h: -int(h.rsplit("/", 1)[1]))
    for href in newest_first:
        response = page.goto(href)
        assert response.status == 200, href
        expect(page.get_by_role("heading", level=1)).to_contain_text("with Priya Raman")
        expect(page.get_by_role("heading", name="Shared notes")).to_be_visible()
        expect(page.get_by_role("heading", name="Private notes")).to_have_count(0)
        expect(page.locator("section.private")).to_have_count(0)
        body = page.locator("body").inner_text()
        assert not any(p in body for p in privates), href
        # Carried items she does not own (the lead's) offer her no tick: it would be refused.
        carried = page.locator("article").filter(
            has=page.get_by_role("heading", name="Still open from earlier sessions")
        )
        lead_items = carried.get_by_role("listitem").filter(has_text="· lead")
        lead_items_seen += lead_items.count()
        expect(lead_items.get_by_role("button")).to_have_count(0)
        if href == newest_first[0]:
            shot("3-newest-session")
    assert lead_items_seen, "the newest session carries the lead's open item"

    # Guessing the address of another member's session: the 404 page, nothing of it.
    (other,) = live_server.query(
        "SELECT s.id FROM mentoring_session s JOIN member m ON m.id = s.member_id"
        " WHERE m.email = 'tomas@example.com' AND s.private_notes != '' LIMIT 1"
    )
    response = page.goto(f"/sessions/{other[0]}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("404 · Not found")
    expect(page.get_by_text("Tomás")).to_have_count(0)
    shot("4-other-session-404")
