"""The layers hold: core imports no feature, each feature only core and the features before it
(tracker/layers.py), and every package of tracker/ is placed in that order."""

from __future__ import annotations

import ast
from pathlib import Path

from tracker.layers import COMPOSITION, FEATURES

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"
CORE = "core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(module: str) -> bool:
    base = PACKAGE.parent.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _layer(module: str) -> str | None:
    """`core`, a feature's name, `composition`, or None outside tracker/."""
    if module != "tracker" and not module.startswith("tracker."):
        return None
    # "tracker" is the package's own __init__ (the app factory), not everything under it.
    if any(
        module == root or (root != "tracker" and module.startswith(root + "."))
        for root in COMPOSITION
    ):
        return "composition"
    parts = module.split(".")
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return CORE


def _rank(layer: str) -> int:
    return 0 if layer == CORE else FEATURES.index(layer) + 1


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool):
    """(line, imported module) for every import that runs, at any depth; the body of
    `if TYPE_CHECKING:` (types only, never run) is left out, its `else:` is not."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")
                parent = parent if is_package else parent[:-1]
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            for alias in node.names:
                # `from tracker import backup` imports the module tracker.backup.
                target = f"{base}.{alias.name}"
                yield node.lineno, target if _exists(target) else base
        stack.extend(ast.iter_child_nodes(node))


def _edges():
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, target in _imports(tree, module, path.name == "__init__.py"):
            yield path, line, module, target


def problems() -> list[str]:
    """Every import that runs upward or across, as `file:line: source -> target`."""
    found = []
    for path, line, module, target in _edges():
        source, goal = _layer(module), _layer(target)
        if goal is None or source == "composition" or source == goal:
            continue
        where = f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {target}"
        if goal == "composition":
            found.append(f"{where} (the composition root is imported by nobody in tracker/)")
        elif source is None or _rank(goal) >= _rank(source):
            found.append(f"{where} ({source} may import only what stands before it)")
    return found


def test_every_import_runs_down_the_layers():
    found = problems()
    assert not found, "\n" + "\n".join(found)


def test_core_imports_no_feature():
    leaks = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
        for path, line, module, target in _edges()
        if _layer(module) == CORE and _layer(target) not in (None, CORE)
    ]
    assert not leaks, "\n" + "\n".join(leaks)


def test_every_package_is_placed():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    roots = {root.split(".")[1] for root in COMPOSITION if "." in root}
    placed = set(FEATURES) | {name for name in roots if (PACKAGE / name).is_dir()}
    assert packages - placed == set(), "place the new package in tracker/layers.py"
    assert placed - packages == set(), "tracker/layers.py names a package that is gone"
    assert len(set(FEATURES)) == len(FEATURES)


def test_a_backward_import_is_caught():
    """The walker itself: an upward import (also inside a function) and a cross one in core
    are reported; one under `if TYPE_CHECKING:` is not."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from tracker.mentoring.models import Meeting\n"
        "def f():\n"
        "    from tracker.mentoring import services\n"
    )
    tree = ast.parse(source)
    found = [target for _line, target in _imports(tree, "tracker.team.services", False)]
    assert sorted(found) == ["tracker.mentoring.services", "typing"]
    assert _rank("mentoring") > _rank("team")
    assert _layer("tracker.cache") == CORE and _layer("tracker.seed.demo") == "composition"
    assert _layer("tracker") == "composition" and _layer("tracker.team.views") == "team"


def test_every_hook_is_filled(app):
    """The hooks the later features fill when the app is built (docs/architecture.md)."""
    from tracker.auth.hooks import SECOND_STEPS
    from tracker.auth.protection import NOTE_AUTHORS
    from tracker.competencies import evidence
    from tracker.mentoring.provides import member_meetings, wrote_meetings
    from tracker.ops_cli import AFTER_RESTORE
    from tracker.team.hooks import GLANCES, NO_FRAMEWORKS, frameworks

    assert frameworks() is not NO_FRAMEWORKS
    assert {g.build.__module__ for g in GLANCES.values()} == {
        "tracker.mentoring.glance",
        "tracker.plans.glance",
        "tracker.competencies.glance",
        "tracker.sprints.glance",
    }
    assert wrote_meetings in NOTE_AUTHORS
    assert [step.__module__ for step in SECOND_STEPS] == ["tracker.identity.views"]
    assert evidence._meetings is member_meetings
    assert [step.__name__ for step in AFTER_RESTORE] == [
        "end_all_logins_command",
        "render_notes_command",
    ]
