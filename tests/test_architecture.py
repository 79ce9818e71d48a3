"""docs/architecture.md's code map stays true: one row per registered blueprint, with its
package, its URL prefixes and an existing templates folder, and no row for anything else."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.layers import FEATURES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(
    r"^\| `tracker/(\w+)` \| `(\w+)` \| (.*?) \| `(templates/\w+/)` \| `(tests/\w+/)` \|$"
)


def _rows() -> dict[str, tuple[str, set[str], str, str]]:
    """Blueprint -> (package, URL prefixes, templates folder, tests folder), from the map."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Code map") :]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            package, blueprint, prefixes, templates, tests = match.groups()
            found = set(re.findall(r"`(/[\w-]*)`", prefixes))
            rows[blueprint] = (package, found, templates, tests)
    return rows


def _prefix(rule: str) -> str:
    return "/" + rule.split("/")[1]


def test_every_blueprint_is_on_the_code_map(app):
    rows = _rows()
    assert set(rows) == set(app.blueprints)
    for name, blueprint in app.blueprints.items():
        package, prefixes, templates, tests = rows[name]
        # One blueprint per package, named alike: tracker/<name>/views.py defines it.
        assert blueprint.import_name == f"tracker.{package}.views"
        assert package == name
        assert (ROOT / templates).is_dir()
        assert tests == f"tests/{package}/" and list((ROOT / tests).glob("test_*.py")), name
        served = {
            _prefix(rule.rule)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] == name
        }
        assert served == prefixes, name


def test_the_code_map_follows_the_layers():
    assert list(_rows()) == list(FEATURES)


def test_every_tests_folder_is_a_package_or_the_seeds():
    """tests/<name>/ exists only for a feature package, the seeds and the browser tests."""
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= {*FEATURES, "seed", "browser"}
