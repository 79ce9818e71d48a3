"""The main pages on a phone (390 px wide) and in dark mode.

Each main page, as the persona who sees it, must fit 390 px without sideways scrolling (wide
tables scroll inside themselves), the navigation collapses into a "Menu" that opens (also from
the keyboard) and shows Log out, and screenshots at desktop and phone width are saved to
test-artifacts/browser/screenshots/<page>-desktop.png and <page>-phone.png. In dark mode
(the system setting, emulated) the page background is dark and axe finds no serious or
critical violation, colour contrast included; those screenshots are <page>-dark.png.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import ARTIFACTS
from .support import ENGINEER, LEAD, axe_violations, login

expect = pytest.importorskip("playwright.sync_api").expect

ADMIN = "admin@example.com"
SHOTS = ARTIFACTS / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The elements that stick out to the right of the viewport while their parent does not:
# where a sideways scroll comes from. Elements inside a scrolling (or clipping) box are
# skipped, as they cannot widen the page (unless absolutely placed outside it).
OFFENDERS_JS = """() => {
  const width = window.innerWidth;
  const clips = (el) => {
    // An absolutely placed element escapes every clipping box below its containing block.
    const absolute = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    const start = absolute ? el.offsetParent : el.parentElement;
    for (let p = start; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || clips(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)
        && !clips(el.parentElement)) continue;
    const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
    found.push({right: Math.round(el.getBoundingClientRect().right), what: `${name} "${text}"`});
  }
  found.sort((a, b) => b.right - a.right);
  return found.slice(0, 3).map((f) => `${f.what} reaches ${f.right}px`);
}"""


def _pages(live_server) -> dict[str, list[tuple[str, str]]]:
    """The main pages, by the persona who sees them: (screenshot name, url)."""
    q = live_server.query
    ((team,),) = q("SELECT id FROM team WHERE name = 'ML Platform'")
    ((member,),) = q("SELECT id FROM member WHERE email = ?", ENGINEER)
    ((sprint,),) = q("SELECT id FROM sprint WHERE team_id = ? AND state = 'active'", team)
    ((session,),) = q(
        "SELECT id FROM mentoring_session WHERE member_id = ? AND private_notes != ''"
        " ORDER BY held_at DESC LIMIT 1",
        member,
    )
    ((project,),) = q("SELECT id FROM project WHERE team_id = ? ORDER BY id LIMIT 1", team)
    return {
        LEAD: [
            ("dashboard", "/dashboard"),
            ("teams", "/teams"),
            ("team", f"/teams/{team}"),
            ("member", f"/members/{member}"),
            ("member-competencies", f"/members/{member}/competencies"),
            ("skill-matrix", f"/teams/{team}/matrix"),
            ("one-on-one-timeline", f"/members/{member}/sessions"),
            ("one-on-one-session", f"/sessions/{session}"),
            ("one-on-one-new", f"/members/{member}/sessions/new"),
            ("growth-plan", f"/members/{member}/plan"),
            ("delivery", f"/teams/{team}/delivery"),
            ("sprint-board", f"/sprints/{sprint}"),
            ("sprint-report", f"/teams/{team}/sprint-report"),
            ("project-timeline", f"/projects/{project}"),
            ("calendar", "/calendar"),
        ],
        ENGINEER: [
            ("engineer-home", "/me"),
            ("engineer-growth-plan", f"/members/{member}/plan"),
        ],
        ADMIN: [
            ("admin-users", "/admin/users"),
            ("admin-audit", "/admin/audit"),
        ],
    }


def _each_page(page, live_server, visit: Callable[[str, str], None]) -> None:
    """Log in as each persona (at desktop width, where Log out is in the bar) and visit."""
    for persona, pages in _pages(live_server).items():
        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        login(page, persona)
        for name, url in pages:
            response = page.goto(url)
            assert response is not None and response.status == 200, f"{name}: {url}"
            expect(page.locator("main h1")).to_be_visible()
            page.wait_for_load_state("load")  # images (the charts) in place
            visit(name, url)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _menu(page):
    return page.locator("header nav details.nav-menu > summary")


@pytest.mark.browser
def test_main_pages_fit_a_phone_and_the_menu_collapses(page, live_server):
    problems: list[str] = []
    checked_keyboard = False

    def visit(name: str, url: str) -> None:
        nonlocal checked_keyboard
        page.set_viewport_size(DESKTOP)
        expect(_menu(page)).to_be_hidden()  # the full bar, no menu button, on a desktop
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        _shot(page, f"{name}-desktop")

        page.set_viewport_size(PHONE)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        inner = page.evaluate("() => window.innerWidth")
        if width > inner:
            offenders = page.evaluate(OFFENDERS_JS)
            problems.append(
                f"{name} ({url}) scrolls sideways at {inner}px: scroll width {width}px; "
                f"widest: {'; '.join(offenders) or '(none found)'}"
            )

        menu = _menu(page)
        log_out = page.get_by_role("button", name="Log out")
        expect(menu).to_be_visible()
        expect(log_out).to_be_hidden()  # collapsed
        _shot(page, f"{name}-phone")
        if not checked_keyboard:  # the menu opens from the keyboard too
            menu.focus()
            page.keyboard.press("Enter")
            checked_keyboard = True
        else:
            menu.click()
        expect(log_out).to_be_visible()
        box = log_out.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner, (
            f"{name}: Log out is off-screen in the open menu: {box}"
        )
        menu.click()  # and closes again
        expect(log_out).to_be_hidden()

    _each_page(page, live_server, visit)
    assert not problems, "pages wider than a phone:\n" + "\n".join(problems)


@pytest.mark.browser
def test_dark_mode_follows_the_system_and_keeps_contrast(page, live_server):
    page.emulate_media(color_scheme="dark")
    failing: list[str] = []
    light: list[str] = []

    def visit(name: str, url: str) -> None:
        page.set_viewport_size(DESKTOP)
        luminance = page.evaluate(
            """() => {
              const c = getComputedStyle(document.body).backgroundColor === 'rgba(0, 0, 0, 0)'
                ? getComputedStyle(document.documentElement).backgroundColor
                : getComputedStyle(document.body).backgroundColor;
              const [r, g, b] = c.match(/[\\d.]+/g).map(Number);
              return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
            }"""
        )
        if luminance > 0.2:
            light.append(f"{name} ({url}): background luminance {luminance:.2f}")
        bad, _minor = axe_violations(page, name)
        failing.extend(bad)
        _shot(page, f"{name}-dark")
        if name in {"skill-matrix", "member-competencies", "growth-plan", "sprint-board"}:
            page.set_viewport_size(PHONE)
            _shot(page, f"{name}-dark-phone")

    _each_page(page, live_server, visit)
    assert not light, "pages not dark in dark mode:\n" + "\n".join(light)
    assert not failing, "axe in dark mode, serious or critical:\n" + "\n".join(failing)
