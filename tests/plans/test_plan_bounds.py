"""A growth plan's pages stay bounded however long its lists grow: comments are capped at
MAX_COMMENT characters (the message names the field, the typing is kept, nothing is written);
the plan page and its print view show each goal's newest few comments and the newest changes,
say what they leave out, and link to every comment and change a page at a time; all of it in
a fixed number of queries. A plan holds at most MAX_GOALS goals, and a goal names at most a
few of its linked sessions and milestones."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, login
from tracker.plans.lists import (
    COMMENTS_PAGE,
    COMMENTS_SHOWN,
    EVENTS_PAGE,
    EVENTS_SHOWN,
    LINKS_SHOWN,
)
from tracker.plans.models import Goal, GoalComment, PlanEvent
from tracker.plans.services import MAX_COMMENT, MAX_GOALS

START = datetime(2026, 1, 1, 9)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _comments(db, goal, author_id, n, size=40, start=START):
    """`n` comments on `goal`, a minute apart, each numbered (c-0000, c-0001, ...) and padded to
    `size` characters."""
    db.add_all(
        GoalComment(
            goal_id=goal.id,
            author_id=author_id,
            body=f"c-{i:04d} " + "w" * (size - 7),
            created_at=start + timedelta(minutes=i),
        )
        for i in range(n)
    )
    db.commit()


def _events(db, plan, actor_id, n, start=START):
    db.add_all(
        PlanEvent(
            plan_id=plan.id, actor_id=actor_id, what=f"e-{i:04d}", at=start + timedelta(hours=i)
        )
        for i in range(n)
    )
    db.commit()


def _numbers(text: str, prefix: str) -> list[int]:
    return [int(n) for n in re.findall(prefix + r"-(\d{4})", text)]


def _goal_article(page: str, goal) -> str:
    part = page[page.index(f'id="goal-{goal.id}"') :]
    return part[: part.index("</article>")]


def _history(page: str) -> str:
    return page[page.index('id="history"') :]


def _page(client, url, **params) -> str:
    r = client.get(url, query_string=params or None)
    assert r.status_code == 200, (url, params, r.status_code)
    return r.get_data(as_text=True)


# --- the comment's cap ----------------------------------------------------------------------

OVER = {
    "promised-cap-plus-one": "n" * 2001,  # the promise is 2,000 characters, whatever the constant
    "the-reviews-comment": ("growth " * 700)[:5000],
    "one-over": "n" * (MAX_COMMENT + 1),
    "far-over": "n" * (MAX_COMMENT * 50),
    "accented": "é" * (MAX_COMMENT + 1),
    "emoji": "😀" * (MAX_COMMENT + 1),
    "lines": "line\r\n" * (MAX_COMMENT // 6 + 1),
    "spaces-after": "n" * MAX_COMMENT + " " * 5,
    "markup": "<b>" * (MAX_COMMENT // 3 + 1),
}
AT = {
    "ascii": "n" * MAX_COMMENT,
    "accented": "é" * MAX_COMMENT,
    "emoji": "😀" * MAX_COMMENT,
    "padded": "  " + "n" * (MAX_COMMENT - 4) + "  ",
}


@pytest.mark.parametrize("who", ["lead@example.com", "eve@example.com"])
@pytest.mark.parametrize("body", list(OVER), ids=list(OVER))
def test_comments_over_the_cap_are_refused_naming_the_field_and_kept(
    client, org, db, plan, who, body
):
    goal = plan.goals[0]
    login(client, who)
    text = OVER[body]
    r = client.form(f"/goals/{goal.id}/comments", {"body": text})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    message = f"Comment is longer than {MAX_COMMENT} characters."
    assert message in _goal_article(page, goal)  # beside the field, naming it
    textarea = page[page.index(f'id="comment-{goal.id}"') :]
    textarea = textarea[: textarea.index("</textarea>")]
    assert html_lib.unescape(textarea.split(">", 1)[1]) == text  # the typing, as typed
    assert _count(db, GoalComment) == 0


@pytest.mark.parametrize("who", ["lead@example.com", "eve@example.com"])
@pytest.mark.parametrize("body", list(AT), ids=list(AT))
def test_comments_at_the_cap_are_kept_whole(client, org, db, plan, who, body):
    login(client, who)
    r = client.form(f"/goals/{plan.goals[0].id}/comments", {"body": AT[body]})
    assert r.status_code == 302
    assert db.scalar(select(GoalComment.body)) == AT[body].strip()


# --- newest comments on the plan page, every one a page at a time ------------------------------


@pytest.mark.parametrize("n", [0, 1, COMMENTS_SHOWN, COMMENTS_SHOWN + 1, 45, 300])
@pytest.mark.parametrize("who", ["lead@example.com", "eve@example.com", "admin@example.com"])
def test_plan_page_shows_each_goals_newest_comments_and_links_to_all(client, org, db, plan, n, who):
    goal = plan.goals[0]
    _comments(db, goal, org.eng.user_id, n)
    login(client, who)
    article = _goal_article(_page(client, f"/members/{org.eng.id}/plan"), goal)
    newest = [n - 1 - i for i in range(min(n, COMMENTS_SHOWN))]
    assert _numbers(article, "c") == newest  # the newest, newest first, and nothing else
    assert f"Comments ({n})" in article
    link = f"/goals/{goal.id}/all-comments"
    assert (link in article) == (n > COMMENTS_SHOWN)
    if n > COMMENTS_SHOWN:
        assert f"All {n} comments" in article and f"The newest {COMMENTS_SHOWN} of {n}" in article


def test_comment_pages_walk_every_comment_once(client_as, org, db, plan):
    n = 2 * COMMENTS_PAGE + 5
    goal = plan.goals[0]
    _comments(db, goal, org.eng.user_id, n)
    client = client_as("lead")
    seen = []
    pages = -(-n // COMMENTS_PAGE)
    for p in range(1, pages + 1):
        page = _page(client, f"/goals/{goal.id}/all-comments", page=p)
        shown = _numbers(page, "c")
        assert 0 < len(shown) <= COMMENTS_PAGE
        assert f"page {p} of {pages}" in page
        assert ("← newer" in page) == (p > 1) and ("older →" in page) == (p < pages)
        seen += shown
    assert seen == list(range(n - 1, -1, -1))  # every comment once, newest first


@pytest.mark.parametrize("bad", ["0", "-3", "999999", "99999999999999999999", "x", "²", ""])
def test_odd_comment_pages_show_a_real_page(client_as, org, db, plan, bad):
    goal = plan.goals[0]
    _comments(db, goal, org.eng.user_id, COMMENTS_PAGE + 3)
    client = client_as("engineer")
    shown = _numbers(_page(client, f"/goals/{goal.id}/all-comments", page=bad), "c")
    assert 0 < len(shown) <= COMMENTS_PAGE


def test_a_goal_without_comments_has_an_empty_comment_page(client_as, org, plan):
    client = client_as("engineer")
    assert "No comments yet." in _page(client, f"/goals/{plan.goals[0].id}/all-comments")


def test_comments_of_another_members_goal_are_not_shown(client_as, app, org, db, plan):
    _comments(db, plan.goals[0], org.eng.user_id, 5)
    other = client_as("other@example.com")
    assert other.get(f"/goals/{plan.goals[0].id}/all-comments").status_code == 404
    sol = client_as("sol@example.com")
    assert sol.get(f"/goals/{plan.goals[0].id}/all-comments").status_code == 404


# --- the print view -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, COMMENTS_SHOWN, COMMENTS_SHOWN + 1, 300])
def test_print_view_prints_the_newest_comments_and_says_what_it_leaves_out(
    client_as, org, db, plan, n
):
    _comments(db, plan.goals[0], org.eng.user_id, n)
    client = client_as("lead")
    page = _page(client, f"/members/{org.eng.id}/plan/print")
    assert _numbers(page, "c") == [n - 1 - i for i in range(min(n, COMMENTS_SHOWN))]
    left = n - COMMENTS_SHOWN
    said = f"The newest {COMMENTS_SHOWN} of {n} comments are printed; {left} earlier"
    assert (said in page) == (left > 0)


# --- the plan's history ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, EVENTS_SHOWN, EVENTS_SHOWN + 1, 2 * EVENTS_PAGE + 7])
def test_plan_history_shows_the_newest_changes_then_every_one_a_page_at_a_time(
    client_as, org, db, plan, n
):
    _events(db, plan, org.lead.id, n)
    client = client_as("engineer")
    history = _history(_page(client, f"/members/{org.eng.id}/plan"))
    assert _numbers(history, "e") == [n - 1 - i for i in range(min(n, EVENTS_SHOWN))]
    assert (f"All {n} changes" in history) == (n > EVENTS_SHOWN)
    printed = _page(client, f"/members/{org.eng.id}/plan/print")
    assert _numbers(printed, "e") == [n - 1 - i for i in range(min(n, EVENTS_SHOWN))]
    assert ("earlier ones are left out" in printed or "earlier one is left out" in printed) == (
        n > EVENTS_SHOWN
    )
    seen, pages = [], max(1, -(-n // EVENTS_PAGE))
    for p in range(1, pages + 1):
        page = _page(client, f"/members/{org.eng.id}/plan/history", page=p)
        assert f"page {p} of {pages}" in page or n == 0
        seen += _numbers(page, "e")
    assert seen == list(range(n - 1, -1, -1))
    past = _page(client, f"/members/{org.eng.id}/plan/history", page="99999")
    assert _numbers(past, "e") == seen[(pages - 1) * EVENTS_PAGE :]  # past the end: the last


# --- bounded bytes and queries --------------------------------------------------------------


def _goals(db, plan, n):
    goals = [Goal(plan_id=plan.id, title=f"Goal {i}", position=i + 1) for i in range(n)]
    db.add_all(goals)
    db.commit()
    return [plan.goals[0], *goals]


URLS = [
    "/members/{member}/plan",
    "/members/{member}/plan/print",
    "/members/{member}/plan/history",
    "/members/{member}/plan/history?page=2",
    "/goals/{goal}/all-comments",
    "/goals/{goal}/all-comments?page=2",
]


@pytest.mark.parametrize("who", ["lead@example.com", "eve@example.com"])
def test_plan_pages_cost_the_same_queries_and_bounded_bytes_however_long_the_lists(
    app, client, org, db, plan, who
):
    goals = _goals(db, plan, 2)
    for goal in goals:
        _comments(db, goal, org.eng.user_id, 2 * COMMENTS_PAGE + 1, size=MAX_COMMENT)
    _events(db, plan, org.lead.id, 2 * EVENTS_PAGE + 1)  # page 2 full already
    login(client, who)
    urls = [u.format(member=org.eng.id, goal=goals[0].id) for u in URLS]
    for url in urls:
        client.get(url)
    few, small = {}, {}
    for url in urls:
        with count_queries(app) as n:
            small[url] = len(_page(client, url))
        few[url] = n()
    later = START + timedelta(days=400)
    for goal in goals:  # the review's engineer: 300 comments of the most a comment may be
        _comments(db, goal, org.eng.user_id, 300, size=MAX_COMMENT, start=later)
    _events(db, plan, org.lead.id, 500, start=later)
    for url in urls:
        with count_queries(app) as n:
            size = len(_page(client, url))
        assert n() == few[url], url
        assert size <= small[url] + 1000, (url, small[url], size)  # a few digits more, no more


def test_the_reviews_plan_page_is_small(app, client_as, org, db, plan):
    """300 comments of the largest size, posted through the form by the engineer herself."""
    goal = plan.goals[0]
    eve = client_as("engineer")
    for i in range(300):
        body = f"growth-{i:03d} " + "g" * (MAX_COMMENT - 11)
        assert eve.form(f"/goals/{goal.id}/comments", {"body": body}).status_code == 302
    client = client_as("lead")
    for url in (f"/members/{org.eng.id}/plan", f"/members/{org.eng.id}/plan/print"):
        page = _page(client, url)
        assert page.count("growth-") == COMMENTS_SHOWN, url
        assert len(page) < 60_000, (url, len(page))


# --- goals per plan and a goal's links ------------------------------------------------------


@pytest.mark.parametrize("status", ["not_started", "done", "dropped"])
def test_a_plan_holds_at_most_max_goals(client_as, org, db, plan, status):
    db.add_all(
        Goal(plan_id=plan.id, title=f"Goal {i}", position=i + 1, status=status)
        for i in range(MAX_GOALS - 2)
    )
    db.commit()
    client = client_as("lead")
    r = client.form(f"/members/{org.eng.id}/plan/goals", {"title": "The last one"})
    assert r.status_code == 302 and _count(db, Goal) == MAX_GOALS
    before = _count(db, PlanEvent)
    for data in ({"title": "One too many", "description": "kept-typing"}, {"title": "x" * 10}):
        r = client.form(f"/members/{org.eng.id}/plan/goals", data)
        assert r.status_code == 400
        page = r.get_data(as_text=True)
        assert f"the most a plan holds ({MAX_GOALS})" in page
        assert f'value="{data["title"]}"' in page  # the typing is kept
        assert data.get("description", "") in page
    r = client.form(f"/members/{org.eng.id}/plan/gap-goal", {"competency_key": "sql"})
    assert r.status_code == 400 and f"({MAX_GOALS})" in r.get_data(as_text=True)
    assert _count(db, Goal) == MAX_GOALS and _count(db, PlanEvent) == before


@pytest.mark.parametrize("n", [1, LINKS_SHOWN, LINKS_SHOWN + 1, 40])
def test_a_goal_names_at_most_a_few_of_its_sessions_and_milestones(
    client_as, org, db, plan, delivery, make_session, make_milestone, n
):
    goal = db.get(Goal, plan.goals[0].id)
    goal.sessions = [
        make_session(org.eng, org.lead, held_at=datetime(2025, 1, 1) + timedelta(days=i))
        for i in range(n)
    ]
    goal.milestones = [make_milestone(org.project, f"ms-{i:04d}", owner=org.eng) for i in range(n)]
    db.commit()
    client = client_as("engineer")
    article = _goal_article(_page(client, f"/members/{org.eng.id}/plan"), goal)
    assert len(_numbers(article, "ms")) == min(n, LINKS_SHOWN)
    assert len(re.findall(r"2025-\d\d-\d\d \(1:1\)", article)) == min(n, LINKS_SHOWN)
    more = n - LINKS_SHOWN
    assert (f"and {more} earlier sessions" in article) == (more > 0)
    assert (f"and {more} more" in article) == (more > 0)
