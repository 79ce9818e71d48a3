"""A lead's full review of a member: all 39 competencies re-rated and saved in one submit,
with one mistake on the way that keeps everything typed and shows beside its row."""

from __future__ import annotations

import pytest

from .support import LEAD, axe_violations, login

expect = pytest.importorskip("playwright.sync_api").expect

MEMBER = "Priya Raman"


def _ratings(live_server, member_id: int) -> int:
    return live_server.query("SELECT count(*) FROM rating WHERE member_id = ?", member_id)[0][0]


@pytest.mark.browser
def test_a_full_review_is_one_submit(page, shot, live_server):
    ((member_id,),) = live_server.query("SELECT id FROM member WHERE name = ?", MEMBER)
    before = _ratings(live_server, member_id)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    login(page, LEAD)
    page.goto(f"/members/{member_id}/competencies")
    expect(page.get_by_role("heading", name=f"{MEMBER}: competencies")).to_be_visible()
    form = page.locator("form#ratings")
    save = form.locator(".save-bar").get_by_role("button", name="Save ratings")
    page.locator("section[id^='cat-']").first.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()  # the bottom bar sticks: Save is in reach all the way

    selects = form.locator("select[name^='c']")
    expect(selects).to_have_count(39)
    chosen = []
    for i in range(39):
        select = selects.nth(i)
        now = select.input_value()
        value = str((int(now) + 1) % 6) if now else "3"  # every row changes
        select.select_option(value)
        chosen.append(value)
    page.get_by_label("Evidence for Python and programming", exact=True).fill("Led the rewrite.")
    link = page.get_by_label(
        "Evidence link for Explaining ML to non-technical stakeholders", exact=True
    )
    link.fill("not a link")
    shot("1-review-typed")
    posts.clear()
    save.click()

    # One mistake: nothing saved, every choice kept, the error beside its row.
    expect(page.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible()
    row = page.locator("tr#comp-stakeholder-communication")
    expect(row.locator(".field-error")).to_contain_text("must start with http")
    expect(link).to_have_value("not a link")
    expect(link).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Evidence for Python and programming", exact=True)).to_have_value(
        "Led the rewrite."
    )
    assert [selects.nth(i).input_value() for i in range(39)] == chosen
    assert _ratings(live_server, member_id) == before
    failing, _minor = axe_violations(page, "review with an error")
    assert not failing, "\n".join(failing)
    shot("2-error-kept")

    link.fill("https://wiki.example.com/stakeholders")
    save.click()
    categories = page.locator("section[id^='cat-']").count()
    expect(page.get_by_role("status")).to_contain_text(
        f"Saved 39 ratings in {categories} categories."
    )
    expect(page.get_by_text("Rated 39 of 39 competencies by a lead.")).to_be_visible()
    assert [selects.nth(i).input_value() for i in range(39)] == chosen  # now the current ones
    assert _ratings(live_server, member_id) == before + 39
    assert len([u for u in posts if u.endswith(f"/members/{member_id}/ratings")]) == 2  # 1 each
    shot("3-saved")

    # Saving again with nothing changed records nothing.
    save.click()
    expect(page.get_by_role("status")).to_contain_text("No rating was changed: nothing to save.")
    assert _ratings(live_server, member_id) == before + 39
