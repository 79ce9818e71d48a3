"""Reading delivery exports: a Jira CSV or GitHub's milestones JSON, bytes in, a plan out.

Pure functions, no database: `parse_delivery` recognises the format from the content and
returns an `ImportPlan` (what the file holds, and the rows skipped with a reason) or raises
`ImportFormatError` listing every problem, so nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.db import fold
from tracker.forms import out_of_range, range_message

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 50
MAX_EXTERNAL_KEY = 300  # milestone.external_key: "jira:<key>" or "github:<html_url>"
MAX_KEY = MAX_EXTERNAL_KEY - len("jira:")
MAX_SPRINT_NAME = 120  # sprint.name

JIRA_REQUIRED = ("Issue key", "Summary", "Status")
JIRA_OPTIONAL = ("Sprint", "Due date", "Assignee", "Resolved", "Description")
# The formats Jira writes dates in (its default, ISO-like and a few locale variants).
JIRA_DATE_FORMATS = (
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
    "%d/%b/%y",
    "%d/%b/%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d",
)
JIRA_STATUSES = {
    "done": "done",
    "closed": "done",
    "resolved": "done",
    "complete": "done",
    "completed": "done",
    "won't do": "dropped",
    "won't fix": "dropped",
    "cancelled": "dropped",
    "canceled": "dropped",
    "rejected": "dropped",
    "duplicate": "dropped",
    "in progress": "in progress",
    "in review": "in progress",
    "review": "in progress",
    "testing": "in progress",
    "blocked": "in progress",
}


class ImportFormatError(ValueError):
    """The file cannot be imported; `errors` says every reason (row and column where known)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors[:3]))
        self.errors = errors


@dataclass
class ImportedMilestone:
    key: str  # the external key that makes re-imports find it: jira:ML-1, github:<url>
    ref: str  # how the file names it: ML-1, #4
    title: str
    description: str = ""
    status: str = "planned"
    due_date: date | None = None
    done_date: date | None = None
    sprints: list[str] = field(default_factory=list)  # oldest first; the last is the plan
    assignee: str = ""
    source_status: str = ""


@dataclass
class Skipped:
    ref: str
    reason: str


@dataclass
class ImportPlan:
    source: str  # "jira" or "github"
    milestones: list[ImportedMilestone]
    skipped: list[Skipped]
    project_hint: str = ""

    @property
    def sprint_names(self) -> list[str]:
        """Every sprint the file names, in order of first mention."""
        seen: dict[str, None] = {}
        for m in self.milestones:
            for name in m.sprints:
                seen.setdefault(name, None)
        return list(seen)


def parse_delivery(data: bytes) -> ImportPlan:
    """Recognise and parse a Jira CSV export or a GitHub milestones JSON."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFormatError(["The file is larger than 2 MiB: export fewer issues at a time."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(["The file is not UTF-8 text (a CSV or JSON export)."]) from exc
    if not text.strip():
        raise ImportFormatError(["The file is empty."])
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFormatError(
            [f"Line {line} holds a NUL character (byte 0): this is not a text export."]
        )
    if text.lstrip()[:1] in ("[", "{"):
        return parse_github(text)
    return parse_jira(text)


def parse_jira_date(value: str) -> date | None:
    """A date as Jira writes it, or None when it is not one of those formats."""
    value = value.strip()
    for fmt in JIRA_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _unique(names: list[str]) -> list[str]:
    """Names in order of first mention, one per name ignoring case (the first spelling)."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name), name)
    return list(seen.values())


def parse_jira(text: str) -> ImportPlan:
    """A Jira CSV export: a header row, one row per issue; repeated Sprint columns allowed."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFormatError([f"The CSV cannot be read: {exc}."]) from exc
    header = [h.strip() for h in rows[0]] if rows else []
    missing = [c for c in JIRA_REQUIRED if c not in header]
    if missing and "Issue key" not in header and "Summary" not in header:
        raise ImportFormatError(
            ["Not a Jira CSV export (no 'Issue key' column) nor a GitHub milestones JSON list."]
        )
    if missing:
        needs = ", ".join(JIRA_REQUIRED)
        raise ImportFormatError(
            [f"Missing column {c!r}: a Jira CSV export needs {needs}." for c in missing]
        )
    col = {name: header.index(name) for name in (*JIRA_REQUIRED, *JIRA_OPTIONAL) if name in header}
    sprint_cols = [i for i, h in enumerate(header) if h == "Sprint"]
    errors: list[str] = []
    milestones: list[ImportedMilestone] = []
    skipped: list[Skipped] = []
    seen: dict[str, int] = {}

    def cell(row: list[str], name: str) -> str:
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def when(row: list[str], name: str, number: int) -> date | None:
        raw = cell(row, name)
        if not raw:
            return None
        day = parse_jira_date(raw)
        if day is None:
            errors.append(f"Row {number}, column {name!r}: {raw!r} is not a date Jira writes.")
        elif out_of_range(day):
            errors.append(range_message(f"Row {number}, column {name!r}", raw))
            return None
        return day

    for number, row in enumerate(rows[1:], start=2):
        if len(errors) > MAX_ERRORS:
            break
        if not any(v.strip() for v in row):
            continue
        key, title = cell(row, "Issue key"), cell(row, "Summary")
        due, resolved = when(row, "Due date", number), when(row, "Resolved", number)
        if not key:
            skipped.append(Skipped(f"row {number}", "no Issue key"))
            continue
        if key in seen:
            again = f"appears again on row {number} (first on row {seen[key]})"
            skipped.append(Skipped(key, again))
            continue
        seen[key] = number
        if len(key) > MAX_KEY:
            errors.append(f"Row {number}, column 'Issue key': longer than {MAX_KEY} characters.")
            continue
        if not title:
            skipped.append(Skipped(key, "no Summary"))
            continue
        source_status = cell(row, "Status")
        status = JIRA_STATUSES.get(source_status.lower(), "planned")
        sprints = [row[i].strip() for i in sprint_cols if i < len(row) and row[i].strip()]
        for name in sprints:
            if len(name) > MAX_SPRINT_NAME:
                errors.append(
                    f"Row {number}, column 'Sprint': {name[:40]!r}... is longer than "
                    f"{MAX_SPRINT_NAME} characters."
                )
        milestones.append(
            ImportedMilestone(
                key=f"jira:{key}",
                ref=key,
                title=title[:200],
                description=cell(row, "Description"),
                status=status,
                due_date=due,
                done_date=resolved if status == "done" else None,
                sprints=_unique(sprints),
                assignee=cell(row, "Assignee"),
                source_status=source_status,
            )
        )
    if errors:
        raise ImportFormatError(errors)
    hint = milestones[0].ref.rsplit("-", 1)[0] if milestones and "-" in milestones[0].ref else ""
    return ImportPlan("jira", milestones, skipped, hint)


def _iso_date(value, where: str, errors: list[str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        else:
            if not out_of_range(day):
                return day
            errors.append(range_message(where, value))
            return None
    errors.append(f"{where}: {value!r} is not an ISO 8601 date.")
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_text(value) -> str:
    """What no stored text may hold, found in any string of the parsed JSON (a key or a value):
    a NUL (PostgreSQL cannot store it) or a lone surrogate (not text: UTF-8 cannot encode it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character (\\u0000)"
            if _SURROGATE.search(item):
                return "a lone surrogate (\\ud800-\\udfff), which is not text"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return ""


def _scalar(value) -> str:
    """A JSON string or number as text; anything else (null, a list, an object) as ""."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return str(value)


def parse_github(text: str) -> ImportPlan:
    """The JSON of GitHub's `GET /repos/{owner}/{repo}/milestones`: a list of objects."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError([f"The JSON is malformed: {exc.msg} (line {exc.lineno})."]) from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number; nesting 100,000 deep
        problem = exc or "nested too deeply"
        raise ImportFormatError([f"The JSON cannot be read: {problem}."]) from exc
    if not isinstance(doc, list):
        raise ImportFormatError(
            ["Expected a JSON list of milestones, as GitHub's milestones API returns."]
        )
    bad = _bad_text(doc)
    if bad:
        raise ImportFormatError([f"A string in the JSON holds {bad}."])
    errors: list[str] = []
    milestones: list[ImportedMilestone] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    hint = ""
    for i, item in enumerate(doc, start=1):
        if len(errors) > MAX_ERRORS:
            break
        if not isinstance(item, dict):
            skipped.append(Skipped(f"item {i}", "not a milestone object"))
            continue
        number, url = _scalar(item.get("number")) or None, item.get("html_url") or ""
        ref = f"#{number}" if number is not None else f"item {i}"
        if not isinstance(url, str):
            errors.append(f"Milestone {ref}, html_url: must be a string (a web address).")
            continue
        title = _scalar(item.get("title")).strip()
        if not title:
            skipped.append(Skipped(ref, "no title"))
            continue
        if not url and number is None:
            skipped.append(Skipped(ref, "neither number nor html_url: it could not be found again"))
            continue
        key = f"github:{url or number}"
        if len(key) > MAX_EXTERNAL_KEY:
            most = MAX_EXTERNAL_KEY - len("github:")
            errors.append(f"Milestone {ref}: html_url is longer than {most} characters.")
            continue
        if key in seen:
            skipped.append(Skipped(ref, "appears twice in the file"))
            continue
        seen.add(key)
        where = f"Milestone {ref}"
        due = _iso_date(item.get("due_on"), f"{where}, due_on", errors)
        closed = _iso_date(item.get("closed_at"), f"{where}, closed_at", errors)
        status = "done" if item.get("state") == "closed" else "planned"
        match = re.match(r"https?://[^/]+/[^/]+/([^/]+)/", url)
        hint = hint or (match.group(1) if match else "")
        milestones.append(
            ImportedMilestone(
                key=key,
                ref=ref,
                title=title[:200],
                description=_scalar(item.get("description")),
                status=status,
                due_date=due,
                done_date=closed if status == "done" else None,
                source_status=_scalar(item.get("state")),
            )
        )
    if errors:
        raise ImportFormatError(errors)
    return ImportPlan("github", milestones, skipped, hint)
