"""Framework pages through HTTP: browse, compare levels, versions, download, and the admin
import (upload, preview, confirm), its refusals, and the default flag."""

from __future__ import annotations

import copy
import io
import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import login
from tracker.competencies.models import Framework, FrameworkVersion
from tracker.frameworks.io import (
    DEFAULT_FRAMEWORK_FILE,
    FORMAT_ID,
    export_framework,
    get_version,
    parse_framework,
)

ROLES = ("admin@example.com", "lead@example.com", "eve@example.com")
NOT_ADMINS = ("lead@example.com", "eve@example.com")
KNOWN = "python-programming"  # a competency of the shipped framework, first in its first category
MIB = 1024 * 1024


# --- helpers ---


class _Inputs(HTMLParser):
    """The <input> name/value pairs inside the form whose action ends with `action`."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("action") or "").endswith(self.action)
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _Inputs(action)
    parser.feed(html)
    return parser.fields


def text(r) -> str:
    return r.get_data(as_text=True)


def count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def default_dict() -> dict:
    """The shipped framework as plain data (the file, validated and in canonical form)."""
    doc = parse_framework(DEFAULT_FRAMEWORK_FILE.read_bytes(), DEFAULT_FRAMEWORK_FILE.name)
    return doc.to_dict()


def as_yaml(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def first_competency(data: dict) -> dict:
    comp = data["categories"][0]["competencies"][0]
    assert comp["key"] == KNOWN
    return comp


def modified(data: dict) -> dict:
    """A copy with one descriptor and one expected value changed (both of KNOWN at Senior)."""
    data = copy.deepcopy(data)
    senior = first_competency(data)["levels"]["Senior"]
    senior["descriptor"] = "Sets the team's Python standards and reviews every design."
    senior["expected"] = senior["expected"] + 1 if senior["expected"] < 5 else 4
    return data


def small_framework(name: str = "Platform Engineer") -> dict:
    """A second, small framework with its own levels and competencies."""

    def comp(key, name):
        return {
            "key": key,
            "name": name,
            "levels": {
                "Junior": {"expected": 1, "descriptor": f"Learns {name.lower()} with help."},
                "Staff": {"expected": 3, "descriptor": f"Shapes {name.lower()} for the org."},
            },
        }

    return {
        "format": FORMAT_ID,
        "name": name,
        "scale": [
            {"value": 1, "label": "Learning"},
            {"value": 2, "label": "Doing"},
            {"value": 3, "label": "Teaching"},
        ],
        "levels": [{"name": "Junior"}, {"name": "Staff"}],
        "categories": [
            {
                "key": "platform",
                "name": "Platform craft",
                "competencies": [
                    comp("capacity-planning", "Capacity planning"),
                    comp("incident-command", "Incident command"),
                ],
            }
        ],
    }


def upload(client, content: bytes, filename: str = "fw.yaml", make_default: bool = False):
    data = {"csrf_token": client.csrf_token(), "file": (io.BytesIO(content), filename)}
    if make_default:
        data["make_default"] = "y"
    return client.post("/admin/frameworks/import", data=data, content_type="multipart/form-data")


def confirm_from(client, preview):
    """Post the preview page's confirm form as a browser would."""
    assert preview.status_code == 200, text(preview)
    fields = form_fields(text(preview), "/admin/frameworks/import/confirm")
    assert {"csrf_token", "content", "filename", "make_default"} <= set(fields)
    return client.post("/admin/frameworks/import/confirm", data=fields)


def import_via_http(client, data: dict, make_default: bool = False) -> int:
    """Upload, preview and confirm `data`; the framework's id."""
    r = confirm_from(client, upload(client, as_yaml(data), make_default=make_default))
    assert r.status_code == 302, text(r)
    match = re.fullmatch(r"(?:http://tracker\.test)?/frameworks/(\d+)", r.headers["Location"])
    assert match, r.headers["Location"]
    return int(match[1])


def row_of(html: str, needle: str) -> str:
    """The table row (<tr ...>...</tr>) that contains `needle`."""
    rows = [r for r in re.findall(r"<tr\b.*?</tr>", html, re.S) if needle in r]
    assert len(rows) == 1, f"{len(rows)} rows contain {needle!r}"
    return rows[0]


# --- browsing, as every role ---


@pytest.mark.parametrize("email", ROLES)
def test_every_role_lists_and_opens_the_default_framework(client, org, framework, email):
    login(client, email)
    fw_id = framework.framework_id
    r = client.get("/frameworks")
    assert r.status_code == 200
    html = text(r)
    assert f'href="/frameworks/{fw_id}"' in html and "Lead Machine Learning Engineer" in html
    assert "<mark>default</mark>" in html and "v1" in html
    # Only admins are offered the import.
    assert ("/admin/frameworks/import" in html) is (email == "admin@example.com")

    r = client.get(f"/frameworks/{fw_id}")
    assert r.status_code == 200
    html = text(r)
    data = default_dict()
    assert "Version 1" in html and "the organisation's default" in html
    for level in data["levels"]:
        assert f"<dt>{escape(level['name'])}</dt><dd>{escape(level['description'])}</dd>" in html
    for point in data["scale"]:
        assert f"<dt>{point['value']} · {escape(point['label'])}</dt>" in html
    for category in data["categories"]:
        assert f'<section id="cat-{category["key"]}">' in html
        for comp in category["competencies"]:
            row = row_of(html, f"<code>{comp['key']}</code>")
            assert str(escape(comp["name"])) in row
            for expectation in comp["levels"].values():
                assert str(escape(expectation["descriptor"])) in row


@pytest.mark.parametrize("email", ROLES)
def test_compare_adjacent_levels_side_by_side_and_marks_raised(client, org, framework, email):
    login(client, email)
    r = client.get(f"/frameworks/{framework.framework_id}/compare?lower=Senior")
    assert r.status_code == 200
    html = text(r)
    assert "What separates Senior from Lead" in html
    assert '<th scope="col">Senior</th><th scope="col">Lead</th>' in html
    raised = same = 0
    for category in default_dict()["categories"]:
        for comp in category["competencies"]:
            senior, lead = comp["levels"]["Senior"], comp["levels"]["Lead"]
            row = row_of(html, f"<strong>{escape(comp['name'])}</strong>")
            # Senior's descriptor in the first level column, Lead's in the second.
            cells = re.findall(r"<td><small>(.*?)</small></td>", row, re.S)
            assert cells == [str(escape(senior["descriptor"])), str(escape(lead["descriptor"]))]
            assert f"expected {senior['expected']} → {lead['expected']}" in row
            if lead["expected"] > senior["expected"]:
                raised += 1
                assert 'class="raised"' in row
                assert f"<mark>+{lead['expected'] - senior['expected']}</mark>" in row
            else:
                same += 1
                assert 'class="raised"' not in row and "<mark>" not in row
                assert "(same proficiency, wider scope)" in row
    assert raised and same  # the shipped framework has both kinds, so both branches ran
    assert html.count('class="raised"') == raised


def test_compare_a_known_competency_at_senior_and_lead(client_as, org, framework):
    comp = first_competency(default_dict())
    client = client_as("engineer")
    html = text(client.get(f"/frameworks/{framework.framework_id}/compare?lower=Senior"))
    row = row_of(html, f"<strong>{escape(comp['name'])}</strong>")
    senior = str(escape(comp["levels"]["Senior"]["descriptor"]))
    lead = str(escape(comp["levels"]["Lead"]["descriptor"]))
    assert senior in row and lead in row and row.index(senior) < row.index(lead)


def test_compare_from_the_top_level_explains_and_goes_back(client_as, org, framework):
    client = client_as("lead")
    fw_id = framework.framework_id
    r = client.get(f"/frameworks/{fw_id}/compare?lower=Lead")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/frameworks/{fw_id}")
    assert "Pick a level that has a level above it." in text(client.get(r.headers["Location"]))


@pytest.mark.parametrize("email", ROLES)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_download_parses_back_to_the_stored_version(client, org, framework, email, fmt):
    login(client, email)
    r = client.get(f"/frameworks/{framework.framework_id}/export.{fmt}")
    assert r.status_code == 200
    assert r.mimetype == ("application/json" if fmt == "json" else "application/yaml")
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="lead-machine-learning-engineer-v1.{fmt}"')
    assert disposition.endswith(f"filename*=UTF-8''Lead%20Machine%20Learning%20Engineer%20v1.{fmt}")
    if fmt == "json":
        assert json.loads(r.data)["format"] == FORMAT_ID
    assert parse_framework(r.data, f"download.{fmt}") == export_framework(framework)
    assert parse_framework(r.data, f"download.{fmt}").to_dict() == default_dict()


def test_download_filename_header_is_valid_for_any_framework_name(client_as, org, framework):
    client = client_as("admin")
    fw_id = import_via_http(client, small_framework("数据工程师"))
    r = client.get(f"/frameworks/{fw_id}/export.yaml")
    assert r.status_code == 200
    r.headers["Content-Disposition"].encode("latin-1")  # PEP 3333: header values are latin-1


@pytest.mark.parametrize(
    "path",
    [
        "/frameworks/{missing}",
        "/frameworks/{missing}/compare?lower=Senior",
        "/frameworks/{missing}/changes",
        "/frameworks/{missing}/export.yaml",
        "/frameworks/{missing}/export.json",
        "/frameworks/{fw}?version=2",
        "/frameworks/{fw}?version=0",
        "/frameworks/{fw}/compare?version=9&lower=Senior",
        "/frameworks/{fw}/changes?from=1&to=2",
        "/frameworks/{fw}/changes?from=7",
        "/frameworks/{fw}/export.yaml?version=2",
        "/frameworks/{fw}/export.json?version=99",
        "/frameworks/{fw}/export.xml",
        "/frameworks/{fw}/export.csv",
        "/frameworks/{fw}/export.",
    ],
)
def test_unknown_framework_version_or_format_is_404(client_as, org, framework, path):
    client = client_as("admin")
    fw = framework.framework_id
    r = client.get(path.format(fw=fw, missing=fw + 1000))
    assert r.status_code == 404
    assert "Lead Machine Learning Engineer" not in text(r)


@pytest.mark.parametrize(
    "path",
    [
        "/frameworks",
        "/frameworks/{fw}",
        "/frameworks/{fw}/compare?lower=Senior",
        "/frameworks/{fw}/changes",
        "/frameworks/{fw}/export.yaml",
        "/frameworks/{fw}/export.json",
        "/admin/frameworks/import",
    ],
)
def test_anonymous_is_sent_to_login(client, framework, path):
    r = client.get(path.format(fw=framework.framework_id))
    assert r.status_code == 302
    assert "/login" in r.headers["Location"]
    assert b"Lead Machine Learning Engineer" not in r.data


def test_anonymous_cannot_post_to_admin_routes(client, db, framework):
    fw = framework.framework_id
    token = client.csrf_token()
    r = client.post(
        "/admin/frameworks/import",
        data={"csrf_token": token, "file": (io.BytesIO(as_yaml(small_framework())), "f.yaml")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    content = as_yaml(small_framework()).decode()
    r = client.form("/admin/frameworks/import/confirm", {"content": content, "filename": "f.yaml"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.form(f"/admin/frameworks/{fw}/default")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert count(db, Framework) == 1 and count(db, FrameworkVersion) == 1


# --- admin import: upload, preview, confirm ---


def test_import_page_offers_an_upload_form(client_as, org):
    client = client_as("admin")
    r = client.get("/admin/frameworks/import")
    assert r.status_code == 200
    html = text(r)
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'name="file"' in html and 'name="make_default"' in html
    assert 'name="csrf_token"' in html


def test_upload_previews_changes_then_confirm_makes_version_two(client_as, org, db, framework):
    fw_id = framework.framework_id
    original = default_dict()
    changed = modified(original)
    old = first_competency(original)["levels"]["Senior"]["expected"]
    new = first_competency(changed)["levels"]["Senior"]["expected"]
    lines = [
        f"~ {KNOWN} at Senior: expected {old} → {new}",
        f"~ {KNOWN} at Senior: descriptor changed",
    ]
    client = client_as("admin")

    preview = upload(client, as_yaml(changed))
    assert preview.status_code == 200
    html = text(preview)
    assert "Preview: Lead Machine Learning Engineer" in html
    assert "importing makes <strong>version 2</strong>" in html
    listed = re.findall(r'<li class="diff-chg">(.*?)</li>', html)
    assert listed == lines
    # Nothing is written until the admin confirms.
    assert count(db, FrameworkVersion) == 1 and count(db, Framework) == 1

    r = confirm_from(client, preview)
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/frameworks/{fw_id}")
    page = client.get(r.headers["Location"])
    assert "Imported Lead Machine Learning Engineer as version 2." in text(page)
    assert "Version 2" in text(page)

    assert count(db, Framework) == 1
    assert count(db, FrameworkVersion, FrameworkVersion.framework_id == fw_id) == 2
    framework_row = db.get(Framework, fw_id)
    v1, v2 = get_version(db, framework_row, 1), get_version(db, framework_row, 2)
    assert export_framework(v1).to_dict() == original  # version 1 is untouched
    assert export_framework(v2).to_dict() == changed
    assert v2.imported_by_id == org.admin.id
    assert framework_row.is_default  # still the default, not duplicated

    # Both versions stay downloadable over HTTP.
    r1 = client.get(f"/frameworks/{fw_id}/export.yaml?version=1")
    r2 = client.get(f"/frameworks/{fw_id}/export.yaml")
    assert parse_framework(r1.data, "v1.yaml").to_dict() == original
    assert parse_framework(r2.data, "v2.yaml").to_dict() == changed
    assert 'filename="lead-machine-learning-engineer-v2.yaml"' in r2.headers["Content-Disposition"]

    r = client.get(f"/frameworks/{fw_id}/changes?from=1&to=2")
    assert r.status_code == 200
    html = text(r)
    assert "v1 → v2" in html
    assert re.findall(r'<li class="diff-chg">(.*?)</li>', html) == lines
    # Without arguments: what the newest version changed.
    newest = text(client.get(f"/frameworks/{fw_id}/changes"))
    assert "v1 → v2" in newest
    assert re.findall(r'<li class="diff-chg">(.*?)</li>', newest) == lines
    assert "No differences." in text(client.get(f"/frameworks/{fw_id}/changes?from=2&to=2"))
    # The old version's page still shows the old descriptor.
    old_page = text(client.get(f"/frameworks/{fw_id}?version=1"))
    assert "Version 1" in old_page
    assert str(escape(first_competency(original)["levels"]["Senior"]["descriptor"])) in old_page
    assert str(escape(first_competency(changed)["levels"]["Senior"]["descriptor"])) not in old_page


def test_reimporting_identical_content_is_unchanged_and_adds_nothing(client_as, org, db, framework):
    client = client_as("admin")
    fw_id = framework.framework_id
    exported = client.get(f"/frameworks/{fw_id}/export.yaml").data

    preview = upload(client, exported)
    assert preview.status_code == 200
    html = text(preview)
    assert "identical to version 1: nothing would change" in html
    assert '<li class="diff' not in html

    r = confirm_from(client, preview)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/frameworks/{fw_id}")
    assert "is unchanged: version 1 already holds this content." in text(
        client.get(r.headers["Location"])
    )
    assert count(db, FrameworkVersion) == 1 and count(db, Framework) == 1

    # The same holds for the JSON download.
    exported = client.get(f"/frameworks/{fw_id}/export.json").data
    r = confirm_from(client, upload(client, exported, filename="fw.json"))
    assert "is unchanged" in text(client.get(r.headers["Location"]))
    assert count(db, FrameworkVersion) == 1


def test_confirm_accepts_the_line_endings_a_browser_sends(client_as, org, db, framework):
    """Browsers send form values with CRLF line breaks; the import must read the same content."""
    client = client_as("admin")
    changed = modified(default_dict())
    preview = upload(client, as_yaml(changed))
    fields = form_fields(text(preview), "/admin/frameworks/import/confirm")
    fields["content"] = fields["content"].replace("\n", "\r\n")
    r = client.post("/admin/frameworks/import/confirm", data=fields)
    assert r.status_code == 302
    v2 = get_version(db, db.get(Framework, framework.framework_id), 2)
    assert export_framework(v2).to_dict() == changed


def test_new_framework_preview_then_import(client_as, org, db, framework):
    client = client_as("admin")
    preview = upload(client, as_yaml(small_framework()))
    html = text(preview)
    assert "Preview: Platform Engineer" in html
    assert "A new framework: 2 levels, 1 categor" in html
    assert str(escape('+ new framework "Platform Engineer"')) in html
    assert count(db, Framework) == 1

    r = confirm_from(client, preview)
    assert r.status_code == 302
    new = db.scalar(select(Framework).where(Framework.name == "Platform Engineer"))
    assert new is not None and not new.is_default  # the shipped one stays the default
    assert r.headers["Location"].endswith(f"/frameworks/{new.id}")
    html = text(client.get(f"/frameworks/{new.id}"))
    assert "Imported Platform Engineer as version 1." in html
    assert "Capacity planning" in html and "Learns capacity planning with help." in html
    assert db.get(Framework, framework.framework_id).is_default


def test_upload_with_make_default_moves_the_flag_on_confirm(client_as, org, db, framework):
    client = client_as("admin")
    # A browser sends the checkbox's own value; read it from the import form.
    checkbox = form_fields(text(client.get("/admin/frameworks/import")), "/import")
    assert checkbox["make_default"] == "y"
    preview = upload(client, as_yaml(small_framework()), make_default=True)
    assert "It will become the organisation's default framework." in text(preview)
    assert db.get(Framework, framework.framework_id).is_default  # not yet
    assert confirm_from(client, preview).status_code == 302
    new = db.scalar(select(Framework).where(Framework.name == "Platform Engineer"))
    assert new.is_default and not db.get(Framework, framework.framework_id).is_default


def test_make_default_posted_by_the_confirm_form_moves_the_flag(client_as, org, db, framework):
    """The confirm endpoint itself honours make_default=1 (what its template means to send)."""
    client = client_as("admin")
    fields = form_fields(text(upload(client, as_yaml(small_framework()))), "/import/confirm")
    r = client.post("/admin/frameworks/import/confirm", data=fields | {"make_default": "1"})
    assert r.status_code == 302
    new = db.scalar(select(Framework).where(Framework.name == "Platform Engineer"))
    assert new.is_default and not db.get(Framework, framework.framework_id).is_default


def test_import_form_fields_are_not_marked_invalid_before_any_error(client_as, org):
    client = client_as("admin")
    html = text(client.get("/admin/frameworks/import"))
    for attrs in re.findall(r"<input\b[^>]*>", html):
        assert 'aria-invalid="None"' not in attrs and 'aria-describedby="None"' not in attrs


# --- refused uploads: listed with their place, nothing written ---


def test_invalid_framework_lists_every_error_with_its_path(client_as, org, db, framework):
    data = default_dict()
    comp = first_competency(data)
    del comp["levels"]["Senior"]
    comp["colour"] = "blue"
    client = client_as("admin")
    r = upload(client, as_yaml(data), filename="broken.yaml")
    assert r.status_code == 400
    html = text(r)
    errors = re.findall(r"<li><code>(.*?)</code></li>", html)
    assert errors == [
        str(escape('categories[0].competencies[0]: unknown key "colour"')),
        str(escape('categories[0].competencies[0].levels: missing "Senior"')),
    ]
    assert "broken.yaml was not imported: 2 problems." in html
    assert 'name="file"' in html  # the form is offered again
    assert count(db, FrameworkVersion) == 1 and count(db, Framework) == 1


def test_uploaded_filename_is_escaped_on_the_error_page(client_as, org, db, framework):
    client = client_as("admin")
    r = upload(client, b"name: [unclosed\n", filename="<script>alert(1)</script>.yaml")
    assert r.status_code == 400
    html = text(r)
    assert "<script>alert(1)</script>" not in html
    assert str(escape("<script>alert(1)</script>.yaml")) + " was not imported" in html


def test_python_tag_is_refused_and_never_runs(client_as, org, db, framework, tmp_path):
    marker = tmp_path / "pwned"
    payload = f'name: !!python/object/apply:os.system ["touch {marker}"]\n'.encode()
    client = client_as("admin")
    r = upload(client, payload, filename="evil.yaml")
    assert r.status_code == 400
    assert "tags are not allowed (!!python/object/apply:os.system)" in text(r)
    assert not marker.exists()
    assert count(db, FrameworkVersion) == 1


def test_non_utf8_file_is_refused(client_as, org, db, framework):
    client = client_as("admin")
    r = upload(client, b"name: Caf\xe9\n", filename="latin1.yaml")
    assert r.status_code == 400
    assert "file: is not valid UTF-8 (byte 0xe9 at offset 9)" in text(r)
    assert count(db, FrameworkVersion) == 1


def test_file_over_one_mib_is_refused(client_as, org, db, framework):
    content = as_yaml(small_framework("Huge framework"))
    content += b"# padding\n" * (MIB // 10 + 1)
    assert len(content) > MIB
    assert parse_framework(content[: content.index(b"# padding")], "f.yaml")  # valid but big
    client = client_as("admin")
    r = upload(client, content, filename="huge.yaml")
    assert r.status_code in (400, 413)
    if r.status_code == 400:
        assert "file: is larger than the 1 MiB limit" in text(r)
    assert count(db, Framework) == 1 and count(db, FrameworkVersion) == 1


def test_upload_without_a_file_shows_the_form_error(client_as, org, db, framework):
    client = client_as("admin")
    r = client.post(
        "/admin/frameworks/import",
        data={"csrf_token": client.csrf_token()},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    html = text(r)
    assert re.search(r'<small class="field-error" id="file-error">[^<]+</small>', html)
    assert "Preview:" not in html
    assert count(db, FrameworkVersion) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: [unclosed\n", "invalid YAML"),
        ("format: team-tracker/framework@1\nname: Tampered\n", "scale: is required"),
        ('{"format": "team-tracker/framework@1", "name": 1}', "name: must be a string"),
    ],
)
def test_tampered_confirm_content_is_refused(client_as, org, db, framework, content, message):
    client = client_as("admin")
    r = client.form(
        "/admin/frameworks/import/confirm",
        {
            "content": content,
            "filename": "fw.yaml" if content[0] != "{" else "",
            "make_default": "1",
        },
    )
    assert r.status_code == 400
    html = text(r)
    assert "was not imported" in html and str(escape(message)) in html
    assert count(db, Framework) == 1 and count(db, FrameworkVersion) == 1
    assert db.get(Framework, framework.framework_id).is_default


def test_confirm_without_content_is_a_bad_request(client_as, org, db, framework):
    client = client_as("admin")
    r = client.form("/admin/frameworks/import/confirm", {"filename": "fw.yaml"})
    assert r.status_code == 400
    assert count(db, FrameworkVersion) == 1


def test_confirm_content_is_checked_again_when_tampered_after_preview(
    client_as, org, db, framework
):
    """The hidden field is the admin's to edit: a valid preview does not vouch for it."""
    client = client_as("admin")
    preview = upload(client, as_yaml(small_framework()))
    fields = form_fields(text(preview), "/admin/frameworks/import/confirm")
    fields["content"] = 'name: !!python/object/apply:os.system ["true"]\n'
    r = client.post("/admin/frameworks/import/confirm", data=fields)
    assert r.status_code == 400 and "tags are not allowed" in text(r)
    assert count(db, Framework) == 1


def test_a_framework_close_to_the_size_limit_imports_end_to_end(client_as, org, db, framework):
    """The preview carries the whole file in a hidden field: the confirm must still fit."""
    data = small_framework("Big framework")

    def comp(i):
        levels = {
            level: {"expected": value, "descriptor": f"{level} {i}:" + " detail" * 140}
            for level, value in (("Junior", 1), ("Staff", 3))
        }
        return {"key": f"competency-{i}", "name": f"Competency {i}", "levels": levels}

    data["categories"][0]["competencies"] = [comp(i) for i in range(250)]
    content = as_yaml(data)
    assert 500_000 < len(content) < MIB
    client = client_as("admin")
    r = confirm_from(client, upload(client, content))
    assert r.status_code == 302
    new = db.scalar(select(Framework).where(Framework.name == "Big framework"))
    assert new is not None
    exported = client.get(f"/frameworks/{new.id}/export.yaml").data
    assert parse_framework(exported, "big.yaml").to_dict() == data


# --- the default flag, and who may administer frameworks ---


def test_admin_makes_a_second_framework_the_default(client_as, org, db, framework):
    client = client_as("admin")
    second = import_via_http(client, small_framework())
    first = framework.framework_id
    html = text(client.get("/frameworks"))
    assert f'action="/admin/frameworks/{second}/default"' in html
    assert f'action="/admin/frameworks/{first}/default"' not in html  # already the default

    r = client.form(f"/admin/frameworks/{second}/default")
    assert r.status_code == 302 and r.headers["Location"].endswith("/frameworks")
    assert db.get(Framework, second).is_default and not db.get(Framework, first).is_default
    assert count(db, Framework, Framework.is_default) == 1
    html = text(client.get("/frameworks"))
    assert "Platform Engineer is now the organisation&#39;s default framework." in html
    assert row_of(html, "Platform Engineer").count("<mark>default</mark>") == 1
    assert "<mark>default</mark>" not in row_of(html, "Lead Machine Learning Engineer")

    # And back again.
    assert client.form(f"/admin/frameworks/{first}/default").status_code == 302
    assert db.get(Framework, first).is_default and not db.get(Framework, second).is_default
    assert count(db, Framework, Framework.is_default) == 1
    assert client.form(f"/admin/frameworks/{first + second + 100}/default").status_code == 404


@pytest.mark.parametrize("email", NOT_ADMINS)
def test_non_admins_get_403_on_every_admin_framework_route(
    client_as, app, org, db, framework, email
):
    admin = client_as("admin")
    second = import_via_http(admin, small_framework())
    client = app.test_client()
    login(client, email)
    assert "/admin/frameworks/import" not in text(client.get("/frameworks"))
    assert 'action="/admin/frameworks/' not in text(client.get("/frameworks"))

    assert client.get("/admin/frameworks/import").status_code == 403
    assert upload(client, as_yaml(modified(default_dict()))).status_code == 403
    content = as_yaml(small_framework("Sneaky")).decode()
    r = client.form(
        "/admin/frameworks/import/confirm",
        {"content": content, "filename": "fw.yaml", "make_default": "1"},
    )
    assert r.status_code == 403
    assert client.form(f"/admin/frameworks/{second}/default").status_code == 403

    assert count(db, Framework) == 2 and count(db, FrameworkVersion) == 2
    assert db.scalar(select(Framework).where(Framework.name == "Sneaky")) is None
    assert db.get(Framework, framework.framework_id).is_default
    assert not db.get(Framework, second).is_default


# --- no private data on framework pages ---


def test_framework_pages_show_no_member_names_or_ratings(client_as, app, org, db, framework, rate):
    secret = "Struggled with the rollout; discussed privately."
    rate(org.eng, KNOWN, 1, rater=org.lead, note=secret)
    rate(org.eng, KNOWN, 4, kind="self", note="I think I am great at this")
    rate(org.stranger, "sql", 5, rater=org.other_lead, note="Sol's secret rating note")
    admin = client_as("admin")
    fw = framework.framework_id
    import_via_http(admin, modified(default_dict()))  # so the changes page has something
    people = [org.eng, org.mate, org.plain, org.stranger, org.lead, org.other_lead, org.admin]
    forbidden = [p.name for p in people] + [p.email for p in people]
    forbidden += [secret, "I think I am great", "Sol&#39;s secret", "Sol's secret"]
    pages = [
        "/frameworks",
        f"/frameworks/{fw}",
        f"/frameworks/{fw}?version=1",
        f"/frameworks/{fw}/compare?lower=Mid",
        f"/frameworks/{fw}/changes?from=1&to=2",
        f"/frameworks/{fw}/export.yaml",
        f"/frameworks/{fw}/export.json",
        "/admin/frameworks/import",
    ]
    for email in ROLES:
        client = app.test_client()
        login(client, email)
        me = db.scalar(select(type(org.admin)).where(type(org.admin).email == email))
        for url in pages:
            r = client.get(url)
            if url.startswith("/admin") and email != "admin@example.com":
                assert r.status_code == 403
            else:
                assert r.status_code == 200, url
            body = text(r)
            # The navigation may greet the logged-in user; nobody else may appear.
            for word in forbidden:
                if word in (me.name, me.email):
                    continue
                assert word not in body, f"{word!r} on {url} as {email}"
    assert "Teams using it" in text(admin.get("/frameworks"))
