"""A lead's journeys through the real app: a new member rated and exported, a 1:1 with its
action item carried to the next one, and a sprint closed with carry-over."""

from __future__ import annotations

import io
import re

import pytest

from .support import LEAD, login

expect = pytest.importorskip("playwright.sync_api").expect

NEW_MEMBER = "Zoë Browser"
NEW_EMAIL = "zoe.browser@example.com"


def _open_team(page, name: str = "ML Platform") -> None:
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


@pytest.mark.browser
def test_lead_adds_rates_and_exports_a_member(page, shot):
    from openpyxl import load_workbook

    login(page, LEAD)
    shot("1-dashboard")
    _open_team(page)
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("heading", name="Add a member to ML Platform")).to_be_visible()
    page.get_by_label("Name").fill(NEW_MEMBER)
    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_label("Job title").fill("ML Engineer")
    page.get_by_label("Career level").select_option("Mid")
    page.get_by_label("Start date").fill("2026-03-02")
    shot("2-new-member-form")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("heading", level=1, name=NEW_MEMBER)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{NEW_MEMBER} added to the team.")

    page.get_by_role("button", name="Competencies and ratings").click()
    expect(page.get_by_role("heading", name=f"{NEW_MEMBER}: competencies")).to_be_visible()
    expect(page.get_by_text("Rated 0 of 39 competencies by a lead.")).to_be_visible()
    section = page.locator("section#cat-delivery")
    ratings = {
        "Scoping and estimation": "3",
        "Agile delivery": "4",
        "Risk and resource management": "2",
    }
    for competency, value in ratings.items():
        section.get_by_label(f"Rating for {competency}", exact=True).select_option(value)
    section.get_by_label("Evidence for Agile delivery", exact=True).fill("Ran the Q3 planning.")
    shot("3-category-form")
    page.get_by_role("button", name="Save ratings").last.click()  # the page's one form

    expect(page.get_by_role("status")).to_contain_text(
        "Saved 3 ratings in Project management and Agile delivery."
    )
    expect(page.get_by_text("Rated 3 of 39 competencies by a lead.")).to_be_visible()
    for competency, value in ratings.items():
        row = section.get_by_role("row").filter(has_text=competency)
        expect(row.locator("td").nth(1)).to_have_text(value)  # the Lead column
    shot("4-rated")

    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name="ML Platform", exact=True).click()
    page.get_by_role("button", name="Skill matrix").click()
    expect(page.get_by_role("heading", name="ML Platform: skill matrix")).to_be_visible()
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("td.cell.r5").first).to_be_visible()  # the heatmap is coloured
    new_row = matrix.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=NEW_MEMBER))
    expect(new_row).to_have_count(1)
    expect(new_row.locator("td.cell.r4")).to_have_count(1)
    shot("5-matrix")

    with page.expect_download() as info:
        page.get_by_role("button", name="XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert {"Ratings", "Gaps", "Framework"} <= set(book.sheetnames)
    rows = list(book["Ratings"].iter_rows(values_only=True))
    header = rows[1]
    mine = [r for r in rows[2:] if NEW_MEMBER in r]
    assert len(mine) == 1, f"{NEW_MEMBER} not in the Ratings sheet: {rows[2:]}"
    assert mine[0][header.index("Agile delivery")] == 4
    assert mine[0][header.index("Scoping and estimation")] == 3


@pytest.mark.browser
def test_lead_logs_a_one_on_one_and_carries_its_action_item(page, shot):
    login(page, LEAD)
    due = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Due this week"))
    due.get_by_role("listitem").filter(has_text="Mei Chen").get_by_role(
        "link", name="log a 1:1"
    ).click()
    expect(page.get_by_role("heading", name="New session with Mei Chen")).to_be_visible()
    page.get_by_label("Mood / engagement").select_option("4")
    page.get_by_label("Shared notes").fill("Agreed the **evaluation plan** for the ranker.")
    page.get_by_label("Private notes").fill("Mei seems stretched; check the on-call rota.")
    shot("1-session-form")
    page.get_by_role("button", name="Save session").click()

    expect(page.get_by_role("heading", level=1, name="1:1 with Mei Chen")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Session logged.")
    shared = page.locator("section").filter(has=page.get_by_role("heading", name="Shared notes"))
    expect(shared.locator("strong")).to_have_text("evaluation plan")
    private = page.locator("section.private")
    expect(private).to_contain_text("Mei seems stretched; check the on-call rota.")
    expect(private).to_contain_text("Who can read this")
    session_url = page.url

    item = "Draft the offline evaluation report"
    items = page.locator("section#items")
    items.get_by_label("Action item").fill(item)
    items.get_by_label("Owner").select_option("mentee")
    items.get_by_label("Due").fill("2026-12-01")
    items.get_by_role("button", name="Add action item").click()
    expect(page).to_have_url(re.compile(re.escape(session_url)))
    expect(page.locator("section#items li").filter(has_text=item)).to_contain_text("mentee")
    shot("2-session-with-item")

    page.get_by_role("link", name="all sessions").click()
    expect(page.get_by_role("heading", name="Sessions with Mei Chen")).to_be_visible()
    page.get_by_role("button", name="New session").click()
    expect(page.get_by_role("heading", name="New session with Mei Chen")).to_be_visible()
    carried = page.locator("article").filter(
        has=page.get_by_role("heading", name="Open from earlier sessions")
    )
    expect(carried.get_by_role("listitem").filter(has_text=item)).to_be_visible()
    # The carried items come first, above the form.
    box = carried.bounding_box()
    form_box = page.get_by_label("Agenda").bounding_box()
    assert box and form_box and box["y"] < form_box["y"]
    expect(page.get_by_label("Agenda")).to_have_value(re.compile(r"\*\*Open action items\*\*"))
    expect(page.get_by_label("Agenda")).to_have_value(re.compile(re.escape(f"- {item} (Mei;")))
    shot("3-next-session")


@pytest.mark.browser
def test_lead_closes_a_sprint_with_carry_over(page, shot):
    login(page, LEAD)
    _open_team(page)
    page.get_by_role("button", name="Sprints and projects").click()
    expect(page.get_by_role("heading", level=1, name="ML Platform · delivery")).to_be_visible()
    sprints = page.locator("table").filter(has=page.get_by_role("columnheader", name="Sprint"))
    active = sprints.get_by_role("row").filter(has_text="Active")
    expect(active).to_have_count(1)
    active_name = active.get_by_role("link").first.inner_text()
    next_name = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), active_name)
    active.get_by_role("link", name=active_name).click()

    expect(page.get_by_role("heading", level=1, name=re.compile(active_name))).to_be_visible()
    shot("1-board")
    page.get_by_role("button", name="Close the sprint…").click()
    expect(page.get_by_role("heading", level=1, name=f"Close {active_name}")).to_be_visible()
    expect(page.get_by_text(f"Carried milestones move to {next_name}")).to_be_visible()
    carried, dropped = "Churn model on the new store", "Deprecate the v1 store"
    expect(page.get_by_label(f"What happens to {carried}")).to_have_value("carry")
    page.get_by_label(f"What happens to {dropped}").select_option("drop")
    page.get_by_label(f"Reason for dropping {dropped}").fill("v1 stays until Q3.")
    page.get_by_label("Reason recorded with each carry-over (optional)").fill("Blocked on GPUs.")
    expect(page.get_by_label("Start the next sprint now")).to_be_checked()
    shot("2-close-form")
    page.get_by_role("button", name=f"Close {active_name}").click()

    expect(page.get_by_role("status")).to_have_text(f"{active_name} closed.")
    expect(page.get_by_role("heading", level=1, name=re.compile(next_name))).to_contain_text(
        "Active"
    )
    board = page.locator(".board")
    expect(board.get_by_role("link", name=carried)).to_be_visible()
    expect(board.get_by_role("link", name=dropped)).to_have_count(0)
    shot("3-next-board")

    board.get_by_role("link", name=carried).click()
    expect(page.get_by_role("heading", level=1, name=carried)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"Planned for{next_name}")
    moves = page.locator("table").filter(has=page.get_by_role("columnheader", name="From"))
    last = moves.locator("tbody tr").last
    expect(last.locator("td").nth(1)).to_have_text(active_name)
    expect(last.locator("td").nth(2)).to_have_text(next_name)
    expect(last.locator("td").nth(3)).to_have_text("Dana Okafor")
    expect(last.locator("td").nth(4)).to_have_text("carried over Blocked on GPUs.")
    shot("4-milestone")

    # The dropped one left the plan with its reason, on the project's timeline.
    page.get_by_role("link", name="Feature store v2").click()
    page.get_by_role("rowheader", name=re.compile(dropped)).get_by_role("link").click()
    expect(page.locator("dl.facts")).to_contain_text("StatusDropped: v1 stays until Q3.")
