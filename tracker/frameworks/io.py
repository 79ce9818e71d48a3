"""Frameworks in the database: import a document as a version, export a version, dump as text.

Reading and validating files lives in parse.py, the document values and `diff_docs` in
diff.py; the names other modules use are re-exported here, so callers import from one
place. docs/framework-format.md describes the format. Services flush and never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

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
from tracker.frameworks.diff import (
    CategoryDoc,
    CompetencyDoc,
    ExpectationDoc,
    FrameworkDiff,
    FrameworkDoc,
    LevelDoc,
    ScalePointDoc,
    diff_docs,
)
from tracker.frameworks.parse import FORMAT_ID, MAX_FRAMEWORK_BYTES, FrameworkError, parse_framework

if TYPE_CHECKING:
    from tracker.auth.models import User

__all__ = [
    "DEFAULT_FRAMEWORK_FILE",
    "FORMAT_ID",
    "MAX_FRAMEWORK_BYTES",
    "CategoryDoc",
    "CompetencyDoc",
    "ExpectationDoc",
    "FrameworkDiff",
    "FrameworkDoc",
    "FrameworkError",
    "ImportResult",
    "LevelDoc",
    "ScalePointDoc",
    "diff_docs",
    "dump_framework",
    "ensure_default_framework",
    "export_framework",
    "get_version",
    "import_framework",
    "latest_version",
    "parse_framework",
    "preview_import",
]

DEFAULT_FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "data" / "lead-ml-engineer.yaml"


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
