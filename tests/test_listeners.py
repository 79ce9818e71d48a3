"""Every process-wide database listener is on docs/architecture.md's list, and every listed
one is registered: nothing runs on a write that a newcomer cannot find."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.orm import Session, SessionEvents

from tracker.auth.models import User

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"
ROW = re.compile(r"^\| `(tracker\.[\w.]+)` \| `(\w+)` (\w+) \| .* \|$")


def _documented() -> set[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### What runs on every write") :]
    return {m.groups() for m in map(ROW.match, section.splitlines()) if m}


def _name(fn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _session_listeners() -> set[tuple[str, str, str]]:
    found = set()
    for event in (n for n in dir(SessionEvents) if not n.startswith("_")):
        dispatch = getattr(Session.dispatch, event, None)
        for fn in getattr(dispatch, "_clslevel", {}).get(Session, []):
            found.add((_name(fn), "Session", event))
    return found


def _mapper_listeners() -> set[tuple[str, str, str]]:
    """Mapper events on every model; SQLAlchemy wraps each, the wrapped function is kept."""
    from tracker.db import Base

    found = set()
    for mapper in Base.registry.mappers:
        for event in (
            "before_insert",
            "after_insert",
            "before_update",
            "after_update",
            "before_delete",
            "after_delete",
        ):
            for fn in getattr(mapper.dispatch, event):
                inner = next(
                    (
                        c.cell_contents
                        for c in (fn.__closure__ or ())
                        if callable(c.cell_contents)
                        and c.cell_contents.__module__.startswith("tracker")
                    ),
                    fn,
                )
                found.add((_name(inner), mapper.class_.__name__, event))
    return found


def test_every_listener_is_documented_and_every_documented_one_is_registered(app):
    assert inspect(User) is not None  # the models are mapped (create_app imported them)
    assert _session_listeners() | _mapper_listeners() == _documented()
