"""The team skill matrix page and its CSV, XLSX and JSON exports, opened as a user's tool would."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from tests.conftest import count_queries


@pytest.fixture
def rated(org, framework, rate):
    """Ratings that make risks and pairings: Max is an Expert in Python, Eve below her level."""
    rate(org.mate, "python-programming", 5, rater=org.lead)
    rate(org.eng, "python-programming", 1, rater=org.lead)
    rate(org.eng, "python-programming", 4, kind="self")
    rate(org.plain, "sql", 3, rater=org.lead)
    return org


def test_matrix_shows_heatmap_risks_and_pairings(client_as, rated):
    client = client_as("lead")
    r = client.get(f"/teams/{rated.team.id}/matrix")
    assert r.status_code == 200
    html = r.data.decode()
    assert 'class="cell r5' in html and 'class="cell r1' in html
    assert "below" in html  # Eve's 1 is under the Mid expectation
    assert "Bus-factor risks" in html
    pair = html[html.index("Mentor pairings") :]
    row = pair[pair.index("Python and programming</th>") :].split("</tr>")[0]
    assert "Max Mate" in row and "Eve Engineer" in row
    assert row.index("Max Mate") < row.index("Eve Engineer")  # mentor first, then learner


def test_matrix_filters_by_category_and_level_and_sorts(client_as, rated, db, framework):
    client = client_as("lead")
    html = client.get(f"/teams/{rated.team.id}/matrix?category=data").data.decode()
    assert "SQL" in html and "Python and programming" not in html
    html = client.get(f"/teams/{rated.team.id}/matrix?level=Senior").data.decode()
    assert "Max Mate" in html and "Eve Engineer</a>" not in html
    html = client.get(
        f"/teams/{rated.team.id}/matrix?sort=python-programming&dir=desc"
    ).data.decode()
    assert html.index("Max Mate</a>") < html.index("Eve Engineer</a>") < html.index("Pat Plain</a>")


def test_matrix_hides_archived_unless_asked(client_as, rated):
    client = client_as("lead")
    client.form(f"/members/{rated.mate.id}/archive")
    html = client.get(f"/teams/{rated.team.id}/matrix").data.decode()
    assert "Max Mate</a>" not in html
    html = client.get(f"/teams/{rated.team.id}/matrix?archived=1").data.decode()
    assert "Max Mate</a>" in html


def test_matrix_permissions(client_as, rated):
    client = client_as("engineer")
    for path in ("matrix", "matrix.csv", "matrix.xlsx", "matrix.json"):
        assert client.get(f"/teams/{rated.team.id}/{path}").status_code == 403
    other = client_as("other@example.com")
    for path in ("matrix", "matrix.csv", "matrix.xlsx", "matrix.json"):
        assert other.get(f"/teams/{rated.team.id}/{path}").status_code == 404
    assert other.get(f"/teams/{rated.team.id}/matrix.exe").status_code == 404


def test_csv_export(client_as, rated):
    client = client_as("lead")
    r = client.get(f"/teams/{rated.team.id}/matrix.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    by_name = {row["member"]: row for row in rows}
    assert by_name["Max Mate"]["python-programming"] == "5"
    assert by_name["Eve Engineer"]["python-programming"] == "1"  # lead rating, not self
    assert by_name["Pat Plain"]["python-programming"] == ""
    assert list(rows[0])[:5] == ["member", "email", "team", "level", "status"]


def test_exports_neutralise_formulas(client_as, rated, db):
    rated.plain.name = '=HYPERLINK("http://evil.example","click")'
    rated.mate.name = "@SUM(1+1)"
    rated.eng.job_title = "+danger"
    db.commit()
    client = client_as("lead")
    text = client.get(f"/teams/{rated.team.id}/matrix.csv").data.decode("utf-8-sig")
    names = [row["member"] for row in csv.DictReader(io.StringIO(text))]
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    assert "'@SUM(1+1)" in names
    data = client.get(f"/teams/{rated.team.id}/matrix.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Ratings"]
    cells = [sheet.cell(row=r, column=1) for r in range(3, sheet.max_row + 1)]
    evil = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert evil.data_type == "s"  # a string, never a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_xlsx_export_opens_with_three_styled_sheets(client_as, rated, framework):
    client = client_as("lead")
    r = client.get(f"/teams/{rated.team.id}/matrix.xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.data))
    assert book.sheetnames == ["Ratings", "Gaps", "Framework"]
    ratings = book["Ratings"]
    assert ratings.freeze_panes == "B3"
    assert ratings["A2"].value == "Member"
    assert ratings.conditional_formatting  # the colour scale
    assert any("Technical" in str(c.value) for c in ratings[1])  # the category band
    names = [ratings.cell(row=r, column=1).value for r in range(3, ratings.max_row + 1)]
    assert names == ["Eve Engineer", "Max Mate", "Pat Plain"]
    header = [c.value for c in ratings[2]]
    col = header.index("Python and programming") + 1
    assert ratings.cell(row=4, column=col).value == 5
    gaps = book["Gaps"]
    assert gaps.cell(row=3, column=col).value < 0  # Eve: 1 against a Mid expectation
    fw = book["Framework"]
    texts = [c.value for row in fw.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Practitioner" in texts and "python-programming" in texts
    assert any(t == "Lead: what good looks like" for t in texts)


def test_json_export(client_as, rated):
    client = client_as("lead")
    doc = json.loads(client.get(f"/teams/{rated.team.id}/matrix.json").data)
    assert doc["framework"]["name"] == "Lead Machine Learning Engineer"
    assert doc["team"] == "ML Platform"
    assert len(doc["competencies"]) >= 30
    eve = next(m for m in doc["members"] if m["name"] == "Eve Engineer")
    assert eve["ratings"]["python-programming"]["lead"] == 1
    assert eve["ratings"]["python-programming"]["self"] == 4
    comp = next(c for c in doc["competencies"] if c["key"] == "python-programming")
    assert set(comp["expected"]) == {"Entry", "Mid", "Senior", "Lead"}


def test_exports_exclude_archived_unless_asked(client_as, rated):
    client = client_as("lead")
    client.form(f"/members/{rated.mate.id}/archive")
    text = client.get(f"/teams/{rated.team.id}/matrix.csv").data.decode("utf-8-sig")
    assert "Max Mate" not in text
    text = client.get(f"/teams/{rated.team.id}/matrix.csv?archived=1").data.decode("utf-8-sig")
    assert "Max Mate" in text


def test_matrix_and_exports_run_a_constant_number_of_queries(
    app, client_as, org, framework, rate, make_member
):
    app.extensions["tracker.pages"].size = 0  # count what rendering costs, not a cache hit
    client = client_as("lead")
    paths = ["matrix", "matrix.csv", "matrix.xlsx", "matrix.json"]
    rate(org.eng, "sql", 2, rater=org.lead)
    before = {}
    for p in paths:
        client.get(f"/teams/{org.team.id}/{p}")
        with count_queries(app) as n:
            assert client.get(f"/teams/{org.team.id}/{p}").status_code == 200
        before[p] = n()
    for i in range(15):
        m = make_member(org.team, f"Extra {i:02d}", level=("Entry", "Mid", "Senior")[i % 3])
        rate(m, "python-programming", i % 6, rater=org.lead)
        rate(m, "sql", (i + 2) % 6, kind="self")
    for p in paths:
        with count_queries(app) as n:
            assert client.get(f"/teams/{org.team.id}/{p}").status_code == 200
        assert n() == before[p], p
