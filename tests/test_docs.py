"""The README and docs/ stay true to the repository: every relative link reaches a file, the
README stays a short front door, and every make target and command they name exists."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
MAX_README_LINES = 200

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
INDENTED = re.compile(r"^(?: {4}|\t)(.*)$", re.M)
MAKE = re.compile(r"(?:^|[\s$;(])make ([a-z][a-z0-9-]*)")
# `tracker <cmd>`, `flask --app wsgi tracker <cmd>`, `db <cmd>`, `flask --app wsgi db <cmd>`.
COMMAND = re.compile(r"(?:^|[\s$;(])(tracker|db) ([a-z][a-z0-9-]*)(?![\w.-])((?: +[^\s`]+)*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _prose(text: str) -> str:
    """The text without code blocks or spans, where links live."""
    text = FENCE.sub("", text)
    return CODE_SPAN.sub("", text)


def _code(text: str) -> list[str]:
    """Every piece of code: fenced and indented blocks (a line each) and inline spans."""
    pieces = []
    for block in FENCE.findall(text):
        pieces += block.splitlines()[1:-1]
    rest = FENCE.sub("", text)
    pieces += INDENTED.findall(rest)
    pieces += CODE_SPAN.findall(rest)
    return pieces


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = unicodedata.normalize("NFKC", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(text: str) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#{1,6} +(.+?) *#*$", FENCE.sub("", text), re.M)}


def _relative_links(path: Path) -> list[str]:
    links = LINK.findall(_prose(path.read_text(encoding="utf-8")))
    return [t for t in links if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I)]


def _make_targets() -> set[str]:
    """The targets `make help` lists: those with a `## ` description in the Makefile."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z-]+):.*## ", makefile, re.M))


def test_the_pages_exist():
    assert README.exists()
    names = {p.name for p in DOCS}
    for page in (
        "features.md",
        "operations.md",
        "importing.md",
        "security.md",
        "performance.md",
        "development.md",
        "house-style.md",
        "framework-format.md",
    ):
        assert page in names, page


def test_the_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_README_LINES, f"README.md has {len(lines)} lines"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_relative_link_reaches_a_file(page):
    links = _relative_links(page)
    for target in links:
        if target.startswith("#"):  # within the page: a heading of this page
            assert target[1:] in _anchors(page.read_text(encoding="utf-8")), (page.name, target)
            continue
        assert "#" not in target, f"{_name(page)}: {target}: link to the file, not an anchor"
        resolved = (page.parent / target).resolve()
        assert resolved.is_file(), f"{_name(page)}: {target} is not a file"
        assert ROOT in resolved.parents, f"{_name(page)}: {target} leaves the repository"


def test_the_readme_links_to_every_page_in_docs():
    linked = {(README.parent / t).resolve() for t in _relative_links(README)}
    missing = [_name(p) for p in DOCS if p.resolve() not in linked]
    assert not missing, f"README.md does not link to {missing}"


def test_the_link_check_sees_links():
    """The checks above cannot pass by finding nothing."""
    assert "docs/security.md" in _relative_links(README)
    assert any(t.startswith("#") for t in _relative_links(ROOT / "docs" / "framework-format.md"))


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_make_target_named_exists(page):
    targets = _make_targets()
    named = {m for piece in _code(page.read_text(encoding="utf-8")) for m in MAKE.findall(piece)}
    assert named <= targets, f"{_name(page)} names {sorted(named - targets)}; make help: {targets}"


def test_make_targets_are_found():
    named = {m for piece in _code(README.read_text(encoding="utf-8")) for m in MAKE.findall(piece)}
    assert {"run", "test", "test-postgres", "serve", "help"} <= named


def _named_commands(page: Path) -> list[tuple[str, str, list[str]]]:
    """(group, command, options) for every `tracker <cmd> ...` or `db <cmd> ...` in code."""
    found = []
    for piece in _code(page.read_text(encoding="utf-8")):
        for group, command, rest in COMMAND.findall(piece):
            found.append((group, command, OPTION.findall(rest.split("#")[0])))
    return found


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_command_named_exists_with_its_options(app, page):
    ctx = click.Context(app.cli)
    for group_name, command_name, options in _named_commands(page):
        group = app.cli.get_command(ctx, group_name)
        assert isinstance(group, click.Group), group_name
        command = group.get_command(ctx, command_name)
        assert command is not None, f"{_name(page)}: `{group_name} {command_name}` is no command"
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
        unknown = set(options) - known
        assert not unknown, f"{_name(page)}: `{group_name} {command_name}` has no {unknown}"


def test_commands_are_found():
    named = {(group, command) for page in PAGES for group, command, _ in _named_commands(page)}
    assert {("tracker", "restore"), ("tracker", "import-framework"), ("db", "upgrade")} <= named
    options = {
        (command, option)
        for page in PAGES
        for _, command, opts in _named_commands(page)
        for option in opts
    }
    assert ("export-matrix", "--include-archived") in options
