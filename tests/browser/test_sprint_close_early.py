"""Closing a sprint early and starting the next one now (issue #13, defect 3): the next
sprint's board and the lead's dashboard agree on the days left, and neither says it starts
in the future."""

from __future__ import annotations

import re
from datetime import date

import pytest

from .support import LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect

DAYS_LEFT = re.compile(r"\d+ days? left")


@pytest.mark.browser
def test_closing_early_starts_the_next_sprint_today(page, shot):
    login(page, LEAD)
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name="ML Platform", exact=True).click()
    page.get_by_role("button", name="Sprints and projects").click()
    sprints = page.locator("table").filter(has=page.get_by_role("columnheader", name="Sprint"))
    active = sprints.get_by_role("row").filter(has_text="Active")
    active_name = active.get_by_role("link").first.inner_text()
    next_name = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), active_name)
    active.get_by_role("link", name=active_name).click()
    page.get_by_role("button", name="Close the sprint…").click()
    expect(page.get_by_label("Start the next sprint now")).to_be_checked()
    page.get_by_role("button", name=f"Close {active_name}").click()

    heading = page.get_by_role("heading", level=1, name=re.compile(next_name))
    expect(heading).to_contain_text("Active")
    summary = page.locator("hgroup p")
    today = date.today().isoformat()
    expect(summary).to_contain_text(f"{today} to ")  # it starts today
    expect(summary).not_to_contain_text("starts in")
    board_says = DAYS_LEFT.search(summary.inner_text())
    assert board_says, summary.inner_text()
    shot("1-next-board")

    page.goto("/dashboard")
    panel = page.locator("article.delivery-team").filter(has_text="ML Platform")
    expect(panel).to_contain_text(f"Active sprint: {next_name}")
    expect(panel).not_to_contain_text("starts in")
    expect(panel.locator("strong").first).to_have_text(board_says.group())
    shot("2-dashboard")
