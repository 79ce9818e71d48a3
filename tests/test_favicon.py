"""Issue #13 item 7: every page names its icon (so browsers stop asking for a missing
/favicon.ico) and the icon it names answers 200, on every page a persona can open."""

from __future__ import annotations

import re

from tests.conftest import login
from tests.test_routes import _url_for_rule

ICON = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


def test_every_page_names_an_icon_that_answers(app, org, framework, plan, one_on_one, delivery):
    org.framework, org.goal, org.session = framework, plan.goals[0], one_on_one
    icons, pages = set(), 0
    for email in (None, "admin@example.com", "lead@example.com", "eve@example.com"):
        client = app.test_client()
        if email:
            assert login(client, email).status_code == 302
        urls = [
            _url_for_rule(rule, org)
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"
        ]
        for url in [*urls, "/no-such-page"]:
            r = client.get(url)
            if r.mimetype != "text/html" or 300 <= r.status_code < 400:
                continue
            pages += 1
            found = ICON.findall(r.get_data(as_text=True))
            assert len(found) == 1, (email, url, r.status_code)
            icons.update(found)
    assert pages > 40 and len(icons) == 1
    r = app.test_client().get(icons.pop())
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert r.data.startswith(b"<svg") and len(r.data) < 1000
