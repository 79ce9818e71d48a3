"""Keyboard only: Tab reaches every field and the submit button in order; Enter submits."""

from __future__ import annotations

import re

import pytest

from .support import DEMO_PASSWORD, LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect

MAX_TABS = 30  # from the top of the page to the form's first field, through the nav


def _tab_to(page, locator) -> None:
    """Press Tab until `locator` has the focus (the header's links come first)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def _next(page, locator) -> None:
    """The next Tab moves the focus to `locator`, and nowhere else."""
    page.keyboard.press("Tab")
    expect(locator).to_be_focused()


def _next_after_widget(page, widget, locator, stops: int = 4) -> None:
    """Tab out of a widget with stops of its own (Chromium's date input: the month, day and
    year segments and the calendar button); the focus lands on `locator`."""
    for _ in range(stops):
        page.keyboard.press("Tab")
        if not widget.evaluate("el => el === document.activeElement"):
            break
    expect(locator).to_be_focused()


@pytest.mark.browser
def test_login_form_by_keyboard(page, shot):
    page.goto("/login")
    email = page.get_by_label("Email")
    _tab_to(page, email)
    page.keyboard.type(LEAD)
    _next(page, page.get_by_label("Password"))
    page.keyboard.type(DEMO_PASSWORD)
    _next(page, page.get_by_label("Keep me logged in on this device"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Keep me logged in on this device")).to_be_checked()
    _next(page, page.get_by_role("button", name="Log in"))
    shot("1-filled")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()


@pytest.mark.browser
def test_new_member_form_by_keyboard(page, shot):
    login(page, LEAD)
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name="ML Platform", exact=True).click()
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("heading", name="Add a member to ML Platform")).to_be_visible()

    _tab_to(page, page.get_by_label("Name"))
    page.keyboard.type("Kim Keyboard")
    _next(page, page.get_by_label("Email"))
    page.keyboard.type("kim.keyboard@example.com")
    _next(page, page.get_by_label("Job title"))
    page.keyboard.type("MLOps Engineer")
    level = page.get_by_label("Career level")
    _next(page, level)
    page.keyboard.type("Senior")  # type-ahead on a closed select
    expect(level).to_have_value("Senior")
    start = page.get_by_label("Start date")
    _next(page, start)
    page.keyboard.type("03022026")  # mm dd yyyy: the segments advance by themselves
    expect(start).to_have_value("2026-03-02")
    cadence = page.get_by_label("1:1 cadence (days)")
    _next_after_widget(page, start, cadence)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("21")
    expect(cadence).to_have_value("21")
    _next(page, page.get_by_label("Team", exact=True))
    _next(page, page.get_by_role("button", name="Add member"))
    shot("1-filled")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Kim Keyboard")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("kim.keyboard@example.com")
    expect(facts).to_contain_text("Career levelSenior")
    expect(facts).to_contain_text("Started2026-03-02")
    expect(facts).to_contain_text("every 21 days")
    shot("2-added")
