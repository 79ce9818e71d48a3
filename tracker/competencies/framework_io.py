"""Frameworks as files: parse and validate YAML or JSON safely, import as a version, export back.

docs/framework-format.md describes the format and every rule checked here. Parsing never runs
code: YAML goes through a SafeLoader subclass that also refuses tags, anchors, aliases and merge
keys, and both formats report duplicate keys. Services flush and never commit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

from tracker.competencies.framework_diff import (
    FORMAT_ID,
    CategoryDoc,
    CompetencyDoc,
    ExpectationDoc,
    FrameworkDiff,
    FrameworkDoc,
    LevelDoc,
    ScalePointDoc,
    diff_docs,
)
from tracker.competencies.models import (
    Category,
    Competency,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    ScalePoint,
)

if TYPE_CHECKING:
    from tracker.auth.models import User

MAX_FRAMEWORK_BYTES = 1024 * 1024
MAX_ERRORS = 50
MAX_COMPETENCIES = 500
MAX_DESCRIPTION = 5000
MAX_DEPTH = 32
SCALE_RANGE = (0, 100)
DEFAULT_FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "data" / "lead-ml-engineer.yaml"

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


# --- Dumping ---


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes long text as folded blocks and multi-line text as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_framework(doc: FrameworkDoc, fmt: Literal["yaml", "json"] = "yaml") -> str:
    """The document as YAML or JSON text, in canonical key order."""
    if fmt == "json":
        return json.dumps(doc.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt != "yaml":
        raise ValueError(f"Unknown format {fmt!r}: use yaml or json.")
    # The emitter falls back to a quoted scalar whenever a block style cannot hold the text.
    return yaml.dump(doc.to_dict(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# --- The database: import as a new version, export a version, look frameworks up. ---


@dataclass(frozen=True)
class ImportResult:
    """What an import did; `unchanged`: the latest version had this content, nothing was added."""

    framework: Framework
    version: FrameworkVersion
    new_framework: bool
    changes: FrameworkDiff
    unchanged: bool = False


def get_framework_by_name(db: Session, name: str) -> Framework | None:
    """The framework called `name` (exact, after stripping spaces), if any."""
    return db.scalar(select(Framework).where(Framework.name == name.strip()))


def default_framework(db: Session) -> Framework | None:
    """The organisation's default framework, if one is set."""
    return db.scalar(select(Framework).where(Framework.is_default).order_by(Framework.id).limit(1))


def framework_names(db: Session) -> list[str]:
    """The names of all frameworks, sorted."""
    return list(db.scalars(select(Framework.name).order_by(Framework.name)))


def latest_version(db: Session, framework: Framework) -> FrameworkVersion:
    """The framework's newest version (every framework has at least one)."""
    version = get_version(db, framework, None)
    if version is None:
        raise LookupError(f'The framework "{framework.name}" has no versions.')
    return version


def get_version(db: Session, framework: Framework, number: int | None) -> FrameworkVersion | None:
    """Version `number` of the framework (None: the newest), if it exists."""
    query = select(FrameworkVersion).where(FrameworkVersion.framework_id == framework.id)
    if number is not None:
        query = query.where(FrameworkVersion.number == number)
    return db.scalar(query.order_by(FrameworkVersion.number.desc()).limit(1))


def export_framework(version: FrameworkVersion) -> FrameworkDoc:
    """The document a stored version holds, read in a fixed number of queries."""
    db = object_session(version)
    if db is None:
        raise ValueError("The version is not attached to a session.")
    loaded = db.scalars(
        select(FrameworkVersion)
        .where(FrameworkVersion.id == version.id)
        .options(
            joinedload(FrameworkVersion.framework),
            selectinload(FrameworkVersion.scale),
            selectinload(FrameworkVersion.levels),
            selectinload(FrameworkVersion.categories)
            .selectinload(Category.competencies)
            .selectinload(Competency.expectations),
        )
        .execution_options(populate_existing=True)
    ).one()
    levels = {level.id: level for level in loaded.levels}

    def competency(c: Competency) -> CompetencyDoc:
        ordered = sorted(c.expectations, key=lambda e: levels[e.level_id].position)
        expectations = tuple(
            ExpectationDoc(levels[e.level_id].name, e.expected, e.descriptor) for e in ordered
        )
        return CompetencyDoc(c.key, c.name, c.description, expectations)

    return FrameworkDoc(
        name=loaded.framework.name,
        description=loaded.description,
        scale=tuple(ScalePointDoc(p.value, p.label, p.description) for p in loaded.scale),
        levels=tuple(LevelDoc(lv.name, lv.description) for lv in loaded.levels),
        categories=tuple(
            CategoryDoc(c.key, c.name, c.description, tuple(map(competency, c.competencies)))
            for c in loaded.categories
        ),
    )


def preview_import(db: Session, doc: FrameworkDoc) -> tuple[FrameworkVersion | None, FrameworkDiff]:
    """The latest version of the framework named like `doc` (if any) and what `doc` changes."""
    previous, old = _previous(db, doc)
    return previous, diff_docs(old, doc)


def _previous(
    db: Session, doc: FrameworkDoc
) -> tuple[FrameworkVersion | None, FrameworkDoc | None]:
    framework = get_framework_by_name(db, doc.name)
    previous = latest_version(db, framework) if framework else None
    return previous, export_framework(previous) if previous else None


def import_framework(
    db: Session, doc: FrameworkDoc, user: User | None = None, make_default: bool = False
) -> ImportResult:
    """Add `doc` as a new framework, or as the next version of the framework of that name.

    Older versions are never touched. Content equal to the latest version adds nothing
    (`unchanged`). The first framework, or any with `make_default`, becomes the default.
    """
    previous, old = _previous(db, doc)
    changes = diff_docs(old, doc)
    framework = previous.framework if previous else Framework(name=doc.name, is_default=False)
    db.add(framework)
    if make_default or default_framework(db) is None:
        for other in db.scalars(select(Framework).where(Framework.is_default)):
            other.is_default = False
        framework.is_default = True
    if previous is not None and old == doc:
        db.flush()
        return ImportResult(framework, previous, False, changes, unchanged=True)
    version = FrameworkVersion(
        framework=framework,
        number=previous.number + 1 if previous else 1,
        description=doc.description,
        imported_by_id=user.id if user else None,
    )
    db.add(version)
    db.flush()
    _add_rows(version, doc)
    db.flush()
    return ImportResult(framework, version, previous is None, changes)


def _add_rows(version: FrameworkVersion, doc: FrameworkDoc) -> None:
    for p in doc.scale:
        version.scale.append(ScalePoint(value=p.value, label=p.label, description=p.description))
    levels = {
        lv.name: Level(position=i, name=lv.name, description=lv.description)
        for i, lv in enumerate(doc.levels)
    }
    version.levels.extend(levels.values())
    for position, cat in enumerate(doc.categories):
        category = Category(
            position=position, key=cat.key, name=cat.name, description=cat.description
        )
        version.categories.append(category)
        for number, c in enumerate(cat.competencies):
            competency = Competency(
                version_id=version.id,
                position=number,
                key=c.key,
                name=c.name,
                description=c.description,
            )
            category.competencies.append(competency)
            competency.expectations.extend(
                Expectation(level=levels[e.level], expected=e.expected, descriptor=e.descriptor)
                for e in c.expectations
            )


def ensure_default_framework(db: Session) -> FrameworkVersion | None:
    """With no framework at all, import the shipped one as the default and return its version."""
    if db.scalar(select(Framework.id).limit(1)) is not None:
        return None
    doc = parse_framework(DEFAULT_FRAMEWORK_FILE.read_bytes(), DEFAULT_FRAMEWORK_FILE.name)
    return import_framework(db, doc, make_default=True).version
