"""The board in one action (issue #13): a lead moves a card to Done from the board (with
static/js/board.js: in place, no reload) and filters the board by owner."""

from __future__ import annotations

import re

import pytest

from .support import LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.browser
def test_move_a_card_to_done_then_filter_by_owner(page, live_server, shot):
    ((sprint_id,),) = live_server.query(
        "SELECT sprint.id FROM sprint JOIN team ON team.id = sprint.team_id "
        "WHERE team.name = 'ML Platform' AND sprint.state = 'active'"
    )
    login(page, LEAD)
    page.goto(f"/sprints/{sprint_id}")
    page.evaluate("window.boardNotReloaded = true")
    open_cols = page.locator(
        "section.board-col[aria-label='Planned'], section.board-col[aria-label='In progress']"
    )
    card = open_cols.locator("article.card").first
    title = card.get_by_role("link").first.inner_text()
    card.get_by_label("Status").select_option("done")
    shot("1-chosen")
    card.get_by_role("button", name="Move").click()

    done = page.locator("section.board-col[aria-label='Done']")
    expect(done.locator("article.card").filter(has_text=title)).to_be_visible()
    expect(page.locator("#board-messages")).to_contain_text(f"{title}: now Done.")
    assert page.evaluate("window.boardNotReloaded === true")  # updated in place
    expect(done.get_by_role("link", name=title)).to_be_focused()
    shot("2-moved")

    # Dropping needs a reason: refused beside the card, the choice kept, still no reload.
    other = open_cols.locator("article.card").first
    other_title = other.get_by_role("link").first.inner_text()
    other.get_by_label("Status").select_option("dropped")
    other.get_by_role("button", name="Move").click()
    expect(page.locator("#board-messages")).to_contain_text("Say why the milestone is dropped.")
    kept = open_cols.locator("article.card").filter(has_text=other_title)
    expect(kept.get_by_label("Status")).to_have_value("dropped")
    expect(kept.locator(".field-error")).to_contain_text("Say why the milestone is dropped.")
    assert page.evaluate("window.boardNotReloaded === true")

    owner = page.get_by_label("Owner", exact=True)
    names = [
        o
        for o in owner.locator("option").all_inner_texts()
        if o not in ("Everyone", "Mine", "Nobody (unassigned)")
    ]
    assert names, "the board lists its owners"
    owner.select_option(label=names[0])
    page.get_by_role("button", name="Filter").click()
    cards = page.locator("article.card")
    expect(cards.first).to_be_visible()
    for meta in cards.locator(".card-meta").all_inner_texts():
        assert names[0] in meta
    expect(page).to_have_url(re.compile(r"\?owner=\d+$"))
    selected = page.get_by_label("Owner", exact=True).locator("option:checked")
    expect(selected).to_have_text(names[0])
    shot("3-filtered")
