"""Importing milestones and sprints from a Jira CSV export and GitHub's milestones JSON:
the preview, one transaction, no duplicates on re-import, clear errors; web and CLI."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.delivery.importers import ImportFormatError, parse_delivery, parse_jira_date
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint

JIRA = (
    "Issue key,Summary,Status,Sprint,Sprint,Due date,Assignee,Resolved\r\n"
    "ML-1,Offline backfill,Done,ML Sprint 1,ML Sprint 2,12/Mar/26 4:05 PM,eve@example.com,"
    "2026-03-20 16:05\r\n"
    "ML-2,Serving API,In Progress,ML Sprint 2,,2026-03-30,Max Mate,\r\n"
    'ML-3,"=HYPERLINK(""http://evil"")",To Do,,,,Nobody Known,\r\n'
    "ML-4,,To Do,,,,,\r\n"
    "ML-1,Duplicate row,Done,,,,,\r\n"
    "ML-5,Old idea,Won't Do,ML Sprint 1,,,,\r\n"
)
GITHUB = [
    {
        "number": 1,
        "title": "v1.0",
        "description": "First release",
        "state": "closed",
        "due_on": "2026-03-12T07:00:00Z",
        "closed_at": "2026-03-11T10:00:00Z",
        "html_url": "https://github.com/acme/rocket/milestone/1",
    },
    {
        "number": 2,
        "title": "v1.1",
        "description": None,
        "state": "open",
        "due_on": None,
        "closed_at": None,
        "html_url": "https://github.com/acme/rocket/milestone/2",
    },
    {"number": 3, "title": "", "state": "open", "html_url": "https://github.com/acme/rocket/m/3"},
]


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _upload(client, team_id, content: bytes, name="export.csv", project=""):
    return client.post(
        f"/teams/{team_id}/delivery/import",
        data={
            "csrf_token": client.csrf_token(),
            "file": (io.BytesIO(content), name),
            "project": project,
        },
        content_type="multipart/form-data",
    )


def _confirm(client, team_id, content: str, project=""):
    return client.form(
        f"/teams/{team_id}/delivery/import/confirm", {"content": content, "project": project}
    )


# --- the parser -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["12/Mar/26 4:05 PM", "12/Mar/2026 4:05 PM", "2026-03-12 16:05", "2026-03-12", "12/Mar/26"],
)
def test_jira_date_formats(raw):
    assert parse_jira_date(raw) == date(2026, 3, 12)


def test_jira_plan_with_skips_and_sprint_history():
    plan = parse_delivery(JIRA.encode())
    assert plan.source == "jira" and plan.project_hint == "ML"
    by_ref = {m.ref: m for m in plan.milestones}
    assert set(by_ref) == {"ML-1", "ML-2", "ML-3", "ML-5"}
    assert by_ref["ML-1"].sprints == ["ML Sprint 1", "ML Sprint 2"]
    assert by_ref["ML-1"].done_date == date(2026, 3, 20) and by_ref["ML-1"].status == "done"
    assert by_ref["ML-2"].status == "in progress" and by_ref["ML-5"].status == "dropped"
    assert by_ref["ML-3"].title == '=HYPERLINK("http://evil")'  # kept as text, never evaluated
    assert [(s.ref, s.reason) for s in plan.skipped] == [
        ("ML-4", "no Summary"),
        ("ML-1", "appears again on row 6 (first on row 2)"),
    ]


def test_missing_column_is_named():
    with pytest.raises(ImportFormatError) as exc:
        parse_delivery(b"Issue key,Summary,Sprint\nML-1,x,S\n")
    assert exc.value.errors == [
        "Missing column 'Status': a Jira CSV export needs Issue key, Summary, Status."
    ]


def test_unknown_date_names_row_and_column():
    with pytest.raises(ImportFormatError) as exc:
        parse_delivery(
            b"Issue key,Summary,Status,Due date\nML-1,x,Done,2026-03-12\nML-2,y,Done,soon\n"
        )
    assert exc.value.errors == ["Row 3, column 'Due date': 'soon' is not a date Jira writes."]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MiB"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'[{"number": 1,', "The JSON is malformed"),
        (b'{"title": "one"}', "Expected a JSON list"),
        (b"name,email\nA,b\n", "Not a Jira CSV export"),
        (b"   ", "The file is empty"),
        (b'[{"number": 1, "title": "x", "due_on": "someday"}]', "Milestone #1, due_on"),
    ],
)
def test_bad_files_give_clear_messages(content, message):
    with pytest.raises(ImportFormatError) as exc:
        parse_delivery(content)
    assert message in exc.value.errors[0]


def test_github_plan():
    plan = parse_delivery(json.dumps(GITHUB).encode())
    assert plan.source == "github" and plan.project_hint == "rocket"
    v1, v11 = plan.milestones
    assert (v1.status, v1.due_date, v1.done_date) == ("done", date(2026, 3, 12), date(2026, 3, 11))
    assert v1.key == "github:https://github.com/acme/rocket/milestone/1"
    assert (v11.status, v11.description) == ("planned", "")
    assert [(s.ref, s.reason) for s in plan.skipped] == [("#3", "no title")]


# --- the web import ---------------------------------------------------------------------------


def test_jira_preview_writes_nothing_then_import_once(client_as, org, db):
    client = client_as("lead")
    r = _upload(client, org.team.id, JIRA.encode())
    assert r.status_code == 200
    html = r.data.decode()
    assert "A new project, <strong>ML</strong>, will be created." in html
    assert "+ ML Sprint 1" in html and "+ ML Sprint 2" in html
    assert "Eve Engineer <small>(matched)</small>" in html  # by email
    assert "Max Mate <small>(matched)</small>" in html  # by name
    assert "no member matches &#39;Nobody Known&#39;" in html
    assert "ML-4: no Summary" in html and "appears again on row 6" in html
    assert _count(db, Milestone) == 0 and _count(db, Sprint) == 0 and _count(db, Project) == 0

    r = _confirm(client, org.team.id, JIRA)
    assert r.status_code == 302
    project = db.scalar(select(Project))
    assert project.name == "ML"
    ms = {m.external_key: m for m in db.scalars(select(Milestone))}
    assert set(ms) == {"jira:ML-1", "jira:ML-2", "jira:ML-3", "jira:ML-5"}
    sprints = {s.name: s for s in db.scalars(select(Sprint))}
    assert set(sprints) == {"ML Sprint 1", "ML Sprint 2"}
    s1, s2 = sprints["ML Sprint 1"], sprints["ML Sprint 2"]
    assert s2.start_date > s1.end_date  # dated one after the other, no overlap
    assert s1.start_date == date(2026, 3, 9)  # the Monday before the file's earliest date
    assert s1.state == "closed"  # long over
    one = ms["jira:ML-1"]
    assert one.sprint_id == s2.id and one.owner_id == org.eng.id
    assert ms["jira:ML-2"].owner_id == org.mate.id and ms["jira:ML-3"].owner_id is None
    assert ms["jira:ML-3"].title == '=HYPERLINK("http://evil")'
    move = db.scalar(select(MilestoneMove))
    assert (move.milestone_id, move.from_sprint_id, move.to_sprint_id) == (one.id, s1.id, s2.id)
    assert move.moved_by_id == org.lead.id and move.carried_over

    # The same file again: nothing new.
    r = _upload(client, org.team.id, JIRA.encode())
    html = r.data.decode()
    assert "Into the existing project <strong>ML</strong>" in html
    assert "<strong>0</strong> to create, 4 already imported" in html
    _confirm(client, org.team.id, JIRA)
    assert _count(db, Milestone) == 4 and _count(db, Sprint) == 2 and _count(db, Project) == 1
    assert _count(db, MilestoneMove) == 1


def test_jira_sprints_match_existing_sprints_by_name(client_as, org, db, make_sprint):
    existing = make_sprint(org.team, date(2026, 3, 2), name="ml sprint 1", state="closed")
    client = client_as("lead")
    assert _confirm(client, org.team.id, JIRA, project="Store").status_code == 302
    assert _count(db, Sprint) == 2
    s2 = db.scalar(select(Sprint).where(Sprint.name == "ML Sprint 2"))
    assert s2.start_date == date(2026, 3, 16)  # right after the team's last sprint
    five = db.scalar(select(Milestone).where(Milestone.external_key == "jira:ML-5"))
    assert five.sprint_id == existing.id and five.status == "dropped"
    assert db.scalar(select(Project)).name == "Store"


def test_github_import_plans_by_due_date(client_as, org, db, make_sprint):
    sprint = make_sprint(org.team, date(2026, 3, 9), state="closed", name="March")
    client = client_as("lead")
    content = json.dumps(GITHUB)
    r = _upload(client, org.team.id, content.encode(), name="milestones.json")
    assert r.status_code == 200 and b"GitHub import" in r.data and b"#3: no title" in r.data
    assert _confirm(client, org.team.id, content).status_code == 302
    v1 = db.scalar(select(Milestone).where(Milestone.title == "v1.0"))
    assert (v1.sprint_id, v1.status, v1.done_date) == (sprint.id, "done", date(2026, 3, 11))
    assert db.scalar(select(Project)).name == "rocket"
    _confirm(client, org.team.id, content)
    assert _count(db, Milestone) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Issue key,Summary\nML-1,x\n", b"Missing column &#39;Status&#39;"),
        (b"Issue key,Summary,Status,Resolved\nML-1,x,Done,yesterday\n", b"Row 2, column"),
        (b"[1, 2", b"The JSON is malformed"),
    ],
)
def test_bad_upload_is_refused_and_nothing_saved(client_as, org, db, content, message):
    client = client_as("lead")
    r = _upload(client, org.team.id, content)
    assert r.status_code == 400 and message in r.data
    r = _confirm(client, org.team.id, content.decode())
    assert r.status_code == 400 and message in r.data
    assert _count(db, Milestone) == 0 and _count(db, Project) == 0


def test_huge_upload_is_refused(client_as, org, db):
    client = client_as("lead")
    r = _upload(client, org.team.id, b"Issue key,Summary,Status\n" + b"x" * (2 * 1024 * 1024))
    assert r.status_code == 400 and b"larger than 2 MiB" in r.data


def test_import_is_for_the_team_leads(client_as, org):
    client = client_as("engineer")
    assert _upload(client, org.team.id, JIRA.encode()).status_code == 403
    other = client_as("other@example.com")
    assert _upload(other, org.team.id, JIRA.encode()).status_code == 404
    assert _confirm(other, org.team.id, JIRA).status_code == 404


# --- the command line -------------------------------------------------------------------------


def test_cli_dry_run_writes_nothing(runner, org, db, tmp_path):
    path = tmp_path / "jira.csv"
    path.write_text(JIRA)
    r = runner.invoke(
        args=["tracker", "import-delivery", "--team", "ML Platform", "--dry-run", str(path)]
    )
    assert r.exit_code == 0, r.output
    assert "+ sprint ML Sprint 1" in r.output and "+ ML-1 Offline backfill" in r.output
    assert "- skipped ML-4: no Summary" in r.output
    assert "4 to create, 0 already imported, 2 skipped, 2 new sprints." in r.output
    assert "Dry run: nothing was written." in r.output
    assert _count(db, Milestone) == 0 and _count(db, Sprint) == 0


def test_cli_imports_once(runner, org, db, tmp_path):
    path = tmp_path / "milestones.json"
    path.write_text(json.dumps(GITHUB))
    args = ["tracker", "import-delivery", "--team", "ML Platform", "--project", "Rocket"]
    r = runner.invoke(args=[*args, str(path)])
    assert r.exit_code == 0, r.output
    assert "Imported 2 milestones into Rocket." in r.output
    r = runner.invoke(args=[*args, str(path)])
    assert "Imported 0 milestones" in r.output and "(already imported)" in r.output
    assert _count(db, Milestone) == 2


def test_cli_errors(runner, org, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Issue key,Summary,Status,Due date\nML-1,x,Done,32/Mar/26\n")
    r = runner.invoke(args=["tracker", "import-delivery", "--team", "ML Platform", str(bad)])
    assert r.exit_code == 1
    assert "Row 2, column 'Due date': '32/Mar/26' is not a date Jira writes." in r.output
    r = runner.invoke(args=["tracker", "import-delivery", "--team", "Nope", str(bad)])
    assert r.exit_code == 1 and "No team called 'Nope'" in r.output
    assert _count(db, Milestone) == 0 and _count(db, Project) == 0
