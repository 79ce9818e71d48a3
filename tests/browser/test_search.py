"""Search from the nav: a lead types in the box on any page, Enter shows the results grouped by
kind with the words marked, at /search (the words nowhere in the address); an engineer's search
for a private note's words finds nothing."""

from __future__ import annotations

import re

import pytest

from .support import ENGINEER, LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.browser
def test_a_lead_searches_from_the_nav_and_opens_a_result(page, shot):
    login(page, LEAD)
    box = page.get_by_role("search", name="Search", exact=True).get_by_role(
        "searchbox", name="Search terms"
    )
    box.fill("Feature store")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search$"))  # the words are in no address
    expect(page.get_by_role("heading", level=1, name="Search")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(r"^Projects"))).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(r"^1:1 sessions"))).to_be_visible()
    expect(page.locator(".search-hits mark").first).to_have_text(re.compile("feature store", re.I))
    expect(page.get_by_role("searchbox", name="Search", exact=True)).to_have_value(
        "Feature store"
    )  # kept
    shot("1-results")
    page.locator(".search-hits a[href^='/projects/']").first.click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))


@pytest.mark.browser
def test_a_short_term_is_explained_and_an_engineer_finds_no_private_note(page, shot):
    login(page, ENGINEER)
    box = page.get_by_role("searchbox", name="Search terms")
    box.fill("x")
    box.press("Enter")
    expect(page.locator(".field-error")).to_have_text(re.compile("at least 2 characters"))
    expect(page.get_by_role("searchbox", name="Search", exact=True)).to_have_value("x")
    shot("1-too-short")
    field = page.get_by_role("searchbox", name="Search", exact=True)
    field.fill("keep an eye on workload")  # a private note of the demo's leads
    page.get_by_role("form", name="Search everything").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Nothing found")).to_be_visible()
