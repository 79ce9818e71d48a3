"""Every form a person types into (1:1s, ratings, goals, teams, members, projects, sprints,
accounts) opts in to the unsaved-typing prompt (static/js/unsaved.js): leaving it asks first.
The browser test of the prompt itself is tests/browser/test_live_one_on_one.py."""

from __future__ import annotations

import re

import pytest

PAGES = {
    "new team": ("admin", lambda o: "/teams/new"),
    "new member": ("lead", lambda o: f"/teams/{o.team.id}/members/new"),
    "new project": ("lead", lambda o: f"/teams/{o.team.id}/projects/new"),
    "new sprint": ("lead", lambda o: f"/teams/{o.team.id}/sprints/new"),
    "ratings": ("lead", lambda o: f"/members/{o.eng.id}/competencies"),
    "self-ratings": ("engineer", lambda o: f"/members/{o.eng.id}/competencies"),
    "new 1:1": ("lead", lambda o: f"/members/{o.eng.id}/sessions/new"),
    "new 1:1 template": ("lead", lambda o: "/sessions/templates/new"),
    "new account": ("admin", lambda o: "/admin/users/new"),
    "organisation": ("admin", lambda o: "/admin/organisation"),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_form_people_type_into_asks_before_it_is_left(client_as, org, framework, name):
    role, url = PAGES[name]
    page = client_as(role).get(url(org))
    assert page.status_code == 200, name
    forms = re.findall(r"<form\b[^>]*>", page.get_data(as_text=True))
    posts = [f for f in forms if 'method="post"' in f and 'class="inline"' not in f]
    assert posts and any("data-unsaved-warning" in f for f in posts), (name, posts)
    assert 'src="/static/js/unsaved.js"' in page.get_data(as_text=True)
