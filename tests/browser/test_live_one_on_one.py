"""A live 1:1 (#13, defect 1): the lead types, ticks a carried item, types more and saves, and
both the notes and the tick are stored; a form with unsaved typing asks before the page goes."""

from __future__ import annotations

import re

import pytest

from .support import ENGINEER, LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect

FIRST = "Talked through the launch retro."
MORE = " Then agreed the next step on the runbook."
PRIVATE = "Energy back up after the release week."


def _new_session(page, live_server) -> int:
    ((member_id,),) = live_server.query("SELECT id FROM member WHERE email = ?", ENGINEER)
    login(page, LEAD)
    page.goto(f"/members/{member_id}/sessions/new")
    expect(page.get_by_role("heading", name="New session with Priya Raman")).to_be_visible()
    return member_id


@pytest.mark.browser
def test_live_1on1_keeps_typed_notes_when_a_carried_item_is_ticked(page, shot, live_server):
    member_id = _new_session(page, live_server)
    carried = page.locator("article").filter(
        has=page.get_by_role("heading", name="Open from earlier sessions")
    )
    box = carried.get_by_role("checkbox").first
    item_id = int(box.get_attribute("value") or 0)
    ((done_before, owner),) = live_server.query(
        "SELECT done, member_id FROM action_item WHERE id = ?", item_id
    )
    assert not done_before and owner == member_id, "the box is one of Priya's open items"

    shared = page.get_by_label("Shared notes")
    shared.click()
    shared.press_sequentially(FIRST)
    box.check()  # mid-typing: the page stays, the typing stays
    expect(shared).to_have_value(FIRST)
    expect(box).to_be_checked()
    shared.press("End")
    shared.press_sequentially(MORE)
    page.get_by_label("Private notes").fill(PRIVATE)
    shot("1-typed-and-ticked")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", level=1, name="1:1 with Priya Raman")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Session logged. 1 action item ticked off.")
    shot("2-saved")
    session_id = int(re.search(r"/sessions/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    ((notes, private),) = live_server.query(
        "SELECT shared_notes, private_notes FROM mentoring_session WHERE id = ?", session_id
    )
    assert notes == FIRST + MORE and private == PRIVATE
    ((done,),) = live_server.query("SELECT done FROM action_item WHERE id = ?", item_id)
    assert done, "the ticked item was not ticked off with the session"


@pytest.mark.browser
def test_leaving_a_form_with_unsaved_typing_asks_first(page, shot, live_server):
    _new_session(page, live_server)
    url = page.url
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    page.on("dialog", stay)
    shared = page.get_by_label("Shared notes")
    shared.click()
    shared.press_sequentially("Half a thought")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_timeout(500)  # the dialog is handled in an event; give it the time to come
    assert asked == ["beforeunload"], asked
    assert page.url == url
    expect(shared).to_have_value("Half a thought")
    shot("1-asked")

    # Typing undone is nothing to lose: the page goes without asking.
    shared.fill("")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    assert asked == ["beforeunload"], asked

    # Saving is leaving on purpose: no question either.
    page.go_back()
    expect(page.get_by_label("Shared notes")).to_be_visible()
    page.get_by_label("Shared notes").click()
    page.get_by_label("Shared notes").press_sequentially("Saved on purpose")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status")).to_have_text("Session logged.")
    assert asked == ["beforeunload"], asked

    # A refused save shows typing that is not stored yet: leaving it asks too.
    page.get_by_role("link", name="all sessions").click()
    page.get_by_role("button", name="New session").click()
    page.get_by_label("Duration (minutes)").fill("0")
    page.get_by_label("Private notes").fill("Not saved: the duration was refused")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("Number must be between 1 and 600.")).to_be_visible()
    refused_url = page.url
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload", "beforeunload"], asked
    assert page.url == refused_url
    expect(page.get_by_label("Private notes")).to_have_value("Not saved: the duration was refused")
    shot("2-refused-asks")
