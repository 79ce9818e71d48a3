"""`tracker export-matrix` through the CLI runner; files read back with csv, openpyxl, json."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from tracker.team.models import Member


def test_export_team_csv_to_stdout(runner, org, framework, rate):
    rate(org.eng, "python-programming", 2, rater=org.lead)
    r = runner.invoke(args=["tracker", "export-matrix", "--team", "ML Platform", "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert {row["member"] for row in rows} == {"Eve Engineer", "Max Mate", "Pat Plain"}
    assert next(row for row in rows if row["member"] == "Eve Engineer")["python-programming"] == "2"


def test_export_org_xlsx_has_everyone_with_team_column(runner, org, framework, tmp_path, rate):
    rate(org.stranger, "sql", 4, rater=org.other_lead)
    out = tmp_path / "org.xlsx"
    r = runner.invoke(args=["tracker", "export-matrix", "-o", str(out)])
    assert r.exit_code == 0, r.output
    sheet = openpyxl.load_workbook(out)["Ratings"]
    rows = {
        sheet.cell(row=i, column=1).value: sheet.cell(row=i, column=3).value
        for i in range(3, sheet.max_row + 1)
    }
    assert rows == {
        "Eve Engineer": "ML Platform",
        "Max Mate": "ML Platform",
        "Pat Plain": "ML Platform",
        "Sol Stranger": "Data Platform",
    }


def test_export_json_excludes_archived_unless_asked(runner, org, framework, db, tmp_path):
    db.get(Member, org.plain.id).archived = True
    db.commit()
    out = tmp_path / "m.json"
    assert runner.invoke(args=["tracker", "export-matrix", "-o", str(out)]).exit_code == 0
    names = {m["name"] for m in json.loads(out.read_text())["members"]}
    assert "Pat Plain" not in names and "Eve Engineer" in names
    runner.invoke(args=["tracker", "export-matrix", "-o", str(out), "--include-archived"])
    assert "Pat Plain" in {m["name"] for m in json.loads(out.read_text())["members"]}


def test_export_errors_are_clear(runner, org):
    r = runner.invoke(args=["tracker", "export-matrix"])
    assert r.exit_code == 1 and "No competency framework is loaded" in r.output
    r = runner.invoke(args=["tracker", "export-matrix", "--team", "Nope"])
    assert r.exit_code == 1 and "No team called 'Nope'" in r.output and "ML Platform" in r.output
    r = runner.invoke(args=["tracker", "export-matrix", "--format", "pdf"])
    assert r.exit_code == 2
