"""Framework documents as plain values, and what changes between two of them.

`FrameworkDoc` and its parts are what a framework file holds once validated (parse.py
reads them, io.py stores and writes them; import them from io.py). `diff_docs`
compares two documents for the import preview: competencies and categories match by their
stable `key`, scale points by value and levels by name, so a rename shows as a rename. No
database here. FORMAT_ID lives here because `to_dict()` writes it (parse.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

FORMAT_ID = "team-tracker/framework@1"


# --- The document: immutable values; to_dict() gives the canonical file content. ---


@dataclass(frozen=True)
class ScalePointDoc:
    value: int
    label: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _described({"value": self.value, "label": self.label}, self.description)


@dataclass(frozen=True)
class LevelDoc:
    name: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _described({"name": self.name}, self.description)


@dataclass(frozen=True)
class ExpectationDoc:
    level: str
    expected: int
    descriptor: str

    def to_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "descriptor": self.descriptor}


@dataclass(frozen=True)
class CompetencyDoc:
    key: str
    name: str
    description: str
    expectations: tuple[ExpectationDoc, ...]  # one per level, in level order

    def expectation(self, level: str) -> ExpectationDoc | None:
        """The expectation at `level`, if that level exists."""
        return next((e for e in self.expectations if e.level == level), None)

    def to_dict(self) -> dict[str, Any]:
        out = _described({"key": self.key, "name": self.name}, self.description)
        out["levels"] = {e.level: e.to_dict() for e in self.expectations}
        return out


@dataclass(frozen=True)
class CategoryDoc:
    key: str
    name: str
    description: str
    competencies: tuple[CompetencyDoc, ...]

    def to_dict(self) -> dict[str, Any]:
        out = _described({"key": self.key, "name": self.name}, self.description)
        out["competencies"] = [c.to_dict() for c in self.competencies]
        return out


@dataclass(frozen=True)
class FrameworkDoc:
    name: str
    description: str
    scale: tuple[ScalePointDoc, ...]
    levels: tuple[LevelDoc, ...]
    categories: tuple[CategoryDoc, ...]

    @property
    def competencies(self) -> list[CompetencyDoc]:
        """Every competency, in document order."""
        return [c for category in self.categories for c in category.competencies]

    def to_dict(self) -> dict[str, Any]:
        out = _described({"format": FORMAT_ID, "name": self.name}, self.description)
        out["scale"] = [p.to_dict() for p in self.scale]
        out["levels"] = [lv.to_dict() for lv in self.levels]
        out["categories"] = [c.to_dict() for c in self.categories]
        return out


def _described(out: dict[str, Any], description: str) -> dict[str, Any]:
    if description:
        out["description"] = description
    return out


# --- The diff ---

# Long text is reported as "changed" rather than printed in full.
_LONG_FIELDS = ("description", "descriptor")


@dataclass(frozen=True)
class FieldChange:
    """One field of one item that differs; `subject` is its key, level name or scale value."""

    subject: str
    field: str
    old: str | int
    new: str | int


@dataclass(frozen=True)
class ExpectationChange:
    """The expected value or descriptor of one competency at one level differs."""

    competency: str
    level: str
    field: str
    old: str | int
    new: str | int


@dataclass(frozen=True)
class FrameworkDiff:
    """Every difference between two versions of a framework; empty when they are equal."""

    name: str
    new_framework: bool = False
    framework_changed: tuple[FieldChange, ...] = ()
    scale_added: tuple[ScalePointDoc, ...] = ()
    scale_removed: tuple[ScalePointDoc, ...] = ()
    scale_changed: tuple[FieldChange, ...] = ()
    levels_added: tuple[LevelDoc, ...] = ()
    levels_removed: tuple[LevelDoc, ...] = ()
    levels_changed: tuple[FieldChange, ...] = ()
    categories_added: tuple[CategoryDoc, ...] = ()
    categories_removed: tuple[CategoryDoc, ...] = ()
    categories_changed: tuple[FieldChange, ...] = ()
    competencies_added: tuple[CompetencyDoc, ...] = ()
    competencies_removed: tuple[CompetencyDoc, ...] = ()
    competencies_changed: tuple[FieldChange, ...] = ()
    expectations_changed: tuple[ExpectationChange, ...] = ()
    # What was reordered: "levels", "categories" or "competencies in <category key>".
    reordered: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the two documents have the same content."""
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "name")

    @property
    def categories_renamed(self) -> tuple[FieldChange, ...]:
        """The categories whose name changed (same key)."""
        return tuple(c for c in self.categories_changed if c.field == "name")

    def summary_lines(self) -> list[str]:
        """Short human lines: `+` added, `-` removed, `~` changed."""
        if self.new_framework:
            return [
                f'+ new framework "{self.name}": {len(self.scale_added)} scale points, '
                f"{len(self.levels_added)} levels, {len(self.categories_added)} categories, "
                f"{len(self.competencies_added)} competencies"
            ]
        lines = [_change_line("framework", c) for c in self.framework_changed]
        lines += [f"+ scale {p.value} ({p.label})" for p in self.scale_added]
        lines += [f"- scale {p.value} ({p.label})" for p in self.scale_removed]
        lines += [_change_line(f"scale {c.subject}", c) for c in self.scale_changed]
        lines += [f"+ level {level.name}" for level in self.levels_added]
        lines += [f"- level {level.name}" for level in self.levels_removed]
        lines += [_change_line(f"level {c.subject}", c) for c in self.levels_changed]
        lines += [f"+ category {c.key} ({c.name})" for c in self.categories_added]
        lines += [f"- category {c.key} ({c.name})" for c in self.categories_removed]
        lines += [_change_line(f"category {c.subject}", c) for c in self.categories_changed]
        lines += [f"+ competency {c.key} ({c.name})" for c in self.competencies_added]
        lines += [f"- competency {c.key} ({c.name})" for c in self.competencies_removed]
        lines += [_change_line(c.subject, c) for c in self.competencies_changed]
        lines += [
            _change_line(f"{e.competency} at {e.level}", e) for e in self.expectations_changed
        ]
        lines += [f"~ order of {what} changed" for what in self.reordered]
        return lines


def _change_line(subject: str, change: FieldChange | ExpectationChange) -> str:
    if change.field in _LONG_FIELDS:
        return f"~ {subject}: {change.field} changed"
    if change.field in ("name", "label"):  # free text, quoted; keys and numbers are not
        return f'~ {subject}: {change.field} "{change.old}" → "{change.new}"'
    return f"~ {subject}: {change.field} {change.old} → {change.new}"


def _field_changes(subject: str, old: object, new: object, names: tuple[str, ...]):
    return [
        FieldChange(subject, name, getattr(old, name), getattr(new, name))
        for name in names
        if getattr(old, name) != getattr(new, name)
    ]


def _compare(old: dict, new: dict, subject, names: tuple[str, ...]):
    """Added, removed and changed items of two {id: item} dicts (in document order)."""
    added = tuple(item for key, item in new.items() if key not in old)
    removed = tuple(item for key, item in old.items() if key not in new)
    changed: list[FieldChange] = []
    for key, item in new.items():
        if key in old:
            changed += _field_changes(subject(key), old[key], item, names)
    return added, removed, tuple(changed)


def _order_changed(old: list[str], new: list[str]) -> bool:
    common = set(old) & set(new)
    return [k for k in old if k in common] != [k for k in new if k in common]


def diff_docs(old: FrameworkDoc | None, new: FrameworkDoc) -> FrameworkDiff:
    """The differences from `old` (None: the framework is new) to `new`."""
    if old is None:
        return FrameworkDiff(
            name=new.name,
            new_framework=True,
            scale_added=new.scale,
            levels_added=new.levels,
            categories_added=new.categories,
            competencies_added=tuple(new.competencies),
        )
    framework_changed = tuple(_field_changes("framework", old, new, ("description",)))
    scale = _compare(
        {p.value: p for p in old.scale},
        {p.value: p for p in new.scale},
        str,
        ("label", "description"),
    )
    levels = _compare(
        {lv.name: lv for lv in old.levels},
        {lv.name: lv for lv in new.levels},
        str,
        ("description",),
    )
    categories = _compare(
        {c.key: c for c in old.categories},
        {c.key: c for c in new.categories},
        str,
        ("name", "description"),
    )
    old_home = {c.key: cat.key for cat in old.categories for c in cat.competencies}
    new_home = {c.key: cat.key for cat in new.categories for c in cat.competencies}
    old_comps = {c.key: c for c in old.competencies}
    new_comps = {c.key: c for c in new.competencies}
    added, removed, changed = _compare(old_comps, new_comps, str, ("name", "description"))
    moved = tuple(
        FieldChange(key, "category", old_home[key], new_home[key])
        for key in new_comps
        if key in old_comps and old_home[key] != new_home[key]
    )
    reordered = []
    if _order_changed([lv.name for lv in old.levels], [lv.name for lv in new.levels]):
        reordered.append("levels")
    if _order_changed([c.key for c in old.categories], [c.key for c in new.categories]):
        reordered.append("categories")
    old_cats = {c.key: c for c in old.categories}
    for cat in new.categories:
        if cat.key in old_cats:
            # Only competencies that stayed in this category: moves are reported as moves.
            before = [
                c.key for c in old_cats[cat.key].competencies if new_home.get(c.key) == cat.key
            ]
            after = [c.key for c in cat.competencies if old_home.get(c.key) == cat.key]
            if before != after:
                reordered.append(f"competencies in {cat.key}")
    return FrameworkDiff(
        name=new.name,
        framework_changed=framework_changed,
        scale_added=scale[0],
        scale_removed=scale[1],
        scale_changed=scale[2],
        levels_added=levels[0],
        levels_removed=levels[1],
        levels_changed=levels[2],
        categories_added=categories[0],
        categories_removed=categories[1],
        categories_changed=categories[2],
        competencies_added=added,
        competencies_removed=removed,
        competencies_changed=changed + moved,
        expectations_changed=_expectation_changes(old_comps, new_comps),
        reordered=tuple(reordered),
    )


def _expectation_changes(old: dict[str, CompetencyDoc], new: dict[str, CompetencyDoc]):
    """Changes of (competency, level) pairs present in both; new or gone levels are not repeated."""
    changes = []
    for key, competency in new.items():
        if key not in old:
            continue
        before = {e.level: e for e in old[key].expectations}
        for after in competency.expectations:
            previous = before.get(after.level)
            if previous is None:
                continue
            for name in ("expected", "descriptor"):
                if getattr(previous, name) != getattr(after, name):
                    old_value, new_value = getattr(previous, name), getattr(after, name)
                    changes.append(ExpectationChange(key, after.level, name, old_value, new_value))
    return tuple(changes)
