"""Every formula trigger, one by one, at every place a spreadsheet may start reading a formula,
in every text field of every export (CSV, XLSX, JSON; from the web and the CLI), read back as
a user's tool would: CSV with the csv module, XLSX with openpyxl, JSON with json.

The triggers and delimiters are listed here independently of the exporter (ASCII ones, and
every character NFKC folds into one), so an exporter that drops one is caught."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import unicodedata

import openpyxl
import pytest
from sqlalchemy import select

from tests.conftest import login


def _folding_into(chars: str) -> list[str]:
    return [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if chr(c) not in chars and unicodedata.normalize("NFKC", chr(c)) in chars
    ]


MINUS_SIGNS = ["\u2212", "\u207b", "\u208b", "\u2796", "\u2795"]  # − ⁻ ₋ ➖ ➕
TRIGGERS = list("=+-@") + _folding_into("=+-@") + MINUS_SIGNS
BREAKS = list(",;|\t\r\n") + _folding_into(",;|")
assert {"\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe62", "\ufe63"} <= set(TRIGGERS)

# Where the trigger goes ({t}); each reads as a formula somewhere if left alone.
PLACES = {
    "start": "{t}cmd",
    "space": " {t}cmd",
    "spaces-tab": " \t {t}cmd",
    "nbsp": "\u00a0{t}cmd",
    "ideographic-space": "\u3000{t}cmd",
    "zero-width-space": "\u200b{t}cmd",
    "after-tab-start": "\t{t}cmd",
    "line-start": "\n{t}cmd",
    "twice": "{t}a;{t}b",
    **{f"after-U+{ord(b):04X}": "a" + b + "{t}cmd" for b in BREAKS},
    "after-semicolon-space": "a; {t}cmd",
    "after-comma-nbsp": "a,\u00a0{t}cmd",
}


def _blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def formula_starts(cell: str) -> list[int]:
    """Positions where a spreadsheet could start a formula in this CSV cell."""
    found = []
    for i in range(len(cell)):
        if i and cell[i - 1] not in BREAKS:
            continue
        j = i
        while j < len(cell) and _blank(cell[j]):
            j += 1
        if j < len(cell) and cell[j] in TRIGGERS:
            found.append(i)
    if cell[:1] in ("\t", "\r", "\n"):
        found.append(0)
    return found


# --- every exported text field -------------------------------------------------------------

FIELDS = {
    # field: (formats it is exported in)
    "member.name": ("csv", "xlsx", "json"),
    "member.email": ("csv", "xlsx", "json"),
    "member.level": ("csv", "xlsx", "json"),
    "team.name": ("csv", "xlsx", "json"),
    "competency.key": ("csv", "xlsx", "json"),
    "competency.name": ("xlsx", "json"),
    "competency.description": ("xlsx",),
    "category.name": ("xlsx",),
    "category.key": ("json",),
    "framework.name": ("xlsx", "json"),
    "scale.label": ("xlsx", "json"),
    "scale.description": ("xlsx",),
    "level.name": ("xlsx", "json"),
    "expectation.descriptor": ("xlsx",),
}
MARKERS = {field: f"Q{i:02d}" for i, field in enumerate(FIELDS)}


def _objects(db, org, framework):
    from tracker.competencies.models import Category, Competency, Level, ScalePoint

    comp = db.scalar(
        select(Competency).where(
            Competency.version_id == framework.id, Competency.key == "python-programming"
        )
    )
    return {
        "member": org.eng,
        "team": org.team,
        "competency": comp,
        "category": db.get(Category, comp.category_id),
        "framework": framework.framework,
        "scale": db.scalar(select(ScalePoint).where(ScalePoint.version_id == framework.id)),
        "level": db.scalar(
            select(Level).where(Level.version_id == framework.id, Level.name == "Lead")
        ),
        "expectation": comp.expectations[0],
    }


PLACE_NAMES = list(PLACES)
MEMBER_FIELDS = [f for f in FIELDS if f.startswith("member.")]


def _plant(db, objects, members, trigger: str, round_: int) -> dict[str, tuple[str, str]]:
    """Round 0: every field holds the trigger at the start; round 1: each field another place.
    Every round, one member per place holds it in each member field.
    Returns value -> (field, its marker)."""
    values = {}

    def put(obj, field, place, marker):
        value = PLACES[place].format(t=trigger) + marker + "x"  # x: Q01x is not in Q01m02x
        if field == "member.email":
            value += "@example.com"
        setattr(obj, field.split(".")[1], value)
        values[value] = (field, marker + "x")

    for i, field in enumerate(FIELDS):
        place = "start" if round_ == 0 else PLACE_NAMES[1 + i % (len(PLACES) - 1)]
        put(objects[field.split(".")[0]], field, place, MARKERS[field])
    for k, member in enumerate(members):
        for j, field in enumerate(MEMBER_FIELDS):
            place = PLACE_NAMES[(k + j * round_) % len(PLACES)]
            put(member, field, place, f"{MARKERS[field]}m{k:02d}")
    db.commit()
    return values


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    # Every field quoted: what the csv module writes with QUOTE_ALL is exactly the file.
    again = io.StringIO()
    csv.writer(again, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    assert again.getvalue() == text[1:]
    return [cell for row in rows for cell in row]


def _xlsx_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]


def _json_strings(data: bytes) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            found.append(node)

    walk(json.loads(data))
    return found


def _check(fmt: str, data: bytes, values: dict[str, tuple[str, str]], where: str) -> None:
    parsed = {"csv": _csv_cells, "xlsx": _xlsx_cells, "json": _json_strings}[fmt](data)
    for value, (field, marker) in values.items():
        if fmt not in FIELDS[field]:
            continue
        label = f"{where} {fmt} {field} {value!r}"
        if fmt == "csv":
            cells = [c for c in parsed if marker in c]
            assert cells, label
            for cell in cells:
                assert not formula_starts(cell), (label, cell)
                assert cell.replace("'", "") == value.replace("'", ""), (label, cell)  # kept
        elif fmt == "xlsx":
            cells = [c for c in parsed if marker in str(c.value)]
            assert cells, label
            for cell in cells:
                assert cell.data_type == "s", (label, cell.data_type)  # text, never a formula
                if value.isprintable() or "\t" in value:  # the exact text, no apostrophe
                    assert value in cell.value, (label, cell.value)
        else:
            assert value in parsed, label  # data keeps the exact text
    if fmt == "xlsx":
        assert all(c.data_type != "f" for c in parsed)


@pytest.fixture
def planted(client, db, org, framework, rate, make_member):
    """The objects whose fields are planted, and one more member per place."""
    rate(org.eng, "python-programming", 3, rater=org.lead)
    login(client, "lead@example.com")
    members = [make_member(org.team, f"Member {k}") for k in range(len(PLACES))]
    return _objects(db, org, framework), members


@pytest.mark.parametrize("trigger", TRIGGERS, ids=[f"U+{ord(t):04X}" for t in TRIGGERS])
def test_every_trigger_everywhere_in_web_exports(client, db, org, planted, trigger):
    for round_ in (0, 1):
        values = _plant(db, *planted, trigger, round_)
        for fmt in ("csv", "xlsx", "json"):
            r = client.get(f"/teams/{org.team.id}/matrix.{fmt}")
            assert r.status_code == 200, (round_, fmt)
            _check(fmt, r.data, values, f"round {round_}")


@pytest.mark.parametrize("trigger", TRIGGERS, ids=[f"U+{ord(t):04X}" for t in TRIGGERS])
def test_every_trigger_in_cli_exports(runner, db, planted, trigger, tmp_path):
    values = _plant(db, *planted, trigger, 0)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"matrix.{fmt}"
        r = runner.invoke(args=["tracker", "export-matrix", "-o", str(out)])
        assert r.exit_code == 0, r.output
        _check(fmt, out.read_bytes(), values, "cli")


@pytest.mark.parametrize(
    "value",
    ["Bob Smith-Jones", "a=b", "x+y", "me@example.com", "1-2", "semi;colon", "O'Brien"],
)
def test_harmless_text_is_left_alone(value):
    from tracker.competencies.matrix_export import neutralise

    assert neutralise(value) == value
    assert neutralise(7) == 7 and neutralise(None) is None


def test_the_exporter_knows_every_trigger_and_break_listed_here():
    """Says which character is missing when the exporter's list loses one."""
    from tracker.competencies.matrix_export import neutralise

    for t in TRIGGERS:
        assert not formula_starts(neutralise(t + "x")), f"U+{ord(t):04X}"
        for b in BREAKS:
            assert not formula_starts(neutralise("a" + b + t + "x")), (
                f"U+{ord(t):04X} after U+{ord(b):04X}"
            )


# --- LibreOffice itself, with formula evaluation on ---------------------------------------

soffice = shutil.which("soffice")


@pytest.mark.skipif(soffice is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_evaluates_no_cell_of_the_csv(client_as, db, org, framework, tmp_path):
    """The CSV opened by LibreOffice Calc with formulas evaluated, split at `,` and at `;`
    (a locale whose separator is `;`): no cell is a formula's result or error."""
    from datetime import date

    from tracker.team.models import Member

    db.add_all(
        Member(
            team_id=org.team.id,
            name=PLACES[place].format(t=t) + "1+41",
            email=f"m{i}-{j}@example.com",
            level="Mid",
            job_title="",
            start_date=date(2024, 1, 1),
        )
        for i, t in enumerate(TRIGGERS)
        for j, place in enumerate(PLACES)
    )
    db.commit()
    client = client_as("lead")
    source = tmp_path / "matrix.csv"
    source.write_bytes(client.get(f"/teams/{org.team.id}/matrix.csv").data)
    for separator in (44, 59):  # , and ;
        out = tmp_path / f"out-{separator}"
        done = subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                # Import: UTF-8, quoted fields not forced to text, evaluate formulas (token 13).
                f"--infilter=CSV:{separator},34,76,1,,0,false,true,false,false,false,-1,true",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):9,34,76,1,,0,false,true,true,false,false,-1",
                str(source),
                "--outdir",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        (result,) = out.glob("*.csv")
        rows = list(csv.reader(result.open(encoding="utf-8"), delimiter="\t"))
        assert len(rows) > len(TRIGGERS) * len(PLACES)
        evaluated = [c for row in rows for c in row if c == "42" or c.startswith(("Err:", "#"))]
        assert not evaluated, (separator, evaluated[:10])
