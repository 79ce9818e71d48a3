"""The matrix page reads at a glance: headers whole, mentor pairings grouped by category with
their counts, and a team with nothing rated yet shows no risks but what to do next."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest


class Pairings(HTMLParser):
    """The mentor pairings as {category summary: [(competency, mentors, learners), ...]}."""

    def __init__(self):
        super().__init__()
        self.groups: dict[str, list[list[str]]] = {}
        self.summary: str | None = None
        self._in: str | None = None
        self._cell: list[str] = []
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "summary":
            self._in, self._cell = "summary", []
        elif tag == "tr" and self.summary is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._in, self._cell = "cell", []

    def handle_endtag(self, tag):
        if tag == "summary":
            self.summary = " ".join("".join(self._cell).split())
            self.groups[self.summary] = []
            self._in = None
        elif tag in ("th", "td") and self._in == "cell":
            self._row.append(" ".join("".join(self._cell).split()))
            self._in = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._row[0] != "Competency":
                self.groups[self.summary].append(self._row)
            self._row = None
        elif tag == "details":
            self.summary = None

    def handle_data(self, data):
        if self._in:
            self._cell.append(data)


@pytest.fixture
def rated(org, framework, rate):
    rate(org.mate, "python-programming", 5, rater=org.lead)
    rate(org.mate, "algorithms-data-structures", 5, rater=org.lead)
    rate(org.eng, "python-programming", 1, rater=org.lead)
    rate(org.plain, "python-programming", 0, rater=org.lead)
    rate(org.eng, "algorithms-data-structures", 1, rater=org.lead)
    return org


def test_mentor_pairings_are_grouped_by_category_with_counts(client_as, rated):
    html = client_as("lead").get(f"/teams/{rated.team.id}/matrix").data.decode()
    section = html[html.index("<h2>Mentor pairings</h2>") :]
    parser = Pairings()
    parser.feed(section)
    assert list(parser.groups) == ["Technical expertise: 2 competencies · 1 mentor · 2 learners"]
    rows = parser.groups["Technical expertise: 2 competencies · 1 mentor · 2 learners"]
    assert rows == [
        ["Python and programming", "1 Max Mate", "2 Eve Engineer, Pat Plain"],
        ["Algorithms and data structures", "1 Max Mate", "1 Eve Engineer"],
    ]
    assert "<details>" in section and "Max Mate could mentor" not in section  # no wall of text


def test_column_headers_carry_the_whole_name(client_as, rated, framework):
    html = client_as("lead").get(f"/teams/{rated.team.id}/matrix").data.decode()
    for comp in framework.categories[0].competencies:
        assert f">{comp.name}</a></span></th>" in html  # never cut: the CSS wraps it


def test_a_team_without_ratings_shows_no_risks_but_how_to_start(client_as, org, framework):
    client = client_as("lead")
    html = client.get(f"/teams/{org.team.id}/matrix").data.decode()
    assert "<h2>Bus-factor risks</h2>" not in html
    assert 'class="comp risk"' not in html and '<td class="risk">' not in html  # no red columns
    assert "Nobody is rated yet" in html
    link = f'href="/members/{org.eng.id}/competencies"'
    assert f"{link}>Rate Eve Engineer</a>" in html
    assert client.get(f"/members/{org.eng.id}/competencies").status_code == 200


def test_a_team_without_members_says_add_one(client_as, org, framework, make_team):
    team = make_team("Empty crew", leads=[org.lead])
    client = client_as("lead")
    html = client.get(f"/teams/{team.id}/matrix").data.decode()
    assert "No members yet" in html and "Bus-factor" not in html
    assert 'class="matrix"' not in html  # no table of 39 empty columns
    assert f'href="/teams/{team.id}/members/new"' in html
    assert client.get(f"/teams/{team.id}/members/new").status_code == 200
