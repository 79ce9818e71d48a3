"""The privacy canary: private 1:1 notes carry a unique marker, and every other person walks
every page, export, feed, chart, error page and CLI export with real IDs; the marker must
appear nowhere. Only the author sees it (the positive control that keeps the test honest)."""

from __future__ import annotations

import io
import itertools
import json
import re
import uuid
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.conftest import login
from tests.route_table import ROUTES
from tracker.db import utcnow

# Who walks the app. `lead` is the author of every canary session; nobody else may see it.
READERS = {
    "eve": "eve@example.com",  # the engineer who is the mentee
    "max": "max@example.com",  # another engineer of the same team (mentee of another session)
    "colead": "colead@example.com",  # a co-lead of the same team
    "other": "other@example.com",  # the other team's lead
    "admin": "admin@example.com",
    "anon": None,
}

# A payload that fails every form: the re-rendered page must not leak either.
JUNK = {
    "name": "",
    "title": "",
    "text": "",
    "body": "",
    "email": "not-an-email",
    "held_at": "not-a-date",
    "duration_minutes": "-1",
    "kind": "one_on_one",
    "start_date": "not-a-date",
    "end_date": "not-a-date",
    "due_date": "not-a-date",
    "target_level": "No such level",
    "category_id": "junk",
    "content": "",
    "password": "x",
    "confirm": "y",
    "current_password": "wrong",
    "role": "nope",
    "cadence_days": "0",
    "competency_key": "",
    "status": "nope",
}
# POSTs that would change who is logged in or the shape of the world; not junk-posted.
NOT_JUNK_POSTED = {route.endpoint for route in ROUTES if not route.junk_posted}


@pytest.fixture
def canary(
    app,
    db,
    org,
    framework,
    plan,
    delivery,
    make_user,
    make_member,
    make_session,
    rate,
    agenda_template,
):
    """Canary sessions by org.lead with several members, and the people who must not see them."""
    from tracker.team.services import set_archived

    marker = "CANARY-" + uuid.uuid4().hex
    colead = make_user("lead", email="colead@example.com", name="Cora Colead")
    org.team.leads.append(colead)
    archived = make_member(org.team, "Ari Archived", level="Mid", email="ari@example.com")
    now = utcnow().replace(microsecond=0)
    items = [("Read the paper", "mentee", None), ("Book the course", "lead", None)]
    sessions = {
        "eve": make_session(
            org.eng,
            org.lead,
            held_at=now - timedelta(days=10),
            agenda="Career goals",
            shared="Shared: agreed on Spark training.",
            private=f"Thinks about leaving. {marker}",
            items=items,
        ),
        "eve_future": make_session(
            org.eng,
            org.lead,
            held_at=now + timedelta(days=20),
            agenda="Next time",
            private=f"Ask about {marker} next time",
        ),
        "max_markdown": make_session(
            org.mate,
            org.lead,
            kind="career",
            held_at=now - timedelta(days=3),
            shared="Shared words for Max",
            private=(
                f"# Heading {marker}\n\n**{marker}** and _{marker}_ and ~~{marker}~~\n\n"
                f"- [a link](https://example.com/{marker})\n- `{marker}`\n\n> {marker}\n\n"
                f"| a | b |\n|---|---|\n| {marker} | x |\n"
            ),
            items=[("Max's item", "mentee", None)],
        ),
        "pat_html": make_session(
            org.plain,
            org.lead,
            kind="mentoring",
            held_at=now - timedelta(days=2),
            private=(
                f'<script>alert("{marker}")</script><img src=x onerror="{marker}">'
                f'<a href="javascript:{marker}">x</a><!-- {marker} --><b title="{marker}">b</b>'
            ),
        ),
        "ari_archived": make_session(
            archived, org.lead, held_at=now - timedelta(days=40), private=f"Exit {marker}"
        ),
    }
    # A co-lead's own session: the walkers meet ordinary sessions too.
    make_session(org.eng, colead, held_at=now - timedelta(days=5), shared="Co-lead's session")
    # Ratings that point at a canary session as evidence, and a goal discussed in one.
    rating = rate(org.eng, "python-programming", 3, rater=org.lead, note="Shown in the 1:1")
    rating.session_id = sessions["eve"].id
    rate(org.eng, "python-programming", 2, kind="self", rater=org.eng.user)
    rate(archived, "python-programming", 4, rater=org.lead)
    plan.goals[0].sessions = [sessions["eve"], sessions["eve_future"]]
    db.commit()
    set_archived(archived, True)
    db.commit()
    return SimpleNamespace(
        marker=marker,
        org=org,
        colead=colead,
        archived=archived,
        sessions=sessions,
        framework=framework,
        goal=plan.goals[0],
        template=agenda_template,
    )


# --- finding the marker ----------------------------------------------------------------------


def _texts(data: bytes) -> list[str]:
    """The body as text, and unfolded (iCalendar folds lines at 75 octets, which could split
    the marker). The needle is hexadecimal, which no escaping in play (HTML, URL, JSON, CSV,
    iCalendar) rewrites, so the raw text is enough otherwise."""
    text = data.decode("utf-8", errors="replace")
    return [text, re.sub(r"\r?\n[ \t]", "", text)] if "\n " in text else [text]


def _xlsx_texts(data: bytes) -> list[str]:
    """Every cell of every sheet as a spreadsheet user would read it, and every part raw."""
    found = []
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            found.extend(str(cell.value) for cell in row if cell.value is not None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            found.append(archive.read(name).decode("utf-8", errors="replace"))
    return found


def _cookie_texts(app, headers) -> list[str]:
    """The session cookie, decoded: flashed messages travel in it, compressed."""
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    found = []
    for header in headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            value = header.split(";", 1)[0].split("=", 1)[1]
            if value:
                found.append(str(serializer.loads(value)))
    return found


def _leaks(marker: str, data: bytes, headers=None, xlsx: bool = False, app=None) -> bool:
    needle = marker.split("-", 1)[1]  # the unique part, in either case
    texts = _xlsx_texts(data) if xlsx else _texts(data)
    texts += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if app is not None and headers is not None:
        texts += _cookie_texts(app, headers)
    return any(needle in t or needle.upper() in t for t in texts)


def _is_xlsx(response) -> bool:
    return response.status_code == 200 and "spreadsheet" in (response.content_type or "")


# --- walking every route ---------------------------------------------------------------------


def _candidates(c, feed_tokens: list[str]) -> dict[str, list]:
    o = c.org
    return {
        "member_id": [o.eng.id, o.mate.id, o.plain.id, c.archived.id],
        "team_id": [o.team.id, o.other_team.id],
        "session_id": [s.id for s in c.sessions.values()],
        "goal_id": [c.goal.id],
        "item_id": [c.sessions["eve"].items[0].id],
        "project_id": [o.project.id],
        "sprint_id": [o.sprint.id],
        "milestone_id": [o.milestone.id],
        "framework_id": [c.framework.framework_id],
        "user_id": [o.eng.user_id, o.lead.id, c.colead.id],
        "filename": ["css/app.css"],
        "token": feed_tokens or ["not-a-real-token"],
        "link_id": [1],
        "login_session_id": [2**31 - 1],
        "template_id": [c.template.id],
        "job_id": ["no-such-job"],  # background jobs: only failures are addressed by id
    }


FORMATS = {route.endpoint: list(route.formats) for route in ROUTES if route.formats}
QUERIES = {
    "mentoring.timeline": ["?q=canary", "?q=CANARY-{prefix}"],
    "competencies.export_matrix": ["?archived=1"],
    "competencies.matrix": ["?archived=1"],
    "team.team": ["?status=all"],
}
# Pages that list sessions, notes or people: each is also asked to search for the marker.
SEARCHED = {
    "mentoring.timeline",
    "mentoring.me",
    "mentoring.dashboard",
    "mentoring.session",
    "team.team",
    "team.member",
    "plans.plan",
    "competencies.matrix",
    "delivery.mine",
}


def _urls(rule, candidates: dict[str, list], marker: str) -> list[str]:
    args = sorted(rule.arguments)
    values = []
    for arg in args:
        if arg == "fmt":
            values.append(FORMATS[rule.endpoint])
        elif arg == "token" and rule.endpoint == "auth.accept_link":
            values.append(["not-a-real-token"])
        else:
            values.append(candidates[arg])
    urls = []
    for combo in itertools.product(*values):
        url = rule.rule
        for arg, value in zip(args, combo, strict=True):
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(value), url)
        urls.append(url)
    # A search for the marker on the pages that list people or sessions (once), and each
    # route's own filters (for every ID).
    prefix = marker.split("-", 1)[1][:8]
    extra = [q.format(prefix=prefix) for q in QUERIES.get(rule.endpoint, [])]
    search = [urls[0] + "?q=CANARY"] if rule.endpoint in SEARCHED else []
    return urls + search + [u + q for u in urls for q in extra]


def _feed_token(client) -> str | None:
    r = client.get("/calendar")
    if r.status_code != 200:
        return None
    match = re.search(r"/calendar/([A-Za-z0-9_\-]+)\.ics", r.data.decode())
    assert match, "the calendar page shows the feed address"
    return match.group(1)


def _walk(app, client, c, feed_tokens, who: str) -> dict[str, set[str]]:
    """GET every route with every real ID; fail on the marker anywhere. Returns, per
    endpoint, the URLs that answered 200 (so the caller can check the walk reached pages)."""
    reached: dict[str, set[str]] = {}
    candidates = _candidates(c, feed_tokens)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        for url in _urls(rule, candidates, c.marker):
            r = client.get(url)
            assert r.status_code < 500, f"{who} GET {url}: {r.status_code}"
            assert not _leaks(c.marker, r.data, r.headers, xlsx=_is_xlsx(r), app=app), (
                f"{who} GET {url} ({r.status_code}) shows the private notes"
            )
            if r.status_code == 200:
                reached.setdefault(rule.endpoint, set()).add(url)
    return reached


def _post_junk(app, client, c, who: str) -> None:
    """POST a failing payload to every form: no re-rendered page may carry the marker."""
    o = c.org
    candidates = _candidates(c, [])
    candidates["member_id"] = [o.eng.id]
    candidates["session_id"] = [c.sessions["eve"].id]
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in NOT_JUNK_POSTED:
            continue
        for url in [u for u in _urls(rule, candidates, c.marker) if "?" not in u]:
            r = client.form(url, dict(JUNK))
            assert r.status_code < 500, f"{who} POST {url}: {r.status_code}"
            assert not _leaks(c.marker, r.data, r.headers, app=app), f"{who} POST {url} leaks"


REACHES = {
    # Pages each reader must have reached (200), so the walk is never vacuous.
    "eve": {"mentoring.session", "mentoring.timeline", "mentoring.me", "plans.plan"},
    "max": {"mentoring.session", "mentoring.timeline", "mentoring.me"},
    "colead": {
        "mentoring.session",
        "mentoring.timeline",
        "mentoring.dashboard",
        "competencies.export_matrix",
        "competencies.member",
        "plans.edit_goal",
        "plans.print_plan",
        "mentoring.new_session",
        "mentoring.calendar_feed",
        "delivery.trend_chart",
        "delivery.burnup_chart",
        "competencies.radar",
    },
    "other": {"competencies.export_matrix", "mentoring.calendar_feed", "team.team"},
    # (an engineer of the other team reaches nothing of this team: `max` covers engineers)
    "admin": {
        "mentoring.session",
        "mentoring.timeline",
        "competencies.export_matrix",
        "frameworks.export",
        "auth.users",
        "mentoring.calendar_feed",
        "plans.edit_goal",
    },
    "anon": {"auth.login", "static"},
}


def test_author_sees_the_canary(app, client, db, canary):
    """The positive control: the marker is there to find, for its author only."""
    from tracker.mentoring.models import Meeting

    c = canary
    rows = db.scalars(select(Meeting)).all()  # stored in the private notes, only
    assert len([s for s in rows if c.marker in s.private_notes]) == len(c.sessions)
    assert not any(c.marker in (s.shared_notes + s.agenda) for s in rows)
    # ...and in the HTML rendered from them, so the walk would catch that column leaking too.
    assert len([s for s in rows if c.marker in s.private_notes_html]) == len(c.sessions)
    assert not any(c.marker in (s.shared_notes_html + s.agenda_html) for s in rows)
    login(client, "lead@example.com")
    for name, s in c.sessions.items():
        r = client.get(f"/sessions/{s.id}")
        assert r.status_code == 200 and _leaks(c.marker, r.data), name
        assert "<script>" not in r.data.decode(), "the HTML notes render inert"
    r = client.get(f"/members/{c.org.eng.id}/sessions?q=canary")
    assert f'/sessions/{c.sessions["eve"].id}"' in r.data.decode()  # found by its author
    # The search box finds every canary session for its author, with the note's words marked.
    r = client.form("/search", {"q": c.marker})
    assert r.status_code == 200 and _leaks(c.marker, r.data)
    for s in c.sessions.values():
        assert f'/sessions/{s.id}"' in r.data.decode()
    # A failed action item re-renders the session with its private notes, for the author.
    r = client.form(f"/sessions/{c.sessions['eve'].id}/items", {"text": ""})
    assert r.status_code == 400 and _leaks(c.marker, r.data)
    # ...and the marker would be found in an XLSX cell too, were it ever written there.
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active["B7"] = f"note {c.marker}"
    wb.save(buffer)
    assert _leaks(c.marker, buffer.getvalue(), xlsx=True)


@pytest.mark.parametrize("who", list(READERS))
def test_no_one_else_ever_sees_the_canary(app, canary, who):
    """Every GET route with real IDs, searches, exports, charts, feeds and error pages, then a
    failed POST to every form: the marker appears nowhere for anyone but its author."""
    c = canary
    client = app.test_client()
    if READERS[who]:
        assert login(client, READERS[who]).status_code == 302
    # Every feed address the readers have (their own), plus the author's: the feed is public
    # to whoever holds the address, and carries names and times only.
    tokens = []
    for email in ("lead@example.com", READERS[who]):
        if email:
            feeder = app.test_client()
            login(feeder, email)
            token = _feed_token(feeder)
            if token:
                tokens.append(token)
    reached = _walk(app, client, c, tokens, who)
    missing = REACHES[who] - set(reached)
    assert not missing, f"{who} never reached {sorted(missing)}"

    sessions = c.sessions
    if who in ("eve", "max", "colead", "admin"):
        s = sessions["eve"] if who != "max" else sessions["max_markdown"]
        assert f"/sessions/{s.id}" in reached["mentoring.session"]
        body = client.get(f"/sessions/{s.id}").data.decode()
        assert "Shared" in body  # the shared notes render for them, the private ones do not
    if who in ("eve", "colead", "admin"):
        assert f"/sessions/{sessions['eve_future'].id}" in reached["mentoring.session"]
        # Searching for the marker finds nothing (no oracle), though the session is theirs.
        for q in ("canary", c.marker[:15], "leaving"):
            r = client.get(f"/members/{c.org.eng.id}/sessions?q={q}")
            assert "No sessions match" in r.data.decode(), q
    if READERS[who]:
        # Nor does the search box: no session found by its private words, nothing shown.
        for q in ("canary", c.marker[:15], "leaving", "Thinks about", "Ask about"):
            r = client.form("/search", {"q": q})
            assert r.status_code == 200 and "Nothing found" in r.data.decode(), (who, q)
            assert not _leaks(c.marker, r.data, r.headers, app=app), (who, q)
    if who in ("colead", "admin"):
        assert {f"/sessions/{s.id}" for s in sessions.values()} <= reached["mentoring.session"]

    # Error pages: not found, not allowed, a bad token, a wrong method.
    for url in ("/no/such/page", f"/sessions/{max(s.id for s in sessions.values()) + 99}"):
        r = client.get(url)
        assert r.status_code in ((404,) if READERS[who] else (404, 302)), url
        assert not _leaks(c.marker, r.data, r.headers)
    r = client.post(f"/sessions/{sessions['eve'].id}/items", data={"text": "x"})
    assert r.status_code in (400, 302) and not _leaks(c.marker, r.data, r.headers)
    r = client.get(f"/sessions/{sessions['eve'].id}/items")
    assert r.status_code == 405 and not _leaks(c.marker, r.data, r.headers)
    if READERS[who]:
        _post_junk(app, client, c, who)


def test_cli_exports_never_carry_the_canary(app, runner, canary, tmp_path):
    """`tracker export-matrix` (every format, every team, archived too) and
    `tracker export-framework`."""
    c = canary
    runs = []
    for fmt, team, archived in itertools.product(
        ("csv", "xlsx", "json"), (None, "ML Platform", "Data Platform"), (False, True)
    ):
        out = tmp_path / f"m-{fmt}-{team}-{archived}.{fmt}"
        args = ["tracker", "export-matrix", "--format", fmt, "-o", str(out)]
        args += ["--team", team] if team else []
        args += ["--include-archived"] if archived else []
        runs.append((args, out, fmt == "xlsx"))
    runs.append((["tracker", "export-matrix"], None, False))  # CSV to standard output
    runs.append((["tracker", "export-matrix", "--format", "json"], None, False))
    for fmt in ("yaml", "json"):
        out = tmp_path / f"framework.{fmt}"
        runs.append((["tracker", "export-framework", "--format", fmt, "-o", str(out)], out, False))
        runs.append((["tracker", "export-framework", "--format", fmt], None, False))
    for args, out, xlsx in runs:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
        data = out.read_bytes() if out else result.stdout_bytes
        assert data, args
        assert not _leaks(c.marker, data, xlsx=xlsx), f"{' '.join(args)} carries the notes"
        assert not _leaks(c.marker, result.output.encode()), args
    # The exports are real: the members are in them (the archived one when asked).
    every = (tmp_path / "m-json-None-True.json").read_text()
    assert "Eve Engineer" in every and "Ari Archived" in every
    json.loads(every)
    workbook = load_workbook(tmp_path / "m-xlsx-ML Platform-True.xlsx")
    names = {
        str(cell.value) for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
    }
    assert "Eve Engineer" in names
