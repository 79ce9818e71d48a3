"""Hostile input, property-based (hypothesis): long strings, RTL and emoji, control characters,
HTML and script payloads, spreadsheet formulas, huge and negative numbers, dates far in the
past or future and malformed ones, posted to the main forms and uploads.

For every example: never a 500; a refused submission writes nothing; an accepted one writes
exactly one record of the right kind; and every page, chart and export that shows the stored
value renders it inert (no script, no event handler, no javascript: link, formula-safe
spreadsheets). The database is shared by the examples of a test, so each example counts
before and after rather than assuming an empty table.

Bugs these tests found were fixed; each is kept as an example-based regression test at the
end, and the strategies no longer leave anything out for them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from tests.conftest import PASSWORD, login

ON_POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no .hypothesis/ example database in the working tree
)

# --- strategies ---------------------------------------------------------------------------

HTML_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><script>alert(2)</script>',
    "'><img src=x onerror=alert(3)>",
    "<svg/onload=alert(4)>",
    "</textarea><script>alert(5)</script>",
    '<a href="javascript:alert(6)">six</a>',
    "<iframe srcdoc='<script>alert(8)</script>'></iframe>",
    "]]><script>alert(9)</script>",
    "</title><script>alert(10)</script>",
]
TEXT_PAYLOADS = [
    "[seven](javascript:alert(7))",
    "{{ 7*7 }}",
    "{% if x %}",
    "' OR '1'='1' --",
    "%s%d%n",
    "\\",
    "../../etc/passwd",
    "${jndi:ldap://x}",
]
FORMULAS = [
    "=1+2",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(A1:A2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    "=cmd|' /C calc'!A0",
]
UNICODE = [
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202eevil\u202c",
    "\u200f\u200e\u200b",
    "👩🏽‍💻",
    "🏳️‍🌈",
    "💩",
    "Ünïcödé",
    "数据平台",
    "\ufeff",
    "\u2028\u2029",
    "Z̴̡a̶l̷g̸o̵",
]
# NUL is among them: it is refused with a 400 naming the field on both engines (PostgreSQL
# cannot store it), in form fields and inside uploaded files alike.
CONTROL_CHARS = [chr(c) for c in range(0x20)] + ["\x7f"]


_pieces = st.one_of(
    st.sampled_from(HTML_PAYLOADS + TEXT_PAYLOADS + FORMULAS + UNICODE),
    st.text(alphabet=st.sampled_from(CONTROL_CHARS), min_size=1, max_size=4),
    st.text(max_size=20),
)
hostile_text = st.one_of(
    st.lists(_pieces, min_size=1, max_size=5).map("".join),
    # Long strings, up to 5,000 characters.
    st.builds(
        lambda piece, n: (piece * (n // len(piece) + 1))[:n],
        _pieces.filter(bool),
        st.integers(1000, 5000),
    ),
)
hostile_int = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        ["-1", "0", "1e3", "0x10", " 7 ", "٣", "²", "9" * 40, "+5", "NaN", "inf", "1_000", ""]
    ),
    hostile_text,
)
# The app takes dates in the years 1900-2999 (outside them: a message naming the field);
# hostile dates run from year 1 to 9999-12-31, whose date arithmetic would overflow.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
hostile_date = st.one_of(
    st.dates().map(date.isoformat),  # from year 1 to 9999
    st.sampled_from(
        [
            "0001-01-01",
            "1899-12-31",
            "3000-01-01",
            "9999-12-31",
            LAST_DAY.isoformat(),
            "2026-02-30",
            "2026-13-01",
            "0000-00-00",
            "10000-01-01",
            "-2026-01-01",
            "2026/01/01",
            "31/12/2026",
            "20260101",
            "2026-W01-1",
            " 2026-01-01 ",
            "tomorrow",
            "",
        ]
    ),
    hostile_text,
)
hostile_datetime = st.one_of(
    st.dates().map(lambda d: d.isoformat() + "T23:59"),
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            LAST_DAY.isoformat() + "T23:59",
            "2026-02-30T10:00",
            "2026-11-20T25:00",
            "now",
        ]
    ),
    hostile_date,
)


# Names that must be unique (teams, a team's projects and sprints) are compared ignoring
# case beyond ASCII too, on both engines.
def unique_name(max_len: int):
    return fits(max_len)


hostile_name = hostile_text


# Values a form should accept, as hostile as they may be: payloads, formulas, RTL, emoji and
# control characters within the length limit, and dates from year 1 to (nearly) year 9999.
def fits(max_len: int, blank: bool = False):
    short = st.lists(_pieces, min_size=1, max_size=4).map("".join)
    long = st.builds(
        lambda p, n: (p * (n // len(p) + 1))[:n],
        _pieces.filter(bool),
        st.integers(max(1, max_len - 50), max_len),
    )
    text = st.one_of(short.map(lambda t: t[:max_len]), long)
    return st.one_of(st.just(""), text) if blank else text.filter(lambda t: t.strip())


any_date = st.one_of(
    st.sampled_from([FIRST_DAY.isoformat(), LAST_DAY.isoformat()]),
    st.dates(FIRST_DAY, LAST_DAY).map(date.isoformat),
)


def after(first: date):
    """A date from `first` to the last one the properties use."""
    return st.one_of(st.just(LAST_DAY), st.dates(first, LAST_DAY)).map(date.isoformat)


def before(last: date):
    return st.one_of(st.just(FIRST_DAY), st.dates(FIRST_DAY, last)).map(date.isoformat)


def between(lo: int, hi: int):
    return st.one_of(st.sampled_from([str(lo), str(hi)]), st.integers(lo, hi).map(str))


@st.composite
def form(draw, fields: dict, max_hostile: int = 2):
    """A form's fields: each valid (hostile content the form should take), except up to
    `max_hostile` of them drawn from anything at all."""
    names = sorted(fields)
    bad = draw(st.sets(st.sampled_from(names), max_size=max_hostile))
    data = {n: draw(fields[n][1] if n in bad else fields[n][0]) for n in names}
    note(f"hostile fields: {sorted(bad)}")
    return data


# --- checks -------------------------------------------------------------------------------


APP_SCRIPT = re.compile(r"/static/js/[a-z_-]+\.js")  # progressive enhancement, same origin


class _Markup(HTMLParser):
    """Collects what would run in a browser: script elements, event handlers, js: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self.loaded: list[str] = []  # the app's own files under static/js/, loaded by src
        self._in_script = False
        self._loaded = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src") or ""
            self._loaded = APP_SCRIPT.fullmatch(src) is not None
            if self._loaded:
                self.loaded.append(src)
            else:
                self.scripts.append("")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcdoc") and (
                url.startswith(("javascript:", "vbscript:", "data:text/html"))
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and self._loaded:
            if data.strip():  # a body beside src would be an inline script
                self.problems.append(f"<script src> with a body: {data[:40]!r}")
        elif self._in_script:
            self.scripts[-1] += data


ICS_PROPERTIES = {"SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "DTSTAMP", "UID", "TRANSP"}


def assert_inert(response, sent: list[str], where: str) -> None:
    """The page shows what was sent as text: nothing of it runs, nothing of it adds fields."""
    body = response.get_data(as_text=True)
    kind = response.mimetype
    if kind == "text/calendar":  # a line break in a name must not start a property
        from icalendar import Calendar

        for event_ in Calendar.from_ical(response.data).walk("VEVENT"):
            assert set(event_.keys()) <= ICS_PROPERTIES, f"{where}: {sorted(event_.keys())}"
        return
    if kind not in ("text/html", "image/svg+xml"):
        return
    parser = _Markup()
    parser.feed(body)
    assert not parser.problems, f"{where}: {parser.problems[:3]}"
    if kind == "text/html":
        assert not parser.scripts, f"{where}: a <script> in the page"
    else:  # pygal's own config script only (the radar, drawn by tracker.charts, has none)
        assert all(s.startswith("window.pygal") for s in parser.scripts), where
        assert body.count("<script") <= 1, f"{where}: a second <script> in the chart"
    for value in sent:
        for payload in HTML_PAYLOADS:
            if payload in value:
                assert payload not in body, f"{where}: {payload!r} is rendered raw"


def assert_formula_safe(csv_body: bytes, xlsx_body: bytes | None, where: str) -> None:
    """CSV text cells never start like a formula; XLSX cells are never formulas."""
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row[:5]:  # member, email, team, level, status: the text cells
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), (where, cell)
    if xlsx_body is not None:
        workbook = load_workbook(io.BytesIO(xlsx_body))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (where, sheet.title, cell.coordinate)


def show(client, urls, sent, expect_ok=()) -> dict[str, object]:
    """GET each page that shows the stored values: no 500, everything inert."""
    responses = {}
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, f"GET {url}: {r.status_code}"
        if url in expect_ok:
            assert r.status_code == 200, f"GET {url}: {r.status_code}"
        assert_inert(r, sent, url)
        responses[url] = r
    return responses


def count(db, model, *where) -> int:
    db.commit()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def row_of(db, obj) -> tuple:
    """The stored columns of one row (re-read)."""
    db.commit()
    db.expire_all()
    table = type(obj).__table__
    return tuple(db.execute(select(table).where(table.c.id == obj.id)).one())


def client_for(app, email: str):
    """One logged-in client per person, kept across the examples of a test."""
    clients = app.extensions.setdefault("hostile.clients", {})
    if email not in clients:
        clients[email] = app.test_client()
        assert login(clients[email], email).status_code == 302
    return clients[email]


def feed_url(client) -> str:
    """The client's calendar feed address (asked once per test)."""
    if not hasattr(client, "feed_url"):
        html = client.get("/calendar").get_data(as_text=True)
        client.feed_url = re.search(r"http://tracker\.test(/calendar/[^\"]+\.ics)", html).group(1)
    return client.feed_url


def post(client, url, data):
    note(f"POST {url} {data!r}")
    r = client.form(url, data)
    assert r.status_code < 500, f"POST {url}: {r.status_code}"
    event(f"POST {re.sub(r'/[0-9]+', '/<id>', url)}: {r.status_code}")
    return r


def created_id(r, prefix: str) -> int:
    match = re.match(rf"^(?:http://tracker\.test)?{prefix}/(\d+)", r.headers.get("Location", ""))
    assert match, r.headers.get("Location")
    return int(match.group(1))


# --- login --------------------------------------------------------------------------------


@SETTINGS
@given(
    email=st.one_of(st.sampled_from(["lead@example.com", " LEAD@example.com "]), hostile_text),
    password=st.one_of(st.just(PASSWORD), hostile_text),
    remember=st.one_of(st.sampled_from(["", "y"]), hostile_text),
)
def test_login(app, db, org, email, password, remember):
    from tracker.auditing import AuditEvent
    from tracker.auth.models import LoginCounter

    db.execute(delete(LoginCounter))  # the throttle would refuse later examples otherwise
    db.execute(delete(AuditEvent))
    db.commit()
    client = app.test_client()
    r = post(client, "/login", {"email": email, "password": password, "remember": remember})
    failures = sorted(db.scalars(select(LoginCounter.failures)))
    logged = db.scalars(select(AuditEvent.action)).all()
    if r.status_code == 302:  # the right password: logged in, no failure counted
        assert password == PASSWORD and failures == [] and logged == ["login"]
        assert client.get("/account").status_code == 200
    elif r.status_code == 401:  # a wrong one: counted once (account, address, both)
        assert failures == [1, 1, 1] and logged == ["login failed"]
    else:  # the form itself was refused: nothing written
        assert r.status_code in (200, 400) and failures == [] and logged == []  # 400: a NUL
    assert_inert(r, [email], "/login")


# --- members and teams --------------------------------------------------------------------


LEVEL_NAMES = ("Entry", "Mid", "Senior", "Lead")
member_form = form(
    {
        "name": (fits(120), hostile_text),
        "email": (st.emails(), hostile_text),
        "job_title": (fits(120, blank=True), hostile_text),
        "level": (st.sampled_from(LEVEL_NAMES), hostile_text),
        "start_date": (st.one_of(st.just(""), any_date), hostile_date),
        "cadence_days": (between(1, 365), hostile_int),
        "team_id": (st.just("TEAM"), st.one_of(st.just("OTHER"), hostile_int)),
    }
)


def _member_data(org, fields: dict) -> dict:
    ids = {"TEAM": str(org.team.id), "OTHER": str(org.other_team.id)}
    return {**fields, "team_id": ids.get(fields["team_id"], fields["team_id"])}


def _member_pages(app, org, member_id: int) -> list[str]:
    """Where a member's details show: their page and form, the roster, the matrix, the radar
    chart's title, the dashboard's cadence and the calendar feed."""
    lead = client_for(app, "lead@example.com")
    return [
        f"/members/{member_id}",
        f"/members/{member_id}/edit",
        f"/members/{member_id}/radar.svg",
        f"/teams/{org.team.id}?status=all",
        f"/teams/{org.team.id}/matrix",
        "/dashboard",
        feed_url(lead),
    ]


def _exports_are_safe(client, team_id: int, where: str, sent: list[str]) -> None:
    """CSV always; XLSX and JSON when a value looks like a formula (the slow ones)."""
    csv_r = client.get(f"/teams/{team_id}/matrix.csv?archived=1")
    assert csv_r.status_code == 200, where
    xlsx = None
    if any(v.lstrip()[:1] in ("=", "+", "-", "@") or "\t" in v or "\n" in v for v in sent):
        xlsx_r = client.get(f"/teams/{team_id}/matrix.xlsx?archived=1")
        json_r = client.get(f"/teams/{team_id}/matrix.json?archived=1")
        assert xlsx_r.status_code == json_r.status_code == 200, where
        json.loads(json_r.data)
        xlsx = xlsx_r.data
    assert_formula_safe(csv_r.data, xlsx, where)


@SETTINGS
@given(fields=member_form)
def test_new_member(app, db, org, framework, fields):
    from tracker.team.models import Member

    lead = client_for(app, "lead@example.com")
    data = _member_data(org, fields)
    before = count(db, Member)
    r = post(lead, f"/teams/{org.team.id}/members/new", data)
    if r.status_code != 302:
        assert count(db, Member) == before
        assert_inert(r, list(data.values()), "new member form")
        return
    assert count(db, Member) == before + 1
    member_id = created_id(r, "/members")
    sent = list(data.values())
    show(lead, _member_pages(app, org, member_id), sent, [f"/members/{member_id}"])
    _exports_are_safe(lead, org.team.id, "matrix exports", sent)


@SETTINGS
@given(fields=member_form)
def test_edit_member(app, db, org, framework, fields):
    from tracker.team.models import Member

    lead = client_for(app, "lead@example.com")
    data = _member_data(org, fields)
    before, row = count(db, Member), row_of(db, org.plain)
    r = post(lead, f"/members/{org.plain.id}/edit", data)
    assert count(db, Member) == before
    if r.status_code != 302:
        assert row_of(db, org.plain) == row
        assert_inert(r, list(data.values()), "edit member form")
        return
    db.refresh(org.plain)
    assert org.plain.name == data["name"].strip()
    sent = list(data.values())
    show(lead, _member_pages(app, org, org.plain.id)[:4], sent, [f"/members/{org.plain.id}"])
    _exports_are_safe(lead, org.team.id, "matrix exports", sent)


@SETTINGS
@given(
    fields=form(
        {
            "name": (unique_name(120), hostile_name),
            "sprint_length_days": (st.one_of(st.just(""), between(1, 60)), hostile_int),
            "framework_id": (st.sampled_from(["0", ""]), hostile_int),
            "leads": (st.just("LEAD"), hostile_int),
        }
    )
)
def test_new_team(app, db, org, framework, fields):
    from tracker.team.models import Team

    lead = client_for(app, "lead@example.com")
    data = {**fields, "leads": str(org.lead.id) if fields["leads"] == "LEAD" else fields["leads"]}
    before = count(db, Team)
    r = post(lead, "/teams/new", data)
    if r.status_code != 302:
        assert count(db, Team) == before
        assert_inert(r, [data["name"]], "team form")
        return
    assert count(db, Team) == before + 1
    team_id = created_id(r, "/teams")
    pages = [
        "/teams",
        f"/teams/{team_id}",
        f"/teams/{team_id}/edit",
        f"/teams/{team_id}/matrix",
        f"/teams/{team_id}/delivery",
        f"/teams/{team_id}/sprints/new",
        f"/teams/{team_id}/sprint-report",
        f"/teams/{team_id}/delivery-trend.svg",
        "/delivery",
        "/frameworks",
    ]
    show(lead, pages, [data["name"]], [f"/teams/{team_id}"])


# --- ratings ------------------------------------------------------------------------------


@SETTINGS
@given(
    fields=form(
        {
            "category": (st.just("CAT"), hostile_int),
            "value": (st.sampled_from(["", "0", "1", "2", "3", "4", "5"]), hostile_int),
            "note": (fits(5000, blank=True), hostile_text),
            "url": (
                st.one_of(
                    st.sampled_from(["", "https://example.com/pr/1"]),
                    fits(400).map(lambda t: "https://example.com/" + t.replace(" ", "")),
                ),
                hostile_text,
            ),
        }
    )
)
def test_rating_form(app, db, org, framework, fields):
    from tracker.competencies.models import Competency, Rating

    comp = db.scalar(
        select(Competency)
        .where(Competency.key == "python-programming")
        .order_by(Competency.id.desc())
    )
    lead = client_for(app, "lead@example.com")
    cid = comp.id
    category = fields["category"]
    data = {
        "category_id": str(comp.category_id) if category == "CAT" else category,
        f"c{cid}": fields["value"],
        f"n{cid}": fields["note"],
        f"u{cid}": fields["url"],
    }
    sent = [fields["note"], fields["url"]]
    before = count(db, Rating)
    now = db.scalar(
        select(Rating)
        .where(Rating.member_id == org.eng.id, Rating.kind == "lead")
        .order_by(Rating.id.desc())
        .limit(1)
    )
    was = (str(now.value), now.note, now.evidence_url) if now else ("", "", "")
    typed = (fields["value"], fields["note"].strip(), fields["url"].strip())
    r = post(lead, f"/members/{org.eng.id}/ratings", data)
    if r.status_code != 302:
        assert count(db, Rating) == before
        assert_inert(r, sent, "rating form")
        return
    # The page's one form saves a row only when it changes the current rating.
    assert count(db, Rating) == before + (1 if fields["value"] and typed != was else 0)
    # The note and the link show in the history on the member's competencies page.
    pages = [f"/members/{org.eng.id}/competencies"]
    show(lead, pages, sent, pages)


# --- sessions and action items ------------------------------------------------------------


@SETTINGS
@given(
    fields=form(
        {
            "kind": (
                st.sampled_from(["one_on_one", "mentoring", "career", "performance"]),
                hostile_text,
            ),
            "held_at": (
                st.one_of(
                    st.sampled_from(["1900-01-01T00:00", LAST_DAY.isoformat() + "T23:59"]),
                    st.datetimes(
                        datetime(FIRST_DAY.year, 1, 1),
                        datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day),
                    ).map(lambda d: d.isoformat()[:16]),
                ),
                hostile_datetime,
            ),
            "duration_minutes": (between(1, 600), hostile_int),
            "agenda": (fits(5000, blank=True), hostile_text),
            "shared_notes": (fits(5000, blank=True), hostile_text),
            "private_notes": (fits(5000, blank=True), hostile_text),
            "mood": (st.sampled_from(["", "1", "3", "5"]), hostile_int),
        }
    )
)
def test_new_session(app, db, org, framework, fields):
    from tracker.mentoring.models import Meeting

    lead = client_for(app, "lead@example.com")
    before = count(db, Meeting)
    r = post(lead, f"/members/{org.eng.id}/sessions/new", fields)
    sent = [fields["agenda"], fields["shared_notes"], fields["private_notes"]]
    if r.status_code != 302:
        assert count(db, Meeting) == before
        assert_inert(r, sent, "session form")
        return
    assert count(db, Meeting) == before + 1
    session_id = created_id(r, "/sessions")
    pages = [f"/sessions/{session_id}", f"/members/{org.eng.id}/sessions", feed_url(lead)]
    show(lead, pages, sent, pages[:2])
    eve = client_for(app, "eve@example.com")
    show(eve, ["/me"], sent, ["/me"])


@SETTINGS
@given(
    fields=form(
        {
            "text": (fits(500), hostile_text),
            "owner": (st.sampled_from(["mentee", "lead"]), hostile_text),
            "due_date": (st.one_of(st.just(""), after(date(2026, 11, 2))), hostile_date),
        }
    )
)
def test_action_item(app, db, org, one_on_one, fields):
    from tracker.mentoring.models import ActionItem

    lead = client_for(app, "lead@example.com")
    before = count(db, ActionItem)
    r = post(lead, f"/sessions/{one_on_one.id}/items", fields)
    sent = [fields["text"]]
    if r.status_code != 302:
        assert count(db, ActionItem) == before
        assert_inert(r, sent, "action item form")
        return
    assert count(db, ActionItem) == before + 1
    pages = [
        f"/sessions/{one_on_one.id}",
        f"/members/{org.eng.id}/sessions/new",
        f"/members/{org.eng.id}/sessions",
        "/dashboard",
    ]
    show(lead, pages, sent, pages)
    eve = client_for(app, "eve@example.com")
    show(eve, ["/me", f"/sessions/{one_on_one.id}"], sent, ["/me"])


# --- growth plans -------------------------------------------------------------------------


@SETTINGS
@given(
    fields=form(
        {
            "target_level": (st.sampled_from(LEVEL_NAMES), hostile_text),
            "target_date": (st.one_of(st.just(""), any_date), hostile_date),
            "summary": (fits(5000, blank=True), hostile_text),
        }
    )
)
def test_plan_form(app, db, org, plan, fields):
    from tracker.plans.models import GrowthPlan

    lead = client_for(app, "lead@example.com")
    row = row_of(db, plan)
    r = post(lead, f"/members/{org.eng.id}/plan", fields)
    assert count(db, GrowthPlan) == 1
    sent = list(fields.values())
    if r.status_code != 302:
        assert row_of(db, plan) == row
        assert_inert(r, sent, "plan form")
        return
    pages = [f"/members/{org.eng.id}/plan", f"/members/{org.eng.id}/plan/print"]
    show(lead, pages, sent, pages)
    show(client_for(app, "eve@example.com"), ["/me"], sent, ["/me"])


@SETTINGS
@given(
    fields=form(
        {
            "title": (fits(200), hostile_text),
            "description": (fits(5000, blank=True), hostile_text),
            "competency_key": (st.sampled_from(["", "python-programming", "sql"]), hostile_text),
            "target_proficiency": (st.sampled_from(["", "0", "3", "5"]), hostile_int),
            "due_date": (st.one_of(st.just(""), any_date), hostile_date),
        }
    )
)
def test_goal_form(app, db, org, plan, fields):
    from tracker.plans.models import Goal

    lead = client_for(app, "lead@example.com")
    before = count(db, Goal)
    r = post(lead, f"/members/{org.eng.id}/plan/goals", fields)
    sent = [fields["title"], fields["description"]]
    if r.status_code != 302:
        assert count(db, Goal) == before
        assert_inert(r, sent, "goal form")
        return
    assert count(db, Goal) == before + 1
    goal_id = int(r.headers["Location"].rsplit("goal-", 1)[1])
    pages = [
        f"/members/{org.eng.id}/plan",
        f"/members/{org.eng.id}/plan/print",
        f"/goals/{goal_id}/edit",
        f"/members/{org.eng.id}/sessions/new",  # the agenda lists the goals due soonest
    ]
    show(lead, pages, sent, pages)
    show(client_for(app, "eve@example.com"), ["/me"], sent, ["/me"])


# --- delivery -----------------------------------------------------------------------------


def _delivery_pages(app, org, extra=()) -> list[str]:
    """Where delivery names show beyond their own page: the report and its chart, the
    dashboard's delivery panel and the calendar feed."""
    lead = client_for(app, "lead@example.com")
    return [
        *extra,
        f"/teams/{org.team.id}/sprint-report",
        f"/teams/{org.team.id}/delivery-trend.svg",
        "/dashboard",
        feed_url(lead),
    ]


def _ids(org, data: dict) -> dict:
    ids = {"EVE": str(org.eng.id), "NOW": str(org.sprint.id)}
    return {k: ids.get(v, v) for k, v in data.items()}


@SETTINGS
@given(
    fields=form(
        {
            "name": (unique_name(120), hostile_name),
            "description": (fits(5000, blank=True), hostile_text),
            "status": (
                st.sampled_from(["proposed", "active", "on hold", "done", "cancelled"]),
                hostile_text,
            ),
            "owner_id": (st.sampled_from(["", "EVE"]), hostile_int),
            "start_date": (st.one_of(st.just(""), before(date(2026, 12, 31))), hostile_date),
            "target_date": (st.one_of(st.just(""), after(date(2027, 1, 1))), hostile_date),
        }
    )
)
def test_project_form(app, db, delivery, fields):
    from tracker.sprints.models import Project

    org = delivery
    lead = client_for(app, "lead@example.com")
    before = count(db, Project)
    r = post(lead, f"/teams/{org.team.id}/projects/new", _ids(org, fields))
    sent = [fields["name"], fields["description"]]
    if r.status_code != 302:
        assert count(db, Project) == before
        assert_inert(r, sent, "project form")
        return
    assert count(db, Project) == before + 1
    project_id = created_id(r, "/projects")
    pages = [f"/projects/{project_id}", f"/projects/{project_id}/edit"]
    extra = [*pages, f"/projects/{project_id}/burnup.svg", f"/teams/{org.team.id}/delivery"]
    show(lead, _delivery_pages(app, org, extra), sent, pages)


@SETTINGS
@given(
    fields=form(
        {
            "name": (unique_name(120), hostile_name),
            "start": (st.dates(FIRST_DAY, LAST_DAY - timedelta(days=60)), hostile_date),
            "days": (st.integers(0, 59), st.integers(-30, 400)),
            "goal": (fits(2000, blank=True), hostile_text),
        }
    )
)
def test_sprint_form(app, db, delivery, fields):
    start, days = fields.pop("start"), fields.pop("days")
    if isinstance(start, date):  # a valid start: the end that many days later
        fields["start_date"], end = start.isoformat(), start + timedelta(days=days)
        fields["end_date"] = end.isoformat() if end <= LAST_DAY else "not a date"
    else:
        fields["start_date"], fields["end_date"] = start, f"2027-01-{days % 40:02d}"
    from tracker.sprints.models import Sprint

    org = delivery
    lead = client_for(app, "lead@example.com")
    before = count(db, Sprint)
    r = post(lead, f"/teams/{org.team.id}/sprints/new", fields)
    sent = [fields["name"], fields["goal"]]
    if r.status_code != 302:
        assert count(db, Sprint) == before
        assert_inert(r, sent, "sprint form")
        return
    assert count(db, Sprint) == before + 1
    sprint_id = created_id(r, "/sprints")
    pages = [f"/sprints/{sprint_id}", f"/sprints/{sprint_id}/edit"]
    extra = [*pages, f"/teams/{org.team.id}/delivery", f"/teams/{org.team.id}/sprints/new"]
    show(lead, _delivery_pages(app, org, extra), sent, pages)


@SETTINGS
@given(
    fields=form(
        {
            "title": (fits(200), hostile_text),
            "description": (fits(5000, blank=True), hostile_text),
            "owner_id": (st.sampled_from(["", "EVE"]), hostile_int),
            "due_date": (st.one_of(st.just(""), any_date), hostile_date),
            "sprint_id": (st.sampled_from(["", "NOW"]), hostile_int),
            "status": (
                st.sampled_from(["planned", "in progress", "done", "dropped"]),
                hostile_text,
            ),
            "done_date": (st.one_of(st.just(""), any_date), hostile_date),
            "drop_reason": (fits(500), hostile_text),
        }
    )
)
def test_milestone_form(app, db, delivery, fields):
    from tracker.sprints.models import Milestone

    org = delivery
    lead = client_for(app, "lead@example.com")
    before = count(db, Milestone)
    r = post(lead, f"/projects/{org.project.id}/milestones/new", _ids(org, fields))
    sent = [fields["title"], fields["description"], fields["drop_reason"]]
    if r.status_code != 302:
        assert count(db, Milestone) == before
        assert_inert(r, sent, "milestone form")
        return
    assert count(db, Milestone) == before + 1
    milestone_id = db.scalar(select(func.max(Milestone.id)))
    pages = [f"/milestones/{milestone_id}", f"/projects/{org.project.id}"]
    extra = [*pages, f"/sprints/{org.sprint.id}", f"/projects/{org.project.id}/burnup.svg"]
    show(lead, _delivery_pages(app, org, extra), sent, pages)
    eve = client_for(app, "eve@example.com")
    show(eve, ["/milestones/mine"], sent, ["/milestones/mine"])


def _cut(text: str) -> str:
    return text.strip()[:120]


# --- uploads ------------------------------------------------------------------------------


def _hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields of the confirm form, as a browser would post them back."""
    found = {}

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
                found[attrs["name"]] = attrs.get("value") or ""

    Inputs(convert_charrefs=True).feed(html)
    found.pop("csrf_token", None)
    return found


def _framework_doc(texts: dict) -> dict:
    level_a, level_b = texts["level_a"], texts["level_b"]
    return {
        "format": "team-tracker/framework@1",
        "name": texts["name"],
        "description": texts["description"],
        "scale": [{"value": 1, "label": texts["label"]}, {"value": 2, "label": "Expert"}],
        "levels": [{"name": level_a}, {"name": level_b}],
        "categories": [
            {
                "key": "delivery",
                "name": texts["category"],
                "competencies": [
                    {
                        "key": "shipping",
                        "name": texts["competency"],
                        "levels": {
                            level_a: {"expected": 1, "descriptor": texts["descriptor"]},
                            level_b: {"expected": 2, "descriptor": texts["descriptor"]},
                        },
                    }
                ],
            }
        ],
    }


def _one_line(max_len: int):
    """Text a framework file may hold: no control characters, on one line."""
    return (
        fits(max_len)
        .map(lambda t: re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\x85]", "", t).strip())
        .filter(bool)
    )


def _lines(max_len: int, blank: bool = False):
    """Text a framework file's descriptions may hold: lines, no control characters."""
    text = fits(max_len, blank=blank).map(
        lambda t: re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", t).strip()
    )
    return text if blank else text.filter(bool)


framework_upload = st.one_of(
    st.builds(
        lambda texts, as_json: (
            (json.dumps(_framework_doc(texts), ensure_ascii=False).encode(), "f.json")
            if as_json
            else (yaml.safe_dump(_framework_doc(texts), allow_unicode=True).encode(), "f.yaml")
        ),
        form(
            {
                "name": (_one_line(120), hostile_text),
                "description": (_lines(5000, blank=True), hostile_text),
                "label": (_one_line(60), hostile_text),
                "level_a": (st.just("Junior"), hostile_text),
                "level_b": (_one_line(60).filter(lambda t: t != "Junior"), hostile_text),
                "category": (_one_line(120), hostile_text),
                "competency": (_one_line(120), hostile_text),
                "descriptor": (_lines(2000), hostile_text),
            },
            max_hostile=1,
        ),
        st.booleans(),
    ),
    st.tuples(
        st.one_of(
            st.sampled_from(
                [
                    b"!!python/object/apply:os.system ['true']",
                    b"a: &a [*a]",
                    b"name: x\nname: y\n",
                    b"- &a [x]\n- *a\n",
                    b"\xff\xfe\x00",
                    b"{}",
                    b"[]",
                    b"",
                ]
            ),
            st.binary(max_size=300),
        ),
        st.sampled_from(["f.yaml", "f.json", "framework"]),
    ),
)


@SETTINGS
@given(upload=framework_upload, filename=st.one_of(st.none(), st.none(), hostile_text))
def test_framework_import(app, db, org, framework, upload, filename):
    from tracker.competencies.models import Competency, FrameworkVersion

    admin = client_for(app, "admin@example.com")
    before = (count(db, FrameworkVersion), count(db, Competency))
    content, filename = upload[0], filename if filename is not None else upload[1]
    note(f"upload {filename!r}: {content[:300]!r}")
    r = admin.form("/admin/frameworks/import", {"file": (io.BytesIO(content), filename)})
    assert r.status_code < 500, f"upload: {r.status_code}"
    event(f"upload: {r.status_code}")
    assert (count(db, FrameworkVersion), count(db, Competency)) == before, "a preview wrote"
    sent = [content.decode("utf-8", errors="replace"), filename]
    assert_inert(r, sent, "framework import")
    confirm = _hidden_inputs(r.get_data(as_text=True))
    if r.status_code != 200 or "content" not in confirm:
        return
    r = post(admin, "/admin/frameworks/import/confirm", confirm)
    versions = count(db, FrameworkVersion)
    if r.status_code != 302:
        assert versions == before[0]
        return
    assert versions in (before[0], before[0] + 1)  # the same content again adds nothing
    framework_id = created_id(r, "/frameworks")
    pages = [
        "/frameworks",
        f"/frameworks/{framework_id}",
        f"/frameworks/{framework_id}/compare",
        f"/frameworks/{framework_id}/changes",
        f"/frameworks/{framework_id}/export.yaml",
        f"/frameworks/{framework_id}/export.json",
    ]
    show(admin, pages, sent, pages[:2])


# Valid keys and sprint names fit their columns (cut to 120); hostile ones may not, and are
# refused naming the row.
jira_row = form(
    {
        "Issue key": (
            st.one_of(st.sampled_from(["ML-1", "ML-2"]), unique_name(120).map(_cut)),
            hostile_name.map(_cut),
        ),
        "Summary": (fits(200), hostile_text),
        "Status": (st.sampled_from(["Done", "In Progress", "To Do", "Won't Do"]), hostile_text),
        "Sprint": (
            st.one_of(st.sampled_from(["", "Sprint 9", "Now"]), unique_name(120).map(_cut)),
            hostile_name.map(_cut),
        ),
        "Due date": (
            st.one_of(
                st.sampled_from(["", "12/Mar/26", "12/Mar/2026 4:05 PM", "2026-03-12 16:05"]),
                any_date,
            ),
            hostile_date,
        ),
        "Assignee": (
            st.one_of(st.sampled_from(["", "eve@example.com", "EVE ENGINEER"]), fits(100)),
            hostile_text,
        ),
        "Resolved": (st.one_of(st.just(""), any_date), hostile_date),
        "Description": (fits(2000, blank=True), hostile_text),
    }
)
github_item = form(
    {
        "number": (
            st.integers(1, 10**6),
            st.one_of(st.integers(-(2**70), 2**70), st.none(), hostile_text),
        ),
        "title": (fits(200), hostile_text),
        "description": (st.one_of(st.none(), fits(2000, blank=True)), hostile_text),
        "state": (st.sampled_from(["open", "closed"]), hostile_text),
        "due_on": (st.one_of(st.none(), any_date.map(lambda d: d + "T07:00:00Z")), hostile_date),
        "closed_at": (
            st.one_of(st.none(), any_date.map(lambda d: d + "T07:00:00Z")),
            hostile_date,
        ),
        "html_url": (
            st.sampled_from(
                [
                    "https://github.com/acme/search/milestone/1",
                    "https://github.com/acme/search/milestone/2",
                    "",
                ]
            ),
            hostile_name,
        ),
    }
)


def _jira_csv(row: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(row))
    writer.writerow(list(row.values()))
    return out.getvalue().encode("utf-8")


delivery_upload = st.one_of(
    jira_row.map(_jira_csv),
    github_item.map(lambda item: json.dumps([item], ensure_ascii=False).encode()),
    st.binary(max_size=300),
)


import_project = st.one_of(st.sampled_from(["", "   ", "Search"]), hostile_name)


@SETTINGS
@given(content=delivery_upload, project=import_project)
def test_delivery_import(app, db, delivery, content, project):
    from tracker.sprints.models import Milestone, Project, Sprint

    org = delivery
    lead = client_for(app, "lead@example.com")

    def counts():
        return count(db, Milestone), count(db, Sprint), count(db, Project)

    before = counts()
    note(f"upload {content[:400]!r} project={project!r}")
    url = f"/teams/{org.team.id}/delivery/import"
    r = lead.form(url, {"file": (io.BytesIO(content), "export.csv"), "project": project})
    assert r.status_code < 500, f"upload: {r.status_code}"
    event(f"upload: {r.status_code}")
    assert counts() == before, "a preview wrote"
    sent = [content.decode("utf-8", errors="replace"), project]
    assert_inert(r, sent, "delivery import")
    confirm = _hidden_inputs(r.get_data(as_text=True))
    if r.status_code != 200 or "content" not in confirm:
        return
    r = post(lead, f"{url}/confirm", confirm)
    if r.status_code != 302:
        assert counts() == before
        return
    page = lead.get(r.headers["Location"])
    imported = int(re.search(r"Imported (\d+) milestones?", page.get_data(as_text=True)).group(1))
    assert imported in (0, 1)  # one row in the file: one milestone, or none when known
    assert counts()[0] == before[0] + imported
    project_id = created_id(r, "/projects")
    extra = [f"/projects/{project_id}", f"/projects/{project_id}/burnup.svg"]
    show(lead, _delivery_pages(app, org, extra), sent, extra[:1])


# --- the bugs the properties found, pinned ------------------------------------------------


@pytest.fixture
def lead_client(app, org):
    """The lead, logged in, with server errors answered as a 500 page (not raised)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    assert login(client, "lead@example.com").status_code == 302
    return client


def _statuses(client, urls) -> dict[str, int]:
    return {url: client.get(url).status_code for url in urls}


def test_nul_bytes_are_refused_not_500(
    client_as, app, db, org, framework, plan, one_on_one, delivery
):
    from tracker.competencies.models import Competency

    app.config["PROPAGATE_EXCEPTIONS"] = False
    comp = db.scalar(
        select(Competency)
        .where(Competency.key == "python-programming")
        .order_by(Competency.id.desc())
    )
    t, nul = org.team.id, "a\x00b"
    anon = app.test_client()
    statuses = {"login": anon.form("/login", {"email": nul, "password": PASSWORD}).status_code}
    lead = client_as("lead")
    posts = {
        "new member": (
            f"/teams/{t}/members/new",
            {
                "name": nul,
                "email": "n@example.com",
                "level": "Mid",
                "cadence_days": "14",
                "team_id": str(t),
            },
        ),
        "new team": ("/teams/new", {"name": nul, "leads": str(org.lead.id), "framework_id": "0"}),
        "rating note": (
            f"/members/{org.eng.id}/ratings",
            {"category_id": str(comp.category_id), f"c{comp.id}": "3", f"n{comp.id}": nul},
        ),
        "session notes": (
            f"/members/{org.eng.id}/sessions/new",
            {
                "kind": "one_on_one",
                "held_at": "2026-11-20T10:00",
                "duration_minutes": "30",
                "private_notes": nul,
            },
        ),
        "action item": (f"/sessions/{one_on_one.id}/items", {"text": nul, "owner": "lead"}),
        "plan summary": (f"/members/{org.eng.id}/plan", {"target_level": "Senior", "summary": nul}),
        "goal": (f"/members/{org.eng.id}/plan/goals", {"title": nul}),
        "comment": (f"/goals/{plan.goals[0].id}/comments", {"body": nul}),
        "project": (f"/teams/{t}/projects/new", {"name": nul, "status": "active"}),
        "sprint": (
            f"/teams/{t}/sprints/new",
            {"name": nul, "start_date": "2030-01-07", "end_date": "2030-01-20"},
        ),
        "milestone": (
            f"/projects/{org.project.id}/milestones/new",
            {"title": nul, "status": "planned"},
        ),
        "jira import": (
            f"/teams/{t}/delivery/import/confirm",
            {"content": f"Issue key,Summary,Status\nML-9,{nul},To Do\n"},
        ),
    }
    for name, (url, data) in posts.items():
        statuses[name] = lead.form(url, data).status_code
    statuses["search"] = lead.get(f"/members/{org.eng.id}/sessions?q=a%00b").status_code
    admin = client_as("admin")
    new_user = {"email": "u@example.com", "name": nul, "role": "engineer"}
    statuses["new user"] = admin.form("/admin/users/new", new_user).status_code
    failed = {name: status for name, status in statuses.items() if status >= 500}
    assert not failed, f"500 for a NUL byte in: {sorted(failed)}"


@pytest.mark.parametrize(
    "content",
    [
        b"Issue key,Summary,Status\nML-1,Has a \x00 in it,To Do\n",
        b"Issue key,Summary,Status\nML\x00-1,Key,To Do\n",
        b'[{"number": 1, "title": "v\x001", "state": "open"}]',
        b'[{"number": 1, "title": "v\\u00001", "state": "open"}]',
        b'[{"number": 1, "title": "v1", "state": "open", "html_url": "h\\u0000"}]',
    ],
    ids=["jira-summary", "jira-key", "github-raw", "github-escaped", "github-url-escaped"],
)
def test_nul_inside_an_uploaded_file_is_refused_naming_it(lead_client, db, delivery, content):
    """Found by these properties: the NUL guard checks form fields, not file contents, and
    PostgreSQL cannot store a NUL (a 500 there). Refused on both engines, nothing written."""
    from tracker.sprints.models import Milestone, Project

    org = delivery
    before = count(db, Project), count(db, Milestone)
    url = f"/teams/{org.team.id}/delivery/import"
    r = lead_client.form(url, {"file": (io.BytesIO(content), "export.csv")})
    assert r.status_code == 400
    assert "NUL character" in r.get_data(as_text=True)
    if b"\\u0000" in content:  # the escaped form passes the field guard: the parser refuses it
        r = lead_client.form(f"{url}/confirm", {"content": content.decode()})
        assert r.status_code == 400 and "NUL character" in r.get_data(as_text=True)
    assert (count(db, Project), count(db, Milestone)) == before


def test_huge_ids_in_urls_are_404_not_500(lead_client, delivery, one_on_one):
    """Beyond the id column's integer (2**31 on PostgreSQL, 2**63 on SQLite) is not found,
    not a database error (found by these properties; fixed by the bounded URL converter)."""
    for huge in (2**31, 2**63):
        urls = [
            f"/members/{huge}",
            f"/teams/{huge}",
            f"/sessions/{huge}",
            f"/projects/{huge}",
            f"/sprints/{huge}",
            f"/milestones/{huge}",
            f"/goals/{huge}/edit",
            f"/teams/{huge}/matrix.csv",
        ]
        assert _statuses(lead_client, urls) == dict.fromkeys(urls, 404)


def test_huge_ids_in_forms_never_reach_the_database(lead_client, db, delivery):
    """An owner or sprint id beyond the id column's integer is no owner or sprint (found by
    these properties: it was a 500; sprints/forms.py now reads it as none chosen)."""
    from tracker.sprints.models import Milestone, Project

    org = delivery
    posts = [
        (f"/teams/{org.team.id}/projects/new", {"name": "Big", "status": "active"}),
        (f"/projects/{org.project.id}/edit", {"name": "Feature store", "status": "active"}),
        (f"/projects/{org.project.id}/milestones/new", {"title": "Big", "status": "planned"}),
        (f"/projects/{org.project.id}/milestones/new", {"title": "Big", "status": "planned"}),
        (f"/milestones/{org.milestone.id}/edit", {"title": "Backfill", "status": "planned"}),
    ]
    fields = ["owner_id", "owner_id", "owner_id", "sprint_id", "sprint_id"]
    for huge in (str(2**31), str(2**63), "9" * 40):
        for (url, data), field in zip(posts, fields, strict=True):
            before = count(db, Project), count(db, Milestone)
            r = lead_client.form(url, {**data, field: huge})
            assert r.status_code < 500, (url, field, huge)
            if r.status_code != 302:
                assert (count(db, Project), count(db, Milestone)) == before
    db.expire_all()
    owners = (
        db.scalars(select(Project.owner_id)).all() + db.scalars(select(Milestone.owner_id)).all()
    )
    sprints = db.scalars(select(Milestone.sprint_id)).all()
    assert all(i is None or i < 2**31 for i in [*owners, *sprints])


FAR_FUTURE = {
    # what is posted, and the pages that must then still work
    "member start date": (
        "/teams/{team}/members/new",
        {
            "name": "Yara Year",
            "email": "y@example.com",
            "level": "Mid",
            "start_date": "9999-12-31",
            "cadence_days": "14",
            "team_id": "{team}",
        },
        ["/dashboard", "{feed}"],
    ),
    "session time": (
        "/members/{eve}/sessions/new",
        {"kind": "one_on_one", "held_at": "9999-12-31T23:59", "duration_minutes": "30"},
        ["{feed}"],
    ),
    "sprint end": (
        "/teams/{team}/sprints/new",
        {"name": "Last", "start_date": "9999-12-20", "end_date": "9999-12-31"},
        ["/teams/{team}/sprints/new", "/sprints/{sprint}/close", "{feed}"],
    ),
    "milestone due date": (
        "/projects/{project}/milestones/new",
        {"title": "Far", "status": "planned", "due_date": "9999-12-31"},
        ["{feed}"],
    ),
}


@pytest.mark.parametrize("case", list(FAR_FUTURE))
def test_far_future_dates_are_refused_naming_the_range(lead_client, db, delivery, case):
    """Found by these properties: dates near 9999-12-31 overflowed the date arithmetic of
    cadences, calendar feeds and sprint proposals (500s). Dates are now bounded to the years
    1900-2999: beyond, a message; the last accepted day keeps every page working."""
    from tracker.mentoring.models import Meeting
    from tracker.sprints.models import Milestone, Sprint
    from tracker.team.models import Member

    org = delivery
    url, data, pages = FAR_FUTURE[case]
    ids = {
        "team": org.team.id,
        "eve": org.eng.id,
        "sprint": org.sprint.id,
        "project": org.project.id,
        "feed": feed_url(lead_client),
    }
    models = (Member, Meeting, Sprint, Milestone)
    before = [count(db, m) for m in models]
    url = url.format(**ids)
    r = lead_client.form(url, {k: v.format(**ids) for k, v in data.items()})
    assert r.status_code in (200, 400)
    assert "outside the years 1900-2999" in r.get_data(as_text=True)
    assert [count(db, m) for m in models] == before
    last = {k: v.format(**ids).replace("9999", "2999") for k, v in data.items()}
    assert lead_client.form(url, last).status_code == 302
    urls = [page.format(**ids) for page in pages]
    assert _statuses(lead_client, urls) == dict.fromkeys(urls, 200)


def test_query_string_dates_and_pages_beyond_range_are_ignored(client_as, app, lead_client, org):
    admin = client_as("admin")
    huge = 10**30
    assert admin.get(f"/admin/audit?from=0001-01-01&to=9999-12-31&page={huge}").status_code == 200
    urls = [f"/dashboard?items_page={huge}", f"/members/{org.eng.id}/sessions?page={huge}"]
    assert _statuses(lead_client, urls) == dict.fromkeys(urls, 200)


@pytest.mark.parametrize(
    "content",
    [
        "Issue key,Summary,Status\nML-1,Shipped it,Done\n",
        '[{"number": 1, "title": "v1", "state": "closed",'
        ' "html_url": "https://github.com/acme/search/milestone/1"}]',
    ],
    ids=["jira-done-without-resolved", "github-closed-without-closed_at"],
)
def test_done_import_without_a_done_date_keeps_reports_working(lead_client, delivery, content):
    org = delivery
    r = lead_client.form(f"/teams/{org.team.id}/delivery/import/confirm", {"content": content})
    assert r.status_code == 302
    urls = [
        f"/teams/{org.team.id}/sprint-report",
        f"/teams/{org.team.id}/delivery-trend.svg",
        f"/projects/{org.project.id}/burnup.svg",
    ]
    assert _statuses(lead_client, urls) == dict.fromkeys(urls, 200)


NON_ASCII_TWICE = {
    "project": ("/teams/{team}/projects/new", {"name": "Ærø", "status": "active"}, None),
    "project, other case": (
        "/teams/{team}/projects/new",
        {"name": "Éclair", "status": "active"},
        "éclair",
    ),
    "sprint": (
        "/teams/{team}/sprints/new",
        {"name": "Ærø", "start_date": "2030-01-07", "end_date": "2030-01-20"},
        None,
    ),
    "team": ("/teams/new", {"name": "Ærø", "leads": "{lead}", "framework_id": "0"}, None),
    "import into project": (
        "/teams/{team}/delivery/import/confirm",
        {"content": "Issue key,Summary,Status\nML-1,A,To Do\n", "project": "Ærø"},
        None,
    ),
}


@pytest.mark.parametrize("case", list(NON_ASCII_TWICE))
def test_non_ascii_names_clash_politely(lead_client, db, delivery, case):
    from tracker.sprints.models import Project, Sprint
    from tracker.team.models import Team

    org = delivery
    url, data, second = NON_ASCII_TWICE[case]
    ids = {"team": org.team.id, "lead": org.lead.id}
    url, data = url.format(**ids), {k: v.format(**ids) for k, v in data.items()}
    first = lead_client.form(url, data)
    assert first.status_code == 302
    before = count(db, Project), count(db, Sprint), count(db, Team)
    again = {**data, "name": second} if second else dict(data)
    if "sprints" in url:  # the same name, at other dates
        again.update(start_date="2031-01-06", end_date="2031-01-19")
    r = lead_client.form(url, again)
    assert r.status_code < 500
    if "import" in url:  # into the existing project: no second project
        assert count(db, Project) == before[0]
    else:  # refused as a duplicate: nothing written
        assert r.status_code != 302
        assert (count(db, Project), count(db, Sprint), count(db, Team)) == before


def test_blank_member_name_is_refused(lead_client, db, org, framework):
    """Found by these properties (a nameless member, then a 500 on 'new session' for them);
    fixed in team/services.py: kept as a regression test."""
    from tracker.team.models import Member

    before = count(db, Member)
    data = {
        "name": "   ",
        "email": "blank@example.com",
        "level": "Mid",
        "cadence_days": "14",
        "team_id": str(org.team.id),
    }
    r = lead_client.form(f"/teams/{org.team.id}/members/new", data)
    assert r.status_code != 302 and count(db, Member) == before


@pytest.mark.parametrize(
    "content",
    [
        "Issue key,Summary,Status\n" + "K" * 400 + ",Title,To Do\n",
        "Issue key,Summary,Status,Sprint\nML-5,Title,To Do," + "S" * 200 + "\n",
    ],
    ids=["long-issue-key", "long-sprint-name"],
)
def test_overlong_jira_key_or_sprint_is_refused_not_500(lead_client, db, delivery, content):
    from tracker.sprints.models import Milestone

    org = delivery
    before = count(db, Milestone)
    url = f"/teams/{org.team.id}/delivery/import"
    preview = lead_client.form(url, {"file": (io.BytesIO(content.encode()), "jira.csv")})
    assert preview.status_code < 500
    r = lead_client.form(f"{url}/confirm", {"content": content})
    assert r.status_code < 500
    if r.status_code != 302:
        assert count(db, Milestone) == before


def test_charts_stay_well_formed_with_control_characters(lead_client, delivery, framework):
    """Found by these properties: a C0 control character in a name went raw into the pygal
    charts, which XML forbids (a broken image); security.svg_response drops them."""
    org = delivery
    t = org.team.id
    member = {
        "name": "Eve\x01Engineer",
        "email": "eve@example.com",
        "level": "Mid",
        "cadence_days": "14",
        "team_id": str(t),
    }
    assert lead_client.form(f"/members/{org.eng.id}/edit", member).status_code == 302
    team = {"name": "ML\x02Platform", "leads": str(org.lead.id), "framework_id": "0"}
    assert lead_client.form(f"/teams/{t}/edit", team).status_code == 302
    project = {"name": "Feature\x03store", "status": "active"}
    assert lead_client.form(f"/projects/{org.project.id}/edit", project).status_code == 302
    broken = []
    for url in (
        f"/members/{org.eng.id}/radar.svg",
        f"/teams/{t}/delivery-trend.svg",
        f"/projects/{org.project.id}/burnup.svg",
    ):
        r = lead_client.get(url)
        try:
            ET.fromstring(r.data)  # noqa: S314 - our own chart
        except ET.ParseError as exc:
            broken.append(f"{url} ({r.status_code}): {exc}")
    assert not broken, f"not well-formed XML: {broken}"


def test_blank_import_project_is_refused_not_500(lead_client, db, delivery):
    from tracker.sprints.models import Milestone, Project

    org = delivery
    content = "Issue key,Summary,Status\nML-1,Title,To Do\n"
    before = count(db, Project), count(db, Milestone)
    url = f"/teams/{org.team.id}/delivery/import"
    upload = {"file": (io.BytesIO(content.encode()), "jira.csv"), "project": "   "}
    assert lead_client.form(url, upload).status_code < 500
    r = lead_client.form(f"{url}/confirm", {"content": content, "project": "   "})
    assert r.status_code < 500
    if r.status_code != 302:
        assert (count(db, Project), count(db, Milestone)) == before


def test_blank_rating_value_is_refused_not_500(lead_client, db, org, framework):
    from tracker.competencies.models import Competency, Rating

    comp = db.scalar(
        select(Competency)
        .where(Competency.key == "python-programming")
        .order_by(Competency.id.desc())
    )
    before = count(db, Rating)
    data = {"category_id": str(comp.category_id), f"c{comp.id}": " "}
    r = lead_client.form(f"/members/{org.eng.id}/ratings", data)
    assert r.status_code < 500 and count(db, Rating) == before
