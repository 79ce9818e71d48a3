"""A team's framework, through HTTP: the lead picks it on the team form, and the member form,
the skill matrix and the competency pages then follow it."""

from __future__ import annotations

import re
from csv import reader as csv_reader
from html.parser import HTMLParser

import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import login
from tracker.frameworks.io import FORMAT_ID, import_framework, parse_framework
from tracker.team.models import Member, Team

MEMBER = {
    "name": "Nia New",
    "email": "nia@example.com",
    "job_title": "Platform Engineer",
    "start_date": "2025-03-03",
    "cadence_days": "21",
}
DEFAULT_LEVELS = ["Entry", "Mid", "Senior", "Lead"]
STAFF_LEVELS = ["Junior", "Staff"]
# Competency names only the second framework has, and one only the shipped one has.
SECOND_COMPETENCIES = ["Capacity planning", "Incident command"]
SHIPPED_COMPETENCY = "Python and programming"


def _second_framework_doc():
    def comp(key, name):
        return {
            "key": key,
            "name": name,
            "levels": {
                "Junior": {"expected": 1, "descriptor": f"Learns {name.lower()} with help."},
                "Staff": {"expected": 3, "descriptor": f"Shapes {name.lower()} for the org."},
            },
        }

    data = {
        "format": FORMAT_ID,
        "name": "Platform Engineer",
        "scale": [
            {"value": 1, "label": "Learning"},
            {"value": 2, "label": "Doing"},
            {"value": 3, "label": "Teaching"},
        ],
        "levels": [{"name": name} for name in STAFF_LEVELS],
        "categories": [
            {
                "key": "platform",
                "name": "Platform craft",
                "competencies": [
                    comp("capacity-planning", SECOND_COMPETENCIES[0]),
                    comp("incident-command", SECOND_COMPETENCIES[1]),
                ],
            }
        ],
    }
    return parse_framework(yaml.safe_dump(data, sort_keys=False).encode(), "platform.yaml")


@pytest.fixture
def second(app, db, framework):
    """A second framework (levels Junior and Staff) next to the shipped default; its id."""
    with app.app_context():
        result = import_framework(db, _second_framework_doc())
    db.commit()
    assert not result.framework.is_default
    return result.framework.id


def text(r) -> str:
    return r.get_data(as_text=True)


class _Select(HTMLParser):
    """The options of one <select>: (value, label, selected)."""

    def __init__(self, name: str):
        super().__init__()
        self.name, self.inside, self.found = name, False, False
        self.options: list[list] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name") == self.name:
            self.inside = self.found = True
        elif tag == "option" and self.inside:
            self.options.append([attrs.get("value"), "", "selected" in attrs])

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False


def options(html: str, select_name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of every option of the <select name=select_name>."""
    parser = _Select(select_name)
    parser.feed(html)
    assert parser.found, f"no select {select_name!r}"
    return [(value, label.strip(), sel) for value, label, sel in parser.options]


def option_values(html: str, select_name: str) -> list[str]:
    return [value for value, _label, _sel in options(html, select_name)]


def selected(html: str, select_name: str) -> list[str]:
    return [value for value, _label, sel in options(html, select_name) if sel]


def team_form(org, team=None, **changes) -> dict:
    team = team or org.team
    return {
        "name": team.name,
        "leads": [lead.id for lead in team.leads],
        "framework_id": "0",
        **changes,
    }


def use_framework(client, org, framework_id) -> None:
    r = client.form(f"/teams/{org.team.id}/edit", team_form(org, framework_id=str(framework_id)))
    assert r.status_code == 302, text(r)
    assert r.headers["Location"].endswith(f"/teams/{org.team.id}")


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


# --- choosing a framework ---


def test_team_form_offers_the_default_and_every_framework(client_as, org, second, framework):
    client = client_as("lead")
    html = text(client.get(f"/teams/{org.team.id}/edit"))
    assert options(html, "framework_id") == [
        ("0", "The organisation's default", True),
        (str(framework.framework_id), "Lead Machine Learning Engineer", False),
        (str(second), "Platform Engineer", False),
    ]


def test_lead_moves_their_team_to_another_framework_and_back(client_as, org, db, second):
    client = client_as("lead")
    use_framework(client, org, second)
    assert db.get(Team, org.team.id).framework_id == second
    html = text(client.get(f"/teams/{org.team.id}/edit"))
    assert selected(html, "framework_id") == [str(second)]

    use_framework(client, org, 0)
    assert db.get(Team, org.team.id).framework_id is None
    html = text(client.get(f"/teams/{org.team.id}/edit"))
    assert selected(html, "framework_id") == ["0"]
    new_html = text(client.get(f"/teams/{org.team.id}/members/new"))
    assert option_values(new_html, "level") == DEFAULT_LEVELS


def test_member_form_offers_the_team_frameworks_levels(app, client_as, org, db, second):
    client = client_as("lead")
    assert option_values(text(client.get(f"/teams/{org.team.id}/members/new")), "level") == (
        DEFAULT_LEVELS
    )
    use_framework(client, org, second)
    url = f"/teams/{org.team.id}/members/new"
    assert option_values(text(client.get(url)), "level") == STAFF_LEVELS
    r = client.form(url, {**MEMBER, "level": "Staff", "team_id": org.team.id})
    assert r.status_code == 302, text(r)
    member = db.scalar(select(Member).where(Member.email == "nia@example.com"))
    assert member.level == "Staff" and member.team_id == org.team.id and member.cadence_days == 21
    # The other team still uses the default framework's levels.
    client = client_as("other@example.com")
    other = text(client.get(f"/teams/{org.other_team.id}/members/new"))
    assert option_values(other, "level") == DEFAULT_LEVELS


def test_level_outside_the_framework_is_refused_naming_the_allowed_levels(
    client_as, org, db, second
):
    client = client_as("lead")
    use_framework(client, org, second)
    url = f"/teams/{org.team.id}/members/new"
    r = client.form(url, {**MEMBER, "level": "Senior", "team_id": org.team.id})
    assert r.status_code == 200
    html = text(r)
    assert 'value="Nia New"' in html and 'value="nia@example.com"' in html
    assert 'value="Platform Engineer"' in html and 'value="21"' in html
    assert count(db, Member, Member.email == "nia@example.com") == 0
    error = re.search(r'<small class="field-error" id="level-error">([^<]*)</small>', html)
    assert error, "the level field shows no error"
    assert "Junior" in error[1] and "Staff" in error[1]


def test_level_outside_the_framework_is_refused_and_typing_kept(client_as, org, db, second):
    """What the form does today (whatever its wording): refused at the level, nothing saved."""
    client = client_as("lead")
    use_framework(client, org, second)
    url = f"/teams/{org.team.id}/members/new"
    r = client.form(url, {**MEMBER, "level": "Senior", "team_id": org.team.id})
    assert r.status_code == 200
    html = text(r)
    assert re.search(r'<small class="field-error" id="level-error">[^<]+</small>', html)
    assert 'value="Nia New"' in html and 'value="nia@example.com"' in html
    assert 'value="Platform Engineer"' in html and 'value="21"' in html
    assert option_values(html, "level") == STAFF_LEVELS
    assert count(db, Member, Member.email == "nia@example.com") == 0


def test_moving_a_member_checks_the_level_against_the_new_teams_framework(
    client_as, org, db, second, make_team
):
    """A level valid on the old team's framework but not the new team's is refused, by name."""
    other = make_team("Second ML team", leads=[org.lead])  # on the default framework
    client = client_as("lead")
    use_framework(client, org, second)
    data = {**MEMBER, "name": org.plain.name, "email": org.plain.email, "level": "Junior"}
    r = client.form(f"/members/{org.plain.id}/edit", {**data, "team_id": other.id})
    assert r.status_code == 200
    assert "Unknown level &#39;Junior&#39;: choose one of Entry, Mid, Senior, Lead." in text(r)
    plain = db.get(Member, org.plain.id)
    assert plain.team_id == org.team.id and plain.level == "Entry"


def test_matrix_and_competency_pages_follow_the_team_framework(app, client_as, org, second, rate):
    rate(org.eng, "python-programming", 3, rater=org.lead)
    client = client_as("lead")
    matrix = f"/teams/{org.team.id}/matrix"
    page = f"/members/{org.eng.id}/competencies"
    assert SHIPPED_COMPETENCY in text(client.get(matrix))
    assert SHIPPED_COMPETENCY in text(client.get(page))

    use_framework(client, org, second)
    r = client.get(matrix)
    assert r.status_code == 200
    html = text(r)
    assert "Platform Engineer v1" in html
    for name in SECOND_COMPETENCIES:
        assert name in html
    assert SHIPPED_COMPETENCY not in html
    assert option_values(html, "level") == ["", *STAFF_LEVELS]
    assert "Eve Engineer" in html

    for email in ("lead@example.com", "eve@example.com"):
        reader = app.test_client()
        login(reader, email)
        r = reader.get(page)
        assert r.status_code == 200, email
        html = text(r)
        for name in SECOND_COMPETENCIES:
            assert name in html
        assert SHIPPED_COMPETENCY not in html
        assert reader.get(f"/members/{org.eng.id}/radar.svg").status_code == 200

    # The matrix downloads follow it too.
    csv = client.get(f"/teams/{org.team.id}/matrix.csv")
    assert csv.status_code == 200
    header = next(csv_reader(csv.data.decode("utf-8-sig").splitlines()))  # every field quoted
    assert header[-2:] == ["capacity-planning", "incident-command"]
    assert "python-programming" not in header

    # Back on the default: the shipped framework, and the earlier rating, are there again.
    use_framework(client, org, 0)
    html = text(client.get(matrix))
    assert SHIPPED_COMPETENCY in html and SECOND_COMPETENCIES[0] not in html
    assert SHIPPED_COMPETENCY in text(client.get(page))


def test_the_other_team_is_not_affected(app, client_as, org, second):
    client = client_as("lead")
    use_framework(client, org, second)
    client = client_as("other@example.com")
    html = text(client.get(f"/teams/{org.other_team.id}/matrix"))
    assert SHIPPED_COMPETENCY in html and SECOND_COMPETENCIES[0] not in html


def test_framework_list_counts_the_teams_using_each(client_as, org, second, framework):
    def uses(html, name):
        row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if name in r)
        return re.findall(r"<td>(\d+)</td>", row)

    client = client_as("lead")
    html = text(client.get("/frameworks"))
    assert uses(html, "Lead Machine Learning Engineer") == ["2"]
    assert uses(html, "Platform Engineer") == ["0"]
    use_framework(client, org, second)
    html = text(client.get("/frameworks"))
    assert uses(html, "Lead Machine Learning Engineer") == ["1"]
    assert uses(html, "Platform Engineer") == ["1"]


def _staff_team(client, org, second, make_team, make_member):
    """A team of the lead's on the second framework, with a Staff and a Junior member."""
    team = make_team("Platform crew", leads=[org.lead])
    make_member(team, "Aaron Able", level="Staff")
    make_member(team, "Zed Zane", level="Junior")
    r = client.form(f"/teams/{team.id}/edit", team_form(org, team, framework_id=str(second)))
    assert r.status_code == 302
    return team


def test_roster_sorts_by_the_team_frameworks_level_order(
    client_as, org, second, make_team, make_member
):
    client = client_as("lead")
    team = _staff_team(client, org, second, make_team, make_member)
    html = text(client.get(f"/teams/{team.id}?sort=level&dir=asc"))
    assert html.index("Zed Zane") < html.index("Aaron Able")  # Junior before Staff
    html = text(client.get(f"/teams/{team.id}?sort=level&dir=desc"))
    assert html.index("Aaron Able") < html.index("Zed Zane")


def test_roster_filters_and_matrix_sorts_by_the_team_frameworks_levels(
    client_as, org, second, make_team, make_member
):
    client = client_as("lead")
    team = _staff_team(client, org, second, make_team, make_member)
    html = text(client.get(f"/teams/{team.id}"))
    assert option_values(html, "level") == ["", *STAFF_LEVELS]
    html = text(client.get(f"/teams/{team.id}?level=Junior"))
    assert "Zed Zane" in html and "Aaron Able" not in html
    html = text(client.get(f"/teams/{team.id}/matrix?sort=level&dir=asc"))
    assert html.index("Zed Zane") < html.index("Aaron Able")
    html = text(client.get(f"/teams/{team.id}/matrix?level=Staff"))
    assert "Aaron Able" in html and "Zed Zane" not in html


def test_editing_a_member_does_not_silently_change_a_level_the_framework_lacks(
    client_as, org, db, second
):
    client = client_as("lead")
    use_framework(client, org, second)
    html = text(client.get(f"/members/{org.eng.id}/edit"))
    choices = options(html, "level")
    # What a browser submits: the selected option, else the first one.
    level = next((value for value, _label, sel in choices if sel), choices[0][0])
    data = {
        "name": org.eng.name,
        "email": org.eng.email,
        "job_title": "Senior ML Engineer",
        "level": level,
        "start_date": "2024-01-15",
        "cadence_days": "14",
        "team_id": org.team.id,
    }
    client.form(f"/members/{org.eng.id}/edit", data)
    assert db.get(Member, org.eng.id).level == "Mid"


# --- refusals ---


@pytest.mark.parametrize("value", ["{missing}", "-1", "abc", "1.5"])
def test_framework_that_does_not_exist_is_refused(client_as, org, db, second, value):
    client = client_as("lead")
    value = value.format(missing=second + 1000)
    r = client.form(f"/teams/{org.team.id}/edit", team_form(org, framework_id=value))
    assert r.status_code == 200
    html = text(r)
    error = re.search(r'<small class="field-error" id="framework_id-error">([^<]+)</small>', html)
    assert error, "the framework field shows no error"
    assert "choice" in error[1].lower()
    assert f'value="{org.team.name}"' in html  # the form is shown again
    assert db.get(Team, org.team.id).framework_id is None


def test_new_team_can_start_on_a_framework(client_as, org, db, second):
    client = client_as("lead")
    r = client.form(
        "/teams/new",
        {"name": "Platform", "leads": [org.lead.id], "framework_id": str(second)},
    )
    assert r.status_code == 302, text(r)
    team = db.scalar(select(Team).where(Team.name == "Platform"))
    assert team.framework_id == second
    html = text(client.get(f"/teams/{team.id}/members/new"))
    assert option_values(html, "level") == STAFF_LEVELS


def test_lead_cannot_set_the_framework_of_another_leads_team(client_as, org, db, second):
    client = client_as("lead")
    url = f"/teams/{org.other_team.id}/edit"
    assert client.get(url).status_code == 404
    r = client.form(url, team_form(org, org.other_team, framework_id=str(second)))
    assert r.status_code == 404
    assert "Data Platform" not in text(r)
    assert db.get(Team, org.other_team.id).framework_id is None
    assert option_values(text(client.get(f"/teams/{org.team.id}/members/new")), "level") == (
        DEFAULT_LEVELS
    )


def test_engineer_cannot_set_a_team_framework(client_as, org, db, second):
    client = client_as("engineer")
    r = client.form(f"/teams/{org.team.id}/edit", team_form(org, framework_id=str(second)))
    assert r.status_code == 403
    assert db.get(Team, org.team.id).framework_id is None
