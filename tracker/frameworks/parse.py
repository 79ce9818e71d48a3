"""Reading framework files safely: a locked-down loader for YAML or JSON, then a validator.

docs/framework-format.md describes the format and every rule checked here. Parsing never runs
code: YAML goes through a SafeLoader subclass that also refuses tags, anchors, aliases and merge
keys, and both formats report duplicate keys. Every problem is collected with the path of the
place it is in, so one upload reports all of them. No database here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from tracker.frameworks.diff import (
    FORMAT_ID,
    CategoryDoc,
    CompetencyDoc,
    ExpectationDoc,
    FrameworkDoc,
    LevelDoc,
    ScalePointDoc,
)

__all__ = ["FORMAT_ID", "MAX_FRAMEWORK_BYTES", "FrameworkError", "parse_framework"]

MAX_FRAMEWORK_BYTES = 1024 * 1024
MAX_ERRORS = 50
MAX_COMPETENCIES = 500
MAX_DESCRIPTION = 5000
MAX_DEPTH = 32
SCALE_RANGE = (0, 100)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
# Control characters other than tab and newline, and lone surrogates (JSON "\ud800").
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SIMPLE_NAME = re.compile(r"[A-Za-z0-9_-]+")


class FrameworkError(ValueError):
    """A framework file is not valid; `errors` lists every problem, each naming its place."""

    def __init__(self, errors: list[str]):
        errors = list(errors)
        if len(errors) > MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], f"... and {len(errors) - MAX_ERRORS} more"]
        self.errors = errors
        super().__init__("\n".join(errors))


# --- Loading bytes: size, encoding, then JSON or a locked-down YAML. ---


class _Mapping(dict):
    """A dict that remembers keys given twice, so the validator reports them with their path."""

    duplicates: tuple[Any, ...] = ()


class _Refused(yaml.YAMLError):
    def __init__(self, problem: str, mark):
        super().__init__(problem)
        self.problem, self.mark = problem, mark


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses tags, anchors, aliases, merge keys and deep nesting."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("aliases (*name) are not allowed", event.start_mark)
        if event.anchor is not None:
            raise _Refused("anchors (&name) are not allowed", event.start_mark)
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(f"tags are not allowed ({tag})", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused("nested too deeply", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        mapping, duplicates = _Mapping(), []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge keys (<<) are not allowed", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise _Refused("keys must be plain values", key_node.start_mark)
            if key in mapping:
                duplicates.append(key)
            else:
                mapping[key] = self.construct_object(value_node, deep=deep)
        mapping.duplicates = tuple(duplicates)
        return mapping


def _construct_map(loader: _StrictLoader, node):
    data = _Mapping()
    yield data
    value = loader.construct_mapping(node)
    data.update(value)
    data.duplicates = value.duplicates


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _json_pairs(pairs: list[tuple[str, Any]]) -> _Mapping:
    mapping, duplicates = _Mapping(), []
    for key, value in pairs:
        if key in mapping:
            duplicates.append(key)
        else:
            mapping[key] = value
    mapping.duplicates = tuple(duplicates)
    return mapping


def _no_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _is_json(text: str, filename: str | None) -> bool:
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in (".yaml", ".yml", ".json"):
        return suffix == ".json"
    return text.lstrip().startswith("{")


def _load(data: bytes, filename: str | None) -> Any:
    if len(data) > MAX_FRAMEWORK_BYTES:
        raise FrameworkError(["file: is larger than the 1 MiB limit"])
    try:
        text = bytes(data).decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        raise FrameworkError([f"file: is not valid UTF-8 ({bad})"]) from None
    if _is_json(text, filename):
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            problem = f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        except (ValueError, RecursionError) as exc:
            problem = f"invalid JSON: {exc or 'nested too deeply'}"
        raise FrameworkError([f"file: {problem}"])
    loader = None
    try:
        loader = _StrictLoader(text)  # the reader refuses control characters here already
        return loader.get_single_data()
    except _Refused as exc:
        problem = f"{_where(exc.mark)}{exc.problem}"
    except yaml.MarkedYAMLError as exc:
        problem = f"{_where(exc.problem_mark)}invalid YAML: {exc.problem or exc.context}"
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problem = f"line {line}, column {column}: control character U+{code:04X} is not allowed"
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        problem = f"invalid YAML: {exc or 'nested too deeply'}"
    finally:
        if loader is not None:
            loader.dispose()
    raise FrameworkError([f"file: {problem}"])


def _where(mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


# --- Validation: collect every problem, each with the path of the place it is in. ---


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    for cls, kind in kinds.items():
        if isinstance(value, cls):
            return kind
    return "nothing" if value is None else f"{type(value).__name__} {value}"


class _Validator:
    def __init__(self) -> None:
        self.errors: list[str] = []
        # None when the section itself is unusable: then its cross-checks are skipped.
        self.level_names: list[str] | None = None
        self.scale_values: list[int] | None = None

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path or 'document'}: {message}")

    def mapping(self, value: Any, path: str, required=(), optional=()) -> dict:
        if not isinstance(value, dict):
            self.error(path, f"must be a mapping (got {_kind(value)})")
            return {}
        for key in getattr(value, "duplicates", ()):
            self.error(path, f"duplicate key {_q(key)}")
        for key in value:
            if key not in required and key not in optional:
                self.error(path, f"unknown key {_q(key)}")
        for key in required:
            if key not in value:
                self.error(_at(path, key), "is required")
        return value

    def items(self, m: dict, key: str, path: str, low: int, high: int | None, noun: str):
        value = m.get(key, [])
        if not isinstance(value, list):
            self.error(path, f"must be a list (got {_kind(value)})")
            return []
        if key in m and not low <= len(value) <= (high or len(value)):
            bounds = f"{low} to {high}" if high else f"at least {low}"
            self.error(path, f"must have {bounds} {noun} (has {len(value)})")
        return value

    def text(self, m: dict, key: str, path: str, max_len: int, *, optional=False, lines=False):
        if key not in m or (optional and m[key] is None):
            return ""
        value, path = m[key], _at(path, key)
        if not isinstance(value, str):
            hint = " (quote it: YAML reads yes/no/on/off as true/false)" * isinstance(value, bool)
            self.error(path, f"must be a string (got {_kind(value)}){hint}")
            return ""
        value = value.strip()
        bad = _BAD_CHAR.search(value)
        if not value and not optional:
            self.error(path, "must not be empty")
        elif len(value) > max_len:
            self.error(path, f"must be at most {max_len} characters (has {len(value)})")
        elif bad:
            self.error(path, f"must not contain control characters (U+{ord(bad[0]):04X})")
        elif not lines and ("\n" in value or "\t" in value):
            self.error(path, "must be a single line without tabs")
        return value

    def description(self, m: dict, path: str) -> str:
        return self.text(m, "description", path, MAX_DESCRIPTION, optional=True, lines=True)

    def integer(self, m: dict, key: str, path: str) -> int | None:
        value = m.get(key)
        if key in m and (not isinstance(value, int) or isinstance(value, bool)):
            self.error(_at(path, key), f"must be an integer (got {_kind(value)})")
            return None
        return value

    def unique(self, seen: dict, value: Any, item_path: str, key: str) -> None:
        if value in seen:
            self.error(_at(item_path, key), f"{_q(value)} is used twice (first at {seen[value]})")
        else:
            seen[value] = item_path

    def slug(self, m: dict, path: str, seen: dict) -> str:
        key = self.text(m, "key", path, 60)
        if key and not SLUG.fullmatch(key):
            self.error(
                _at(path, "key"),
                f"{_q(key)} is not a valid key: use lowercase letters, digits and hyphens, "
                "starting with a letter or digit, at most 60 characters",
            )
        elif key:
            self.unique(seen, key, path, "key")
        return key

    def document(self, raw: Any) -> FrameworkDoc:
        top = ("format", "name", "scale", "levels", "categories")
        m = self.mapping(raw, "", required=top, optional=("description",))
        if "format" in m and m["format"] != FORMAT_ID:
            self.error("format", f'must be "{FORMAT_ID}" (got {_q(m["format"])})')
        name = self.text(m, "name", "", 120)
        description = self.description(m, "")
        scale = self.scale(m)
        levels = self.levels(m)
        if isinstance(m.get("levels"), list):
            self.level_names = [lv.name for lv in levels]
        categories = self.categories(m)
        if self.errors:
            raise FrameworkError(self.errors)
        return FrameworkDoc(name, description, tuple(scale), tuple(levels), tuple(categories))

    def scale(self, m: dict) -> list[ScalePointDoc]:
        points: list[ScalePointDoc] = []
        if isinstance(m.get("scale"), list):
            # Every integer given counts as on the scale, so a misplaced one is reported once.
            self.scale_values = []
        values: dict[int, str] = {}
        labels: dict[str, str] = {}
        for i, item in enumerate(self.items(m, "scale", "scale", 2, 11, "points")):
            path = f"scale[{i}]"
            pm = self.mapping(item, path, ("value", "label"), ("description",))
            value = self.integer(pm, "value", path)
            label = self.text(pm, "label", path, 60)
            description = self.description(pm, path)
            if value is not None and self.scale_values is not None:
                self.scale_values.append(value)
            if value is not None:
                low, high = SCALE_RANGE
                if value in values:
                    self.unique(values, value, path, "value")
                elif not low <= value <= high:
                    self.error(f"{path}.value", f"must be from {low} to {high} (got {value})")
                elif points and value < points[-1].value:
                    self.error(
                        f"{path}.value",
                        f"must be greater than the value before it ({points[-1].value}): "
                        "list the scale lowest first",
                    )
                else:
                    values[value] = path
                    points.append(ScalePointDoc(value, label, description))
            if label:
                self.unique(labels, label, path, "label")
        return points

    def levels(self, m: dict) -> list[LevelDoc]:
        levels: list[LevelDoc] = []
        names: dict[str, str] = {}
        for i, item in enumerate(self.items(m, "levels", "levels", 1, 12, "levels")):
            path = f"levels[{i}]"
            lm = self.mapping(item, path, ("name",), ("description",))
            name = self.text(lm, "name", path, 60)
            description = self.description(lm, path)
            if name and name not in names:
                levels.append(LevelDoc(name, description))
            if name:
                self.unique(names, name, path, "name")
        return levels

    def categories(self, m: dict) -> list[CategoryDoc]:
        categories: list[CategoryDoc] = []
        category_keys: dict[str, str] = {}
        competency_keys: dict[str, str] = {}
        for i, item in enumerate(self.items(m, "categories", "categories", 1, None, "category")):
            path = f"categories[{i}]"
            cm = self.mapping(item, path, ("key", "name", "competencies"), ("description",))
            key = self.slug(cm, path, category_keys)
            name = self.text(cm, "name", path, 120)
            description = self.description(cm, path)
            items = self.items(cm, "competencies", f"{path}.competencies", 1, None, "competency")
            competencies = tuple(
                self.competency(c, f"{path}.competencies[{j}]", competency_keys)
                for j, c in enumerate(items)
            )
            categories.append(CategoryDoc(key, name, description, competencies))
        total = sum(len(c.competencies) for c in categories)
        if total > MAX_COMPETENCIES:
            self.error(
                "categories",
                f"must hold at most {MAX_COMPETENCIES} competencies in all (has {total})",
            )
        return categories

    def competency(self, item: Any, path: str, seen: dict) -> CompetencyDoc:
        cm = self.mapping(item, path, ("key", "name", "levels"), ("description",))
        key = self.slug(cm, path, seen)
        name = self.text(cm, "name", path, 120)
        description = self.description(cm, path)
        expectations = self.expectations(cm["levels"], f"{path}.levels") if "levels" in cm else {}
        order = self.level_names or list(expectations)
        ordered = tuple(expectations[n] for n in order if n in expectations)
        return CompetencyDoc(key, name, description, ordered)

    def expectations(self, value: Any, path: str) -> dict[str, ExpectationDoc]:
        found: dict[str, ExpectationDoc] = {}
        level_names, scale_values = self.level_names, self.scale_values
        if not isinstance(value, dict):
            self.error(path, f"must be a mapping of level name to expectation (got {_kind(value)})")
            return found
        for key in getattr(value, "duplicates", ()):
            self.error(path, f"duplicate key {_q(key)}")
        for level, entry in value.items():
            if level_names is not None and level not in level_names:
                self.error(path, f"unknown level {_q(level)} (levels: {', '.join(level_names)})")
                continue
            here = (
                f"{path}.{level}" if _SIMPLE_NAME.fullmatch(str(level)) else f"{path}[{_q(level)}]"
            )
            em = self.mapping(entry, here, ("expected", "descriptor"))
            expected = self.integer(em, "expected", here)
            if expected is not None and scale_values is not None and expected not in scale_values:
                on_scale = ", ".join(map(str, sorted(set(scale_values))))
                self.error(f"{here}.expected", f"{expected} is not on the scale ({on_scale})")
            descriptor = self.text(em, "descriptor", here, 2000, lines=True)
            found[str(level)] = ExpectationDoc(str(level), expected or 0, descriptor)
        for level in level_names or ():
            if level not in value:
                self.error(path, f"missing {_q(level)}")
        return found


def parse_framework(data: bytes, filename: str | None = None) -> FrameworkDoc:
    """Parse and validate a YAML or JSON framework; FrameworkError lists every problem."""
    return _Validator().document(_load(data, filename))
