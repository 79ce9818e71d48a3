"""Issue #13: 1:1 agenda templates. A lead keeps their own, an admin the organisation's (three
built in); a new 1:1's agenda starts from one, merged with the carried items, the growth goals
and the rating disconnects; a member's first 1:1 suggests "First 1:1"."""

from __future__ import annotations

import html
import importlib.util
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.auditing import AuditEvent
from tracker.files import ROOT
from tracker.mentoring.agenda_templates import BUILTIN, MAX_BODY, MAX_NAME
from tracker.mentoring.models import AgendaTemplate, Meeting

FIRST_POINT = "How you like feedback: written or spoken, straight away or saved for our 1:1s"
CAREER_POINT = "Projects or responsibilities that would stretch you"


def _count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def _agenda(page: str) -> str:
    """The agenda textarea's text, as the browser shows it."""
    part = page[page.index('name="agenda"') :]
    part = part[part.index(">") + 1 : part.index("</textarea>")]
    text = html.unescape(part).replace("\r\n", "\n")
    return text[1:] if text.startswith("\n") else text  # the line break after <textarea>


def _choice(page: str) -> str:
    start = page.index('<select id="template"')
    return page[start : page.index("</select>", start)]


def _offered(page: str) -> list[str]:
    """The templates offered, by name (not "None")."""
    return [
        html.unescape(n)
        for n in re.findall(r'<option value="[1-9]\d*"[^>]*>([^<]*)<', _choice(page))
    ]


def _selected(page: str) -> str:
    return html.unescape(re.search(r'<option value="\d+" selected>([^<]*)<', _choice(page))[1])


def _own(db, user, name: str, body: str = "- A point", archived: bool = False):
    template = AgendaTemplate(owner_id=user.id, name=name, body=body, archived=archived)
    db.add(template)
    db.commit()
    return template


def test_the_migration_makes_the_same_built_in_templates_as_the_code():
    """0015 holds a copy of the built-ins (a migration never imports the app): the same."""
    path = ROOT / "migrations" / "versions" / "0015_agenda_templates.py"
    spec = importlib.util.spec_from_file_location("m0015", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.BUILTIN == BUILTIN
    assert [name for _k, name, _b in BUILTIN] == [
        "First 1:1",
        "Career conversation",
        "Performance check-in",
    ]
    assert all(len(body) <= MAX_BODY for _k, _n, body in BUILTIN)


# --- who sees and changes which ----------------------------------------------------------------


def test_a_lead_sees_the_organisations_and_their_own_never_another_leads(
    client_as, org, db, builtin_templates, agenda_template
):
    _own(db, org.other_lead, "Olu's secret agenda")
    page = client_as("lead").get("/sessions/templates").get_data(as_text=True)
    for name in ("First 1:1", "Career conversation", "Performance check-in", "Weekly check-in"):
        assert name in page
    assert "Olu&#39;s secret agenda" not in page and "Olu's secret agenda" not in page
    # Only their own can be changed from here; the organisation's are the admins'.
    edits = re.findall(r"/sessions/templates/(\d+)/edit", page)
    assert edits == [str(agenda_template.id)]
    admin = client_as("admin").get("/sessions/templates").get_data(as_text=True)
    assert "Weekly check-in" not in admin and "Olu" not in admin
    assert sorted(re.findall(r"/sessions/templates/(\d+)/edit", admin)) == sorted(
        str(t.id) for t in builtin_templates.values()
    )


def test_a_lead_creates_edits_archives_and_restores_their_own(client_as, org, db):
    client = client_as("lead")
    r = client.form("/sessions/templates/new", {"name": "Promo prep", "body": "- Evidence"})
    assert r.status_code == 302
    t = db.scalar(select(AgendaTemplate))
    assert (t.owner_id, t.name, t.body, t.archived) == (
        org.lead.id,
        "Promo prep",
        "- Evidence",
        False,
    )
    r = client.form(
        f"/sessions/templates/{t.id}/edit",
        {"name": "Promotion prep", "body": "## Case\r\n- Evidence"},
    )
    assert r.status_code == 302
    db.refresh(t)
    assert t.name == "Promotion prep" and t.body == "## Case\n- Evidence"
    assert client.form(f"/sessions/templates/{t.id}/archive").status_code == 302
    db.refresh(t)
    assert t.archived
    page = client.get("/sessions/templates").get_data(as_text=True)
    assert f"/sessions/templates/{t.id}/restore" in page
    assert client.form(f"/sessions/templates/{t.id}/restore").status_code == 302
    db.refresh(t)
    assert not t.archived
    # Each change is in the audit log, under the template's id.
    actions = db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "agenda template", AuditEvent.object_id == t.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "update", "archive", "restore"]
    created = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "create", AuditEvent.object_type == "agenda template"
        )
    )
    assert created.actor.startswith("Lee Lead") and "name: Promo prep" in created.summary


def test_an_admin_keeps_the_organisations_templates(client_as, org, db, builtin_templates):
    client = client_as("admin")
    r = client.form("/sessions/templates/new", {"name": "Skip-level", "body": "- Team health"})
    assert r.status_code == 302
    made = db.scalar(select(AgendaTemplate).where(AgendaTemplate.name == "Skip-level"))
    assert made.owner_id is None
    career = builtin_templates["career"]
    r = client.form(
        f"/sessions/templates/{career.id}/edit", {"name": "Career chat", "body": career.body}
    )
    assert r.status_code == 302
    db.refresh(career)
    assert career.name == "Career chat" and career.key == "career"  # still the built-in one
    # Every lead is offered it.
    page = client_as("lead").get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert "Skip-level" in _offered(page) and "Career chat" in _offered(page)


@pytest.mark.parametrize("target", ["organisation's", "another lead's"])
def test_a_lead_changes_neither_the_organisations_nor_another_leads(
    client_as, org, db, builtin_templates, target
):
    if target == "organisation's":
        t, refused = builtin_templates["first"], 403
    else:
        t, refused = _own(db, org.other_lead, "Olu's"), 404
    before = (t.name, t.body, t.archived)
    logged = _count(db, AuditEvent, AuditEvent.object_type == "agenda template")
    client = client_as("lead")
    assert client.get(f"/sessions/templates/{t.id}/edit").status_code == refused
    r = client.form(f"/sessions/templates/{t.id}/edit", {"name": "Mine now", "body": "- x"})
    assert r.status_code == refused
    assert client.form(f"/sessions/templates/{t.id}/archive").status_code == refused
    db.refresh(t)
    assert (t.name, t.body, t.archived) == before
    assert _count(db, AuditEvent, AuditEvent.object_type == "agenda template") == logged


def test_an_admin_never_reaches_a_leads_own(client_as, org, db, agenda_template):
    client = client_as("admin")
    assert client.get(f"/sessions/templates/{agenda_template.id}/edit").status_code == 404
    assert client.form(f"/sessions/templates/{agenda_template.id}/archive").status_code == 404
    db.refresh(agenda_template)
    assert not agenda_template.archived


def test_engineers_have_no_templates(client_as, org, db, builtin_templates):
    client = client_as("engineer")
    t = builtin_templates["first"]
    assert client.get("/sessions/templates").status_code == 403
    assert client.get("/sessions/templates/new").status_code == 403
    assert client.form("/sessions/templates/new", {"name": "x", "body": "- y"}).status_code == 403
    assert client.get(f"/sessions/templates/{t.id}/edit").status_code == 403
    assert client.form(f"/sessions/templates/{t.id}/archive").status_code == 403
    assert _count(db, AgendaTemplate) == len(BUILTIN)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "field", "message"),
    [
        ("", "- A point", "name", "A template needs a name."),
        ("   ", "- A point", "name", "A template needs a name."),
        ("N" * (MAX_NAME + 1), "- A point", "name", f"at most {MAX_NAME} characters"),
        ("weekly  CHECK-IN", "- A point", "name", "You already have a template called"),
        ("Fine name", "", "body", "A template needs its talking points."),
        ("Fine name", "x" * (MAX_BODY + 1), "body", f"at most {MAX_BODY:,} characters"),
    ],
)
def test_bad_input_names_the_field_keeps_the_typing_and_writes_nothing(
    client_as, org, db, agenda_template, name, body, field, message
):
    client = client_as("lead")
    typed = {"name": name, "body": body or ""}
    for url in ("/sessions/templates/new", f"/sessions/templates/{agenda_template.id}/edit"):
        if "edit" in url and "already have" in message:
            continue  # its own name is no clash
        audit = _count(db, AuditEvent)
        r = client.form(url, typed)
        assert r.status_code == 400, url
        page = html.unescape(r.get_data(as_text=True))
        error = page[page.index(f'id="{field}-error"') :]
        assert message in error[: error.index("</small>")], url
        if body and len(body) < 100:
            assert body in page  # what was typed is on the page again
        if name.strip() and len(name) < 20:
            assert f'value="{name}"' in page
        assert _count(db, AgendaTemplate) == 1 and _count(db, AuditEvent) == audit
        db.refresh(agenda_template)
        assert agenda_template.name == "Weekly check-in"


def test_names_are_unique_per_owner_and_an_archived_one_says_so(
    client_as, org, db, builtin_templates, agenda_template
):
    # Another lead may use the same name; an organisation template's name is no clash.
    other = client_as("other@example.com")
    assert (
        other.form(
            "/sessions/templates/new", {"name": "Weekly check-in", "body": "- x"}
        ).status_code
        == 302
    )
    lead = client_as("lead")
    assert (
        lead.form("/sessions/templates/new", {"name": "First 1:1", "body": "- x"}).status_code
        == 302
    )
    # The admin's organisation templates clash among themselves, archived or not.
    builtin_templates["career"].archived = True
    db.commit()
    r = client_as("admin").form(
        "/sessions/templates/new", {"name": "career conversation", "body": "- x"}
    )
    assert r.status_code == 400
    assert (
        "The organisation already has a template called &#39;career conversation&#39; "
        "(archived: restore it, or choose another name)." in r.get_data(as_text=True)
    )


# --- using one on the new-1:1 form -----------------------------------------------------------


def test_a_members_first_one_on_one_starts_from_first_one_on_one(
    client_as, org, db, builtin_templates, make_session
):
    client = client_as("lead")
    page = client.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert _selected(page) == "First 1:1"
    assert FIRST_POINT in _agenda(page) and "## Getting to know each other" in _agenda(page)
    # Asked for none, there is none.
    page = client.get(f"/members/{org.eng.id}/sessions/new?template=0").get_data(as_text=True)
    assert FIRST_POINT not in _agenda(page)
    # Met once (even only booked), the next 1:1 is not the first: no template unasked.
    make_session(org.eng, org.lead, held_at=datetime(2026, 11, 2, 10))
    page = client.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert FIRST_POINT not in _agenda(page) and _selected(page).startswith("None:")
    # An archived "First 1:1" is not suggested either.
    builtin_templates["first"].archived = True
    db.commit()
    page = client.get(f"/members/{org.mate.id}/sessions/new").get_data(as_text=True)
    assert FIRST_POINT not in _agenda(page) and "First 1:1" not in _offered(page)


def test_the_agenda_merges_the_template_the_carried_items_and_the_disconnects(
    client_as, org, db, framework, builtin_templates, make_session, rate
):
    make_session(
        org.eng,
        org.lead,
        held_at=datetime(2026, 10, 1, 10),
        items=[("Finish the Spark course", "mentee", None), ("Book a mentor", "lead", None)],
    )
    rate(org.eng, "python-programming", 4, rater=org.lead)
    rate(org.eng, "python-programming", 1, kind="self", rater=org.eng.user)
    # A lead's template that already names one carried item and gives the open items a place.
    mine = _own(
        db,
        org.lead,
        "Weekly",
        "## Open action items\n- Book a mentor (you; from 2026-10-01)\n\n## This week\n- Wins",
    )
    client = client_as("lead")
    page = client.get(f"/members/{org.eng.id}/sessions/new?template={mine.id}").get_data(
        as_text=True
    )
    agenda = _agenda(page)
    lines = agenda.split("\n")
    # The template's sections, with the other carried item under its own heading...
    assert lines[:4] == [
        "## Open action items",
        "- Book a mentor (you; from 2026-10-01)",
        lines[2],
        "",
    ]
    assert lines[2].startswith("- Finish the Spark course (Eve; from 2026-10-01")
    assert "## This week" in lines and "- Wins" in lines
    # ... the disconnect as a section of its own, and nothing twice.
    assert "**Ratings to talk about**" in lines
    assert any(
        line.startswith("- Python") and "you rated 4, self-rating 1" in line for line in lines
    )
    assert agenda.count("Book a mentor") == 1 and agenda.count("Finish the Spark course") == 1
    assert "**Open action items**" not in agenda
    # A built-in one: its sections first, then each of the member's, under a clear heading.
    career = builtin_templates["career"]
    page = client.get(f"/members/{org.eng.id}/sessions/new?template={career.id}").get_data(
        as_text=True
    )
    agenda = _agenda(page)
    assert agenda.index(CAREER_POINT) < agenda.index("**Open action items**")
    assert agenda.index("**Open action items**") < agenda.index("**Ratings to talk about**")
    assert agenda.count("Finish the Spark course") == 1


def test_archived_and_other_leads_templates_are_never_offered_nor_applied(
    client_as, org, db, builtin_templates, agenda_template, make_session
):
    make_session(org.eng, org.lead)  # not a first 1:1
    hidden = _own(db, org.lead, "Old agenda", "- STALE-POINT", archived=True)
    others = _own(db, org.other_lead, "Olu's", "- OTHER-LEADS-POINT")
    client = client_as("lead")
    page = client.get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    assert _offered(page) == [
        "Career conversation",
        "First 1:1",
        "Performance check-in",
        "Weekly check-in",
    ]
    for t, point in ((hidden, "STALE-POINT"), (others, "OTHER-LEADS-POINT")):
        url = f"/members/{org.eng.id}/sessions/new?template={t.id}"
        page = client.get(url).get_data(as_text=True)
        assert point not in page and _selected(page).startswith("None:")


def _form(agenda: str, base: str, template: int | str, **more) -> dict:
    return {
        "kind": "career",
        "held_at": "2026-11-20T10:00",
        "duration_minutes": "45",
        "mood": "",
        "agenda": agenda,
        "agenda_base": base,
        "shared_notes": "TYPED-SHARED-NOTE",
        "private_notes": "TYPED-PRIVATE-NOTE",
        "template": str(template),
        **more,
    }


def test_using_a_template_without_javascript_keeps_what_was_typed(
    client_as, org, db, builtin_templates, agenda_template, make_session
):
    make_session(org.eng, org.lead, items=[("Eve's item", "mentee", None)])
    url = f"/members/{org.eng.id}/sessions/new"
    client = client_as("lead")
    prefilled = _agenda(client.get(url).get_data(as_text=True))
    assert "Eve's item" in prefilled
    career = builtin_templates["career"]
    before = _count(db, Meeting)
    # The agenda as prefilled: it is prefilled again, from the template.
    r = client.form(url, _form(prefilled, prefilled, career.id, use_template="1"))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    agenda = _agenda(page)
    assert agenda.startswith("## Where you are") and CAREER_POINT in agenda
    assert agenda.count("Eve's item") == 1
    assert "TYPED-SHARED-NOTE" in page and "TYPED-PRIVATE-NOTE" in page  # the rest kept
    assert 'value="2026-11-20T10:00"' in page and 'value="45"' in page
    assert 'value="career" selected' in page or 'selected value="career"' in page
    assert "field-error" not in page  # nothing was checked, nothing refused
    # Typed in: the typing stays, word for word, and the template's points follow it.
    typed = f"My own opening\n- Ask about the offsite\n- {CAREER_POINT}"
    r = client.form(url, _form(typed, prefilled, career.id, use_template="1"))
    agenda = _agenda(r.get_data(as_text=True))
    assert agenda.startswith(typed + "\n")
    assert agenda.count(CAREER_POINT) == 1 and "## Next steps" in agenda
    base = re.search(r'name="agenda_base" value="([^"]*)"', r.get_data(as_text=True))[1]
    assert html.unescape(base) == prefilled  # still typed-in: a second template adds again
    assert _count(db, Meeting) == before  # nothing saved until the session is
    # Then saved as usual, with the merged agenda.
    r = client.form(url, _form(agenda, prefilled, career.id))
    assert r.status_code == 302
    saved = db.scalar(select(Meeting).order_by(Meeting.id.desc()))
    assert saved.agenda == agenda and saved.kind == "career"


def test_enter_in_a_field_saves_rather_than_applies_a_template(client_as, org, builtin_templates):
    page = client_as("lead").get(f"/members/{org.eng.id}/sessions/new").get_data(as_text=True)
    form = page[page.index('<form method="post" novalidate data-unsaved-warning>') :]
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", form[: form.index("</form>")])
    assert "Save session" in buttons[0] and 'name="use_template"' not in buttons[0]
    assert any('name="use_template"' in b for b in buttons)


def test_the_new_one_on_one_forms_queries_do_not_grow_with_templates(
    app, client_as, org, db, builtin_templates, make_session
):
    make_session(org.eng, org.lead)
    client = client_as("lead")
    url = f"/members/{org.eng.id}/sessions/new"
    client.get(url)
    with count_queries(app) as few:
        client.get(url)
    for n in range(12):
        _own(db, org.lead, f"Template {n}")
        db.add(AgendaTemplate(owner_id=None, name=f"Org {n}", body="- x", archived=False))
    db.commit()
    with count_queries(app) as many:
        page = client.get(url).get_data(as_text=True)
    assert len(_offered(page)) == 3 + 24
    assert many() == few()
    with count_queries(app) as listed:
        client.get("/sessions/templates")
    assert listed() <= few()


def test_the_demo_has_the_built_in_templates_and_a_leads_own(runner, db):
    assert (
        runner.invoke(args=["tracker", "seed-demo", "--password", "demo-passphrase-1"]).exit_code
        == 0
    )
    assert (
        runner.invoke(args=["tracker", "seed-demo", "--password", "demo-passphrase-1"]).exit_code
        == 0
    )
    names = db.scalars(
        select(AgendaTemplate.name)
        .where(AgendaTemplate.owner_id.is_(None))
        .order_by(AgendaTemplate.name)
    ).all()
    assert names == ["Career conversation", "First 1:1", "Performance check-in"]
    assert _count(db, AgendaTemplate, AgendaTemplate.owner_id.is_not(None)) == 1
