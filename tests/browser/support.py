"""Helpers for the browser journeys: the demo's logins, logging in, and axe.

Playwright and axe-playwright-python are imported inside the helpers, so that the conftest
(which needs the constants) loads, and skips the tests, on a machine without them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

DEMO_PASSWORD = "browser-tests-demo-password"
LEAD = "dana.lead@example.com"
ENGINEER = "priya@example.com"
FAILING_IMPACTS = ("serious", "critical")


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form and wait for the page after it."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@cache
def _axe():
    # axe-core's script ships inside the package (axe.min.js): nothing is fetched at run time.
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_violations(page: Page, name: str) -> tuple[list[str], list[str]]:
    """Run axe on the page as it is: (serious or critical violations, the others), described."""
    results = _axe().run(page)
    failing, other = [], []
    for v in results.response["violations"]:
        nodes = "".join(
            f"\n      {', '.join(map(str, n['target']))}: {n['html'][:160]}"
            f"\n        {n.get('failureSummary', '').replace(chr(10), ' ')}"
            for n in v["nodes"]
        )
        text = f"{name} ({page.url}): {v['id']} [{v['impact']}] {v['help']}{nodes}"
        (failing if v["impact"] in FAILING_IMPACTS else other).append(text)
    return failing, other
