"""Search finds exactly what each person may open: a matrix of personas over every kind, with
a unique canary word in each object; a private note's word is found by its author alone."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import count_queries, login
from tests.test_hostile_input import HTML_PAYLOADS, SETTINGS, hostile_text

# The personas: the admin, the team's lead, the other team's lead, Eve (an engineer of the team),
# Max (another engineer of the same team) and Sol (an engineer of the other team).
PERSONAS = {
    "admin": "admin@example.com",
    "lead": "lead@example.com",
    "other": "other@example.com",
    "eve": "eve@example.com",
    "max": "max@example.com",
    "sol": "sol@example.com",
}


@pytest.fixture
def world(db, org, framework, make_session, make_project, make_milestone):
    """One object per kind and side, each holding its own canary word (letters only, so no
    escaping anywhere rewrites it), and private notes by the lead and by the admin."""
    from tracker.plans.models import Goal, GrowthPlan

    org.eng.job_title = "Wombatmembereve wrangler"
    org.mate.job_title = "Wombatmembermax"
    org.stranger.job_title = "Wombatmembersol"
    db.commit()
    s_eve = make_session(
        org.eng,
        org.lead,
        held_at=datetime(2026, 10, 1, 10),
        agenda="Agenda wombatagendaeve",
        shared="We agreed on wombatsharedeve.",
        private="Thinks about wombatprivatelead.",
        items=[("Read wombatitemeve", "mentee", date(2026, 12, 1))],
    )
    s_max = make_session(
        org.mate, org.lead, shared="wombatsharedmax", items=[("wombatitemmax", "lead", None)]
    )
    s_sol = make_session(
        org.stranger,
        org.other_lead,
        shared="wombatsharedsol",
        private="wombatprivateother",
        items=[("wombatitemsol", "mentee", None)],
    )
    s_admin = make_session(org.eng, org.admin, private="wombatprivateadmin")
    plans = {}
    for member, word in ((org.eng, "wombatgoaleve"), (org.stranger, "wombatgoalsol")):
        plan = GrowthPlan(member_id=member.id, target_level="Senior")
        plan.goals = [Goal(title=f"Learn {word}", description="", position=0)]
        db.add(plan)
        plans[word] = plan
    db.commit()
    project = make_project(org.team, "Wombatprojectteam", description="Feature store")
    other_project = make_project(org.other_team, "Wombatprojectother")
    ms_eve = make_milestone(project, "Ship wombatmilestoneeve", owner=org.eng)
    ms_done = make_milestone(
        project, "wombatmilestonedone", owner=org.eng, status="done", done_date=date(2026, 1, 2)
    )
    ms_sol = make_milestone(other_project, "wombatmilestonesol", owner=org.stranger)
    goal_url = "/members/{}/plan#goal-{}"
    urls = {
        "wombatmembereve": f"/members/{org.eng.id}",
        "wombatmembermax": f"/members/{org.mate.id}",
        "wombatmembersol": f"/members/{org.stranger.id}",
        "wombatagendaeve": f"/sessions/{s_eve.id}",
        "wombatsharedeve": f"/sessions/{s_eve.id}",
        "wombatsharedmax": f"/sessions/{s_max.id}",
        "wombatsharedsol": f"/sessions/{s_sol.id}",
        "wombatprivatelead": f"/sessions/{s_eve.id}",
        "wombatprivateother": f"/sessions/{s_sol.id}",
        "wombatprivateadmin": f"/sessions/{s_admin.id}",
        "wombatitemeve": f"/sessions/{s_eve.id}#items",
        "wombatitemmax": f"/sessions/{s_max.id}#items",
        "wombatitemsol": f"/sessions/{s_sol.id}#items",
        "wombatgoaleve": goal_url.format(org.eng.id, plans["wombatgoaleve"].goals[0].id),
        "wombatgoalsol": goal_url.format(org.stranger.id, plans["wombatgoalsol"].goals[0].id),
        "wombatmilestoneeve": f"/milestones/{ms_eve.id}",
        "wombatmilestonedone": f"/milestones/{ms_done.id}",
        "wombatmilestonesol": f"/milestones/{ms_sol.id}",
        "wombatprojectteam": f"/projects/{project.id}",
        "wombatprojectother": f"/projects/{other_project.id}",
    }
    return SimpleNamespace(org=org, urls=urls, s_eve=s_eve)


TEAM = {
    "wombatmembereve",
    "wombatmembermax",
    "wombatagendaeve",
    "wombatsharedeve",
    "wombatsharedmax",
    "wombatitemeve",
    "wombatitemmax",
    "wombatgoaleve",
    "wombatmilestoneeve",
    "wombatmilestonedone",
    "wombatprojectteam",
}
OTHER = {
    "wombatmembersol",
    "wombatsharedsol",
    "wombatitemsol",
    "wombatgoalsol",
    "wombatmilestonesol",
    "wombatprojectother",
}
# What each persona finds: exactly what their pages show them. Private notes: the author only.
FINDS = {
    "admin": TEAM | OTHER | {"wombatprivateadmin"},
    "lead": TEAM | {"wombatprivatelead"},
    "other": OTHER | {"wombatprivateother"},
    # Eve: her record, her sessions' agenda and shared notes, her items and goals, and the
    # open milestone she owns (on her home and "My milestones"; its page is the leads').
    "eve": {
        "wombatmembereve",
        "wombatagendaeve",
        "wombatsharedeve",
        "wombatitemeve",
        "wombatgoaleve",
        "wombatmilestoneeve",
    },
    "max": {"wombatmembermax", "wombatsharedmax", "wombatitemmax"},
    "sol": {
        "wombatmembersol",
        "wombatsharedsol",
        "wombatitemsol",
        "wombatgoalsol",
        "wombatmilestonesol",
    },
}
WORDS = sorted(TEAM | OTHER | {"wombatprivatelead", "wombatprivateother", "wombatprivateadmin"})


def search(client, q: str):
    return client.form("/search", {"q": q})


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


@pytest.mark.parametrize("who", list(PERSONAS))
def test_each_persona_finds_exactly_what_their_pages_show(client_as, world, who):
    client = client_as(PERSONAS[who])
    for word in WORDS:
        r = search(client, word)
        assert r.status_code == 200, (who, word)
        html = r.get_data(as_text=True)
        found = f"<mark>{word}</mark>" in html.lower()
        assert found == (word in FINDS[who]), (who, word)
        if found:
            url = world.urls[word]
            if who in ("eve", "sol") and "milestone" in word:
                url = "/milestones/mine"  # the milestone's page is for the team's leads
            assert f'href="{url}"' in html, (who, word)
            assert "1 result" in html, (who, word)
        else:
            assert "Nothing found" in html, (who, word)


@pytest.mark.parametrize("who", list(PERSONAS))
def test_every_link_opens_for_the_one_who_searched(client_as, world, who):
    """A wide search: each result's page answers 200 to the person it was shown to."""
    client = client_as(PERSONAS[who])
    html = search(client, "wombat").get_data(as_text=True)
    results = html.split('id="results-h"', 1)[1]
    links = {u.split("#")[0] for u in hrefs(results)}
    assert links, who
    for url in links:
        assert client.get(url).status_code == 200, (who, url)


def test_a_private_note_is_found_by_its_author_alone(client_as, db, world, make_user):
    """Not the mentee, not a co-lead, not an admin: nor does the result's presence tell."""
    org = world.org
    colead = make_user("lead", email="colead@example.com", name="Cora Colead")
    org.team.leads.append(colead)
    db.commit()
    lead = search(client_as("lead"), "WOMBATPRIVATELEAD").get_data(as_text=True)
    assert "your private notes:" in lead and "<mark>wombatprivatelead</mark>" in lead
    for reader in ("colead@example.com", "admin@example.com", "eve@example.com"):
        client = client_as(reader)
        html = search(client, "wombatprivatelead").get_data(as_text=True)
        assert "Nothing found" in html and "your private notes" not in html, reader
        # The session itself is found by its shared words, never showing the private ones.
        html = search(client, "wombat").get_data(as_text=True)
        assert f'href="{world.urls["wombatsharedeve"]}"' in html, reader
        assert "wombatprivatelead" not in html and "Thinks" not in html, reader


def test_a_session_matched_only_by_a_private_note_is_not_counted_for_others(client_as, world):
    # "Thinks" appears only in the lead's private note of Eve's session.
    assert "1 result" in search(client_as("lead"), "thinks").get_data(as_text=True)
    for reader in ("admin", "engineer"):
        html = search(client_as(reader), "thinks").get_data(as_text=True)
        assert "Nothing found" in html and "group-sessions" not in html, reader


def test_like_wildcards_are_taken_literally(client_as, org, db):
    org.eng.job_title = "100% done_ok back\\slash"
    org.mate.job_title = "1000 doneXok backslash"
    db.commit()
    client = client_as("lead")
    for q, expected in (("0%", 1), ("e_o", 1), ("k\\s", 1), ("%%", 0), ("__", 0), ("100", 2)):
        html = search(client, q).get_data(as_text=True)
        if expected:
            assert f"{expected} result" in html, q
        else:
            assert "Nothing found" in html, q
    html = search(client, "0%").get_data(as_text=True)
    assert "Eve Engineer" in html and "Max Mate" not in html


def test_matching_ignores_letter_case_beyond_ascii(client_as, org, db):
    org.eng.job_title = "Zoë's ÉQUIPE lead"
    org.mate.job_title = "50% ZOË_x"
    db.commit()
    client = client_as("lead")
    for q in ("zoë's", "Zoë'S", "équipe", "Équipe", "ÉQUIPE", "% zoë_", "0% zoË_X"):
        html = search(client, q).get_data(as_text=True)
        assert "1 result" in html, q
        assert re.search(r"<mark>[^<]+</mark>", html), q
    assert "2 results" in search(client, "ZOË").get_data(as_text=True)
    for q in ("zoë%", "zoëx", "0%zoë", "zoë__"):  # the wildcards are literal here too
        assert "Nothing found" in search(client, q).get_data(as_text=True), q


def test_snippets_are_escaped_and_marked(client_as, org, make_session):
    make_session(org.eng, org.lead, shared='<script>alert("x")</script> and <b>bold</b> wombat')
    html = search(client_as("lead"), "<b>bold").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold" not in html.split('id="results-h"')[1]
    assert "<mark>&lt;b&gt;bold</mark>" in html


def test_a_long_text_gives_a_short_snippet_around_the_match(client_as, org, make_session):
    make_session(org.eng, org.lead, shared=("filler " * 500) + "needlework " + ("tail " * 500))
    html = search(client_as("lead"), "needle").get_data(as_text=True)
    snippet = re.search(r"<br><small>(.*?)</small>", html, re.S).group(1)
    assert "<mark>needle</mark>" in snippet and len(snippet) < 400
    assert snippet.count("…") == 2


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type at least 2 characters"),
        ("   ", "Type at least 2 characters"),
        ("a", "Type at least 2 characters"),
        ("x" * 101, "at most 100 characters (this has 101)"),
        ("y" * 20000, "at most 100 characters (this has 20,000)"),
        ("tab\there", "control characters"),
        ("line\nbreak", "control characters"),
        ("bell\x07", "control characters"),
    ],
)
def test_a_term_that_cannot_be_searched_gets_a_message_and_keeps_the_typing(
    client_as, org, q, message
):
    r = search(client_as("lead"), q)
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and message in html
    assert 'aria-invalid="true"' in html
    if q.strip() and "\n" not in q and "\t" not in q:
        assert f'value="{q}"' in html  # the typing kept


def test_a_nul_character_is_refused_with_a_message(client_as, org):
    r = search(client_as("lead"), "wom\x00bat")
    assert r.status_code == 400 and b"Traceback" not in r.data


HOSTILE = ["Zoë", "👩🏽‍💻 ml", "日本語", "\u202eevil", "' OR 1=1 --", "%'; DROP"]


@pytest.mark.parametrize("q", HOSTILE)
def test_unicode_and_sql_shaped_terms_search_plainly(client_as, org, q):
    r = search(client_as("lead"), q)
    assert r.status_code == 200 and b"Nothing found" in r.data


def test_get_shows_the_empty_page_and_every_persona_has_the_box(client_as, org):
    for who in PERSONAS:
        client = client_as(PERSONAS[who])
        r = client.get("/search")
        assert r.status_code == 200 and b"results-h" not in r.data
        for html in (client.get("/account").get_data(as_text=True), r.get_data(as_text=True)):
            form = re.search(r'<form method="post" action="/search"[^>]*>.*?</form>', html, re.S)
            assert form and 'name="csrf_token"' in form.group(0) and 'name="q"' in form.group(0)


def test_the_box_is_not_shown_to_the_logged_out(client):
    assert b'action="/search"' not in client.get("/login").data
    assert client.get("/search").status_code == 302


def test_each_group_is_capped_with_a_count_of_the_rest(client_as, org, db):
    from tracker.search.services import PER_GROUP
    from tracker.team.models import Member

    for i in range(PER_GROUP + 5):
        name, email = f"Capybara {i:02}", f"c{i}@e.com"
        db.add(Member(team_id=org.team.id, name=name, email=email, level="Mid"))
    db.commit()
    html = search(client_as("lead"), "capybara").get_data(as_text=True)
    assert html.count("<mark>Capybara</mark>") == PER_GROUP
    assert f"{PER_GROUP + 5} results" in html and "5 more members match" in html


def test_a_search_runs_a_fixed_number_of_queries(app, client_as, org, db, make_session):
    """However many rows match: one query per kind, plus the lead's teams."""
    from tracker.mentoring.models import ActionItem
    from tracker.team.models import Member

    client = client_as("lead")

    def queries() -> int:
        with count_queries(app) as n:
            assert search(client, "ocelot").status_code == 200
        return n()

    few = queries()
    for i in range(30):
        member = Member(team_id=org.team.id, name=f"Ocelot {i}", email=f"o{i}@e.com", level="Mid")
        db.add(member)
        db.flush()
        s = make_session(member, org.lead, shared="ocelot notes", items=[("ocelot", "lead", None)])
        db.add(ActionItem(session_id=s.id, member_id=member.id, text="ocelot two"))
    db.commit()
    assert queries() == few
    for who in ("admin", "engineer"):
        other = client_as(who)
        with count_queries(app) as n:
            other.form("/search", {"q": "ocelot"})
        assert n() <= few, who


@SETTINGS
@given(q=st.one_of(hostile_text, st.text()))
def test_hostile_terms_get_results_or_a_message_never_a_500(app, org, q):
    """Generated terms (HTML, control characters, unicode, up to 5,000 characters)."""
    client = app.test_client()
    login(client, "lead@example.com")
    r = client.form("/search", {"q": q})
    html = r.get_data(as_text=True)
    assert r.status_code in (200, 400), (q, r.status_code)
    if r.status_code == 400 and "\x00" not in q:
        messages = ("Type at least", "at most 100 characters", "control characters")
        assert any(m in html for m in messages), q
    for payload in HTML_PAYLOADS:
        assert payload not in html  # whatever was typed comes back escaped
