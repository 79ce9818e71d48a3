"""Framework files: validation messages, hostile input, import as versions, export, the CLI."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.competencies.lookup import default_framework, get_framework_by_name
from tracker.competencies.models import (
    Category,
    Competency,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    ScalePoint,
)
from tracker.frameworks.io import (
    DEFAULT_FRAMEWORK_FILE,
    FORMAT_ID,
    FrameworkError,
    diff_docs,
    dump_framework,
    ensure_default_framework,
    export_framework,
    get_version,
    import_framework,
    latest_version,
    parse_framework,
)


def _competency(key: str, name: str) -> dict:
    return {
        "key": key,
        "name": name,
        "levels": {
            "Entry": {"expected": 1, "descriptor": f"Uses {name} with help."},
            "Senior": {"expected": 3, "descriptor": f"Leads {name} work."},
        },
    }


SMALL = {
    "format": FORMAT_ID,
    "name": "Small framework",
    "description": "A framework small enough to read in one go.",
    "scale": [
        {"value": 1, "label": "Aware", "description": "Knows the words."},
        {"value": 2, "label": "Working"},
        {"value": 3, "label": "Practitioner"},
        {"value": 4, "label": "Expert"},
    ],
    "levels": [{"name": "Entry", "description": "New to the role."}, {"name": "Senior"}],
    "categories": [
        {
            "key": "technical",
            "name": "Technical",
            "description": "Tools and methods.",
            "competencies": [
                _competency("python-programming", "Python"),
                _competency("ml-ops", "MLOps and monitoring"),
            ],
        },
        {
            "key": "people",
            "name": "People",
            "competencies": [_competency("mentoring", "Mentoring")],
        },
    ],
}


def small(**changes) -> dict:
    data = copy.deepcopy(SMALL)
    data.update(changes)
    return data


def write(tmp_path, data, name: str = "framework.yaml"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif name.endswith(".json"):
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def cli(runner, db):
    """Run `flask tracker ...`. The test's session first ends its transaction, so that (like a
    separate process) the command's writes are seen by the test's next query."""

    def run(*args):
        db.commit()
        return runner.invoke(args=["tracker", *map(str, args)])

    return run


def row_counts(db) -> dict[str, int]:
    models = (Framework, FrameworkVersion, ScalePoint, Level, Category, Competency, Expectation)
    return {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in models}


@pytest.fixture
def default_doc():
    return parse_framework(DEFAULT_FRAMEWORK_FILE.read_bytes(), DEFAULT_FRAMEWORK_FILE.name)


# --- The shipped file and round trips ---


def test_shipped_default_framework_is_valid(default_doc):
    assert default_doc.name == "Lead Machine Learning Engineer"
    assert 30 <= len(default_doc.competencies) <= 45
    assert [lv.name for lv in default_doc.levels] == ["Entry", "Mid", "Senior", "Lead"]
    for competency in default_doc.competencies:
        assert [e.level for e in competency.expectations] == ["Entry", "Mid", "Senior", "Lead"]


def test_import_then_export_yaml_and_json_round_trip(cli, db, tmp_path, default_doc):
    result = cli("import-framework", DEFAULT_FRAMEWORK_FILE)
    assert result.exit_code == 0, result.output
    assert '+ new framework "Lead Machine Learning Engineer"' in result.output
    assert "Imported" in result.output and "version 1" in result.output

    for args, name in (
        (["-o", str(tmp_path / "out.yaml")], "out.yaml"),
        (["-o", str(tmp_path / "out.json")], "out.json"),  # format from the extension
        (["--format", "json", "-o", str(tmp_path / "out.txt")], "out.txt"),
    ):
        exported = cli("export-framework", "Lead Machine Learning Engineer", *args)
        assert exported.exit_code == 0, exported.output
        data = (tmp_path / name).read_bytes()
        assert parse_framework(data, name) == default_doc
    assert (tmp_path / "out.json").read_text(encoding="utf-8").lstrip().startswith("{")

    stdout = cli("export-framework")  # no NAME: the default framework, to standard output
    assert stdout.exit_code == 0
    assert parse_framework(stdout.stdout.encode()) == default_doc


def test_reimporting_an_export_is_an_unchanged_no_op(cli, db, tmp_path):
    assert cli("import-framework", DEFAULT_FRAMEWORK_FILE).exit_code == 0
    out = tmp_path / "exported.yaml"
    assert cli("export-framework", "-o", str(out)).exit_code == 0
    before = row_counts(db)

    result = cli("import-framework", out)

    assert result.exit_code == 0, result.output
    assert "is unchanged: version 1 has this content already" in result.output
    assert row_counts(db) == before


def test_text_with_newlines_quotes_and_unicode_round_trips(cli, db, tmp_path):
    data = small(description='Line one: "quoted" # not a comment\n\n  indented\tand tabbed ✓')
    data["categories"][0]["competencies"][0]["levels"]["Entry"]["descriptor"] = "yes"
    data["scale"][0]["label"] = "null"
    data["levels"][1]["description"] = "- looks like a list item " * 10
    doc = parse_framework(write(tmp_path, data).read_bytes(), "framework.yaml")
    assert doc.description.startswith('Line one: "quoted"')
    import_framework(db, doc)
    db.commit()
    for fmt in ("yaml", "json"):
        result = cli("export-framework", "Small framework", "--format", fmt)
        assert result.exit_code == 0
        assert parse_framework(result.stdout.encode("utf-8")) == doc


# --- Validation: every problem, with the exact place ---


def _missing_level(d):
    del d["categories"][1]["competencies"][0]["levels"]["Senior"]


def _unknown_key(d):
    d["categories"][1]["colour"] = "red"


def _duplicate_competency_key(d):
    d["categories"][1]["competencies"][0]["key"] = "ml-ops"


def _expected_off_scale(d):
    d["categories"][0]["competencies"][0]["levels"]["Senior"]["expected"] = 7


def _bad_slug(d):
    d["categories"][0]["key"] = "Tech_Skills"


def _wrong_format(d):
    d["format"] = "team-tracker/framework@2"


def _scale_not_increasing(d):
    d["scale"][1]["value"], d["scale"][2]["value"] = 3, 2


def _scale_value_text(d):
    d["scale"][3]["value"] = "four"


def _unknown_level(d):
    d["categories"][0]["competencies"][1]["levels"]["Principal"] = {
        "expected": 4,
        "descriptor": "x",
    }


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_missing_level, 'categories[1].competencies[0].levels: missing "Senior"'),
        (_unknown_key, 'categories[1]: unknown key "colour"'),
        (
            _duplicate_competency_key,
            'categories[1].competencies[0].key: "ml-ops" is used twice '
            "(first at categories[0].competencies[1])",
        ),
        (
            _expected_off_scale,
            "categories[0].competencies[0].levels.Senior.expected: 7 is not on the scale "
            "(1, 2, 3, 4)",
        ),
        (_bad_slug, 'categories[0].key: "Tech_Skills" is not a valid key'),
        (
            _wrong_format,
            'format: must be "team-tracker/framework@1" (got "team-tracker/framework@2")',
        ),
        (_scale_not_increasing, "scale[2].value: must be greater than the value before it (3)"),
        (_scale_value_text, "scale[3].value: must be an integer (got a string)"),
        (
            _unknown_level,
            'categories[0].competencies[1].levels: unknown level "Principal" '
            "(levels: Entry, Senior)",
        ),
    ],
)
def test_invalid_file_is_refused_with_the_exact_place(cli, tmp_path, mutate, message):
    data = small()
    mutate(data)
    result = cli("import-framework", write(tmp_path, data))
    assert result.exit_code == 1
    assert "is not a valid framework (1 problem):" in result.output
    assert message in result.output


def test_all_problems_are_listed_and_capped_at_fifty(tmp_path):
    data = small(name="", levels=[{"name": "Entry"}, {"name": "Entry"}])
    data["categories"][0]["competencies"][0]["name"] = "x" * 121
    with pytest.raises(FrameworkError) as caught:
        parse_framework(yaml.safe_dump(data).encode())
    assert caught.value.errors == [
        "name: must not be empty",
        'levels[1].name: "Entry" is used twice (first at levels[0])',
        "categories[0].competencies[0].name: must be at most 120 characters (has 121)",
        'categories[0].competencies[0].levels: unknown level "Senior" (levels: Entry)',
        'categories[0].competencies[1].levels: unknown level "Senior" (levels: Entry)',
        'categories[1].competencies[0].levels: unknown level "Senior" (levels: Entry)',
    ]

    many = small(**{f"extra{i}": i for i in range(60)})
    with pytest.raises(FrameworkError) as caught:
        parse_framework(json.dumps(many).encode(), "many.json")
    assert len(caught.value.errors) == 51
    assert caught.value.errors[0] == 'document: unknown key "extra0"'
    assert caught.value.errors[-1] == "... and 10 more"


def test_control_characters_and_json_duplicates_are_refused():
    with pytest.raises(FrameworkError) as caught:
        parse_framework(json.dumps(small(name="Bell\u0007")).encode())
    assert caught.value.errors == ["name: must not contain control characters (U+0007)"]

    text = json.dumps(small()).replace('"name": "Small framework"', '"name": "A", "name": "B"')
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text.encode(), "f.json")
    assert caught.value.errors == ['document: duplicate key "name"']


# --- Hostile YAML ---


def test_python_tags_are_refused_and_never_run(cli, tmp_path):
    marker = tmp_path / "ran"
    hostile = f'format: !!python/object/apply:os.system ["touch {marker}"]\n'.encode()
    result = cli("import-framework", write(tmp_path, hostile))
    assert result.exit_code == 1
    assert "line 1, column 9: tags are not allowed (!!python/object/apply:os.system)" in (
        result.output
    )
    assert not marker.exists()
    with pytest.raises(FrameworkError, match="tags are not allowed"):
        parse_framework(b"name: !custom Small\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            b'a: &a ["lol", "lol"]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n',
            "file: line 1, column 4: anchors (&name) are not allowed",
        ),
        (b"base: {x: 1}\nother:\n  <<: {x: 2}\n", "merge keys (<<) are not allowed"),
        (b"- just\n- a list\n", "document: must be a mapping (got a list)"),
        (b"just a string", "document: must be a mapping (got a string)"),
        (b"name: \xff\xfe\n", "file: is not valid UTF-8 (byte 0xff at offset 6)"),
        (b"[" * 5000, "nested too deeply"),
    ],
)
def test_hostile_or_malformed_yaml_is_refused(text, message):
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, "hostile.yaml")
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_yaml_duplicate_keys_are_refused_with_their_place():
    text = yaml.safe_dump(small(), sort_keys=False).replace(
        "  name: People\n", "  name: People\n  name: Humans\n"
    )
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text.encode())
    assert caught.value.errors == ['categories[1]: duplicate key "name"']


def test_oversized_file_is_refused_before_parsing(cli, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (2 * 1024 * 1024 // 10))
    result = cli("import-framework", big)
    assert result.exit_code == 1
    assert "file: is larger than the 1 MiB limit" in result.output


# --- Import: versions, defaults, nothing written on failure ---


def test_invalid_import_writes_nothing(cli, db, tmp_path):
    import_framework(db, parse_framework(yaml.safe_dump(small()).encode()))
    db.commit()
    before = row_counts(db)
    broken = small()
    _missing_level(broken)
    broken["categories"].append({"key": "new", "name": "New", "competencies": []})

    result = cli("import-framework", write(tmp_path, broken))

    assert result.exit_code == 1
    assert "(2 problems)" in result.output
    assert "categories[2].competencies: must have at least 1 competency (has 0)" in result.output
    assert row_counts(db) == before


def test_changed_descriptor_adds_version_two_and_keeps_version_one(cli, db, tmp_path):
    original = parse_framework(yaml.safe_dump(small()).encode())
    first = import_framework(db, original).version
    db.commit()
    old_rows = {
        (e.competency_id, e.level_id): (e.expected, e.descriptor)
        for e in db.scalars(
            select(Expectation).join(Competency).where(Competency.version_id == first.id)
        )
    }
    changed = small()
    senior = changed["categories"][0]["competencies"][0]["levels"]["Senior"]
    senior["descriptor"] = "Designs Python services others build on."
    senior["expected"] = 4

    result = cli("import-framework", write(tmp_path, changed))

    assert result.exit_code == 0, result.output
    assert "~ python-programming at Senior: expected 3 → 4" in result.output
    assert "~ python-programming at Senior: descriptor changed" in result.output
    assert 'Imported "Small framework" as version 2.' in result.output
    framework = get_framework_by_name(db, "Small framework")
    assert latest_version(db, framework).number == 2
    assert export_framework(get_version(db, framework, 1)) == original
    assert export_framework(get_version(db, framework, 2)) != original
    db.expire_all()
    assert {
        (e.competency_id, e.level_id): (e.expected, e.descriptor)
        for e in db.scalars(
            select(Expectation).join(Competency).where(Competency.version_id == first.id)
        )
    } == old_rows

    older = cli("export-framework", "Small framework", "--version", "1")
    assert parse_framework(older.stdout.encode()) == original
    missing = cli("export-framework", "Small framework", "--version", "9")
    assert missing.exit_code == 1
    assert '"Small framework" has no version 9 (latest: 2).' in missing.output


def test_dry_run_shows_changes_and_writes_nothing(cli, db, tmp_path):
    result = cli("import-framework", write(tmp_path, small()), "--dry-run")
    assert result.exit_code == 0, result.output
    assert '+ new framework "Small framework"' in result.output
    assert "Dry run: nothing was written." in result.output
    assert sum(row_counts(db).values()) == 0

    import_framework(db, parse_framework(yaml.safe_dump(small()).encode()))
    db.commit()
    before = row_counts(db)
    changed = small()
    changed["categories"][1]["competencies"].append(_competency("hiring", "Hiring"))
    changed["categories"][1]["name"] = "People and teams"
    result = cli("import-framework", write(tmp_path, changed), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Changes against version 1:" in result.output
    assert "+ competency hiring (Hiring)" in result.output
    assert '~ category people: name "People" → "People and teams"' in result.output
    assert row_counts(db) == before


def test_first_framework_becomes_default_and_the_flag_moves(cli, db, tmp_path):
    first = import_framework(db, parse_framework(yaml.safe_dump(small()).encode()))
    assert first.new_framework and first.framework.is_default
    other = parse_framework(yaml.safe_dump(small(name="Other framework")).encode())
    second = import_framework(db, other)
    assert not second.framework.is_default
    db.commit()

    result = cli("import-framework", write(tmp_path, small(name="Other framework")), "--default")

    assert result.exit_code == 0, result.output
    assert "is unchanged" in result.output and "It is the default framework." in result.output
    defaults = db.scalars(select(Framework.name).where(Framework.is_default)).all()
    assert defaults == ["Other framework"]
    assert default_framework(db).name == "Other framework"
    exported = cli("export-framework")
    assert parse_framework(exported.stdout.encode()).name == "Other framework"


def test_export_of_unknown_name_lists_the_known_ones(cli, db):
    empty = cli("export-framework")
    assert empty.exit_code == 1
    assert "There are no frameworks yet" in empty.output
    import_framework(db, parse_framework(yaml.safe_dump(small()).encode()))
    db.commit()
    result = cli("export-framework", "Nope")
    assert result.exit_code == 1
    assert 'No framework is named "Nope". Known frameworks: Small framework.' in result.output


def test_ensure_default_framework_only_when_there_is_none(app, db, default_doc):
    version = ensure_default_framework(db)
    db.commit()
    assert version is not None and version.framework.is_default
    assert ensure_default_framework(db) is None
    with count_queries(app) as queries:
        assert export_framework(version) == default_doc
    assert queries() <= 6  # constant: one query per table, however large the framework


def test_diff_names_renames_moves_and_removals():
    old = parse_framework(yaml.safe_dump(small()).encode())
    changed = small(levels=[{"name": "Entry"}, {"name": "Senior", "description": "Leads."}])
    moved = changed["categories"][0]["competencies"].pop(1)
    changed["categories"][1]["competencies"].append(moved)
    changed["categories"][0]["competencies"][0]["name"] = "Python programming"
    changed["scale"].pop()
    for competency in changed["categories"][0]["competencies"]:
        competency["levels"]["Senior"]["expected"] = min(
            competency["levels"]["Senior"]["expected"], 3
        )
    new = parse_framework(yaml.safe_dump(changed).encode())

    diff = diff_docs(old, new)

    assert diff.summary_lines() == [
        "- scale 4 (Expert)",
        "~ level Entry: description changed",
        "~ level Senior: description changed",
        '~ python-programming: name "Python" → "Python programming"',
        "~ ml-ops: category technical → people",
    ]
    assert diff_docs(old, old).is_empty and not diff.is_empty
    assert dump_framework(new, "json") != dump_framework(old, "json")


def test_the_examples_in_the_format_docs_are_accurate():
    text = (DEFAULT_FRAMEWORK_FILE.parents[2] / "docs" / "framework-format.md").read_text()
    blocks = re.findall(r"```(yaml|json|text)\n(.*?)```", text, re.S)
    (_, example), (_, as_json), (_, invalid), (_, output) = blocks[:4]
    doc = parse_framework(example.encode(), "example.yaml")
    assert len(doc.competencies) == 3 and doc.categories[0].description
    assert parse_framework(as_json.encode(), "example.json").name == doc.name
    with pytest.raises(FrameworkError) as caught:
        parse_framework(invalid.encode(), "bad.yaml")
    assert caught.value.errors == [line.strip() for line in output.splitlines()[1:]]
