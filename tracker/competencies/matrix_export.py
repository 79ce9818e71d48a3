"""Skill matrix exports. Pure builders: a `Matrix` in, bytes out.

Spreadsheet safety: in CSV every field is quoted and every text cell that a spreadsheet could
read as a formula gets an apostrophe, as OWASP recommends: before a trigger (= + - @ and their
full-width, small and super/subscript forms, the minus sign) at the start of the cell or of any
piece a spreadsheet may split it into at a delimiter-like character (, ; | tab, line breaks and
their full-width forms), blanks in between included; a cell starting with a tab or a line
break gets one too. In XLSX every text cell is written as a string, never a formula or a link,
so it keeps its exact text; JSON is data and keeps it too.
"""

from __future__ import annotations

import csv
import io
import json
import re

import xlsxwriter

from tracker.competencies.matrix import Matrix

# What a spreadsheet may take as the start of a formula: = + - @ and every character NFKC folds
# into one of them (full-width, small, super- and subscript forms), and the minus signs.
FORMULA_TRIGGERS = frozenset(
    "=\uff1d\ufe66\u207c\u208c"
    "+\uff0b\ufe62\u207a\u208a\ufb29\u2795"
    "-\uff0d\ufe63\u2212\u207b\u208b\u2796"
    "@\uff20\ufe6b"
)
# Where a spreadsheet may cut a cell into pieces (another delimiter, a broken quote, a line).
CELL_BREAKS = frozenset(",;|\t\r\n\uff0c\ufe50\ufe10\uff1b\ufe54\ufe14\u037e\uff5c")
_BLANKS = r"\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"  # spaces, invisibles
_UNSAFE = re.compile(
    "(?:^|(?<=[" + re.escape("".join(sorted(CELL_BREAKS))) + "]))"
    "(?=[" + _BLANKS + "]*[" + re.escape("".join(sorted(FORMULA_TRIGGERS))) + "])"
)
FORMULA_START = ("\t", "\r", "\n")  # OWASP: these start a formula-ish cell by themselves
MEMBER_COLUMNS = ("member", "email", "team", "level", "status")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def neutralise(value):
    """Make a text cell inert in spreadsheets; numbers and None pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return _UNSAFE.sub("'", value)


def _member_cells(row) -> list:
    m = row.member
    return [m.name, m.email, m.team.name, m.level, "archived" if m.archived else "active"]


def to_csv(matrix: Matrix) -> bytes:
    """One header row of stable competency keys; one row per member with lead ratings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(
        [neutralise(v) for v in (*MEMBER_COLUMNS, *(c.competency.key for c in matrix.columns))]
    )
    for row in matrix.rows:
        writer.writerow(
            [neutralise(v) for v in _member_cells(row)]
            + ["" if cell.value is None else cell.value for cell in row.cells]
        )
    # A BOM so Excel opens UTF-8 names correctly; LibreOffice and csv readers accept it.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(matrix: Matrix) -> bytes:
    """Framework, competencies with expectations, and members with their ratings."""
    view = matrix.view
    doc = {
        "framework": {
            "name": view.version.framework.name,
            "version": view.version.number,
            "scale": [{"value": p.value, "label": p.label} for p in view.scale],
            "levels": [lvl.name for lvl in view.levels],
        },
        "team": matrix.team.name if matrix.team else None,
        "competencies": [
            {
                "key": c.competency.key,
                "name": c.competency.name,
                "category": c.competency.category.key,
                "expected": {lvl.name: view.expected(c.competency, lvl) for lvl in view.levels},
            }
            for c in matrix.columns
        ],
        "members": [
            {
                "id": row.member.id,
                "name": row.member.name,
                "email": row.member.email,
                "team": row.member.team.name,
                "level": row.member.level,
                "archived": row.member.archived,
                "ratings": {
                    col.competency.key: {
                        "lead": cell.value,
                        "self": cell.self_value,
                        "expected": cell.expected,
                        "gap": cell.gap,
                    }
                    for col, cell in zip(matrix.columns, row.cells, strict=True)
                    if cell.value is not None or cell.self_value is not None
                },
            }
            for row in matrix.rows
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(matrix: Matrix) -> bytes:
    """Ratings, Gaps and Framework sheets; rows are streamed (constant memory)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    fmt = {
        "band": book.add_format(
            {"bold": True, "bg_color": "#DCE6F1", "border": 1, "align": "center"}
        ),
        "head": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "bold": book.add_format({"bold": True}),
    }
    _grid_sheet(book, fmt, matrix, "Ratings", lambda cell: cell.value)
    _grid_sheet(book, fmt, matrix, "Gaps", lambda cell: cell.gap)
    _framework_sheet(book, fmt, matrix)
    book.close()
    return out.getvalue()


def _grid_sheet(book, fmt, matrix: Matrix, name: str, pick) -> None:
    sheet = book.add_worksheet(name)
    first = len(MEMBER_COLUMNS)
    sheet.write_string(
        0,
        0,
        f"{matrix.view.version.framework.name} v{matrix.view.version.number}"
        + (
            " · rating minus the expectation for the member's level"
            if name == "Gaps"
            else " · latest lead rating"
        ),
        fmt["bold"],
    )
    col = first
    for category, width in matrix.category_spans():
        if width > 1:
            sheet.merge_range(0, col, 0, col + width - 1, category, fmt["band"])
        else:
            sheet.write_string(0, col, category, fmt["band"])
        col += width
    for i, title in enumerate(MEMBER_COLUMNS):
        sheet.write_string(1, i, title.capitalize(), fmt["head"])
    for j, column in enumerate(matrix.columns):
        sheet.write_string(1, first + j, column.competency.name, fmt["head"])
    sheet.set_row(1, 60)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 4, 14)
    sheet.set_column(first, first + max(len(matrix.columns) - 1, 0), 11)
    for r, row in enumerate(matrix.rows, start=2):
        for i, value in enumerate(_member_cells(row)):
            sheet.write_string(r, i, value)
        for j, cell in enumerate(row.cells):
            value = pick(cell)
            if value is not None:
                sheet.write_number(r, first + j, value)
    sheet.freeze_panes(2, 1)
    last_row = len(matrix.rows) + 1
    if matrix.rows and matrix.columns:
        area = (2, first, last_row, first + len(matrix.columns) - 1)
        scale = matrix.view.scale_values
        if name == "Gaps":
            spread = max(scale) - min(scale)
            rule = {
                "type": "3_color_scale",
                "min_type": "num",
                "min_value": -spread,
                "mid_type": "num",
                "mid_value": 0,
                "max_type": "num",
                "max_value": spread,
                "min_color": "#F8696B",
                "mid_color": "#FFFFFF",
                "max_color": "#63BE7B",
            }
        else:
            rule = {
                "type": "3_color_scale",
                "min_type": "num",
                "min_value": min(scale),
                "mid_type": "num",
                "mid_value": matrix.view.practitioner,
                "max_type": "num",
                "max_value": max(scale),
                "min_color": "#F8696B",
                "mid_color": "#FFEB84",
                "max_color": "#63BE7B",
            }
        sheet.conditional_format(*area, rule)
        sheet.autofilter(1, 0, last_row, first + len(matrix.columns) - 1)


def _framework_sheet(book, fmt, matrix: Matrix) -> None:
    view = matrix.view
    sheet = book.add_worksheet("Framework")
    sheet.write_string(0, 0, view.version.framework.name, fmt["bold"])
    sheet.write_string(0, 1, f"version {view.version.number}")
    sheet.write_string(2, 0, "Scale", fmt["head"])
    sheet.write_string(2, 1, "Label", fmt["head"])
    sheet.write_string(2, 2, "Meaning", fmt["head"])
    r = 3
    for point in view.scale:
        sheet.write_number(r, 0, point.value)
        sheet.write_string(r, 1, point.label)
        sheet.write_string(r, 2, point.description, fmt["wrap"])
        r += 1
    r += 1
    heads = ["Category", "Key", "Competency", "Description"]
    for lvl in view.levels:
        heads += [f"Expected {lvl.name}", f"{lvl.name}: what good looks like"]
    for i, h in enumerate(heads):
        sheet.write_string(r, i, h, fmt["head"])
    r += 1
    for column in matrix.columns:
        comp = column.competency
        sheet.write_string(r, 0, comp.category.name)
        sheet.write_string(r, 1, comp.key)
        sheet.write_string(r, 2, comp.name)
        sheet.write_string(r, 3, comp.description, fmt["wrap"])
        for k, lvl in enumerate(view.levels):
            exp = view.expectation(comp, lvl)
            if exp is not None:
                sheet.write_number(r, 4 + 2 * k, exp.expected)
                sheet.write_string(r, 5 + 2 * k, exp.descriptor, fmt["wrap"])
        r += 1
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 2, 30)
    sheet.set_column(3, 3, 50)
    for k in range(len(view.levels)):
        sheet.set_column(4 + 2 * k, 4 + 2 * k, 10)
        sheet.set_column(5 + 2 * k, 5 + 2 * k, 50)


BUILDERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}
