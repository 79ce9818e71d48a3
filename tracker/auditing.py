"""The audit log: its table, and the recording of every change of an audited model at flush,
in the same transaction; exports and other reads worth knowing about are logged explicitly
with `record`.

Which models are followed, and whether their values may be shown, each model declares
(`audit_as`, `audit_values`, `audit_created` on tracker.db.Base): this module imports no
feature. Note fields are never copied: for them the log says *that* they changed, not what
they say. The admin's page that reads the log is the `audit` feature (tracker/audit/).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import has_request_context
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.db import Base, utcnow


class AuditEvent(Base):
    """Who did what to which object, when. Never holds note text: field names only."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Kept as text too: the log must read the same if the account changes later.
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(1000), default="")


# Attributes whose values may be shown (short, not private); anything else: its name only.
SHOWN = {
    "role",
    "active",
    "archived",
    "level",
    "status",
    "value",
    "kind",
    "state",
    "name",
    "title",
    "team_id",
    "cadence_days",
    "target_level",
    "target_date",
    "due_date",
    "email",
    "is_default",
    "done",
    "owner",
    "sprint_id",
    "start_date",
    "end_date",
    "target_proficiency",
    "baseline_proficiency",
    "number",
    "time_zone",
    "require_two_factor",
}
# Notes and the HTML rendered from them: named when changed, never shown, whatever the object.
NOTE_FIELDS = {
    "agenda",
    "shared_notes",
    "private_notes",
    "agenda_html",
    "shared_notes_html",
    "private_notes_html",
}
SKIPPED = {
    "updated_at",
    "created_at",
    "password_hash",
    "session_token",
    "last_login_at",
    "token_digest",
    "token",
}


def _actor(user=None) -> tuple[int | None, str]:
    if user is not None:
        return user.id, f"{user.name} <{user.email}>"
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, f"{current_user.name} <{current_user.email}>"
        return None, "anonymous"
    return None, "command line"


def _fmt(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _changes(obj, kind: str) -> tuple[str, str]:
    state = inspect(obj)
    parts, action = [], "update"
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED or attr.key == "id":
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if attr.key == "archived":
            action = "archive" if new else "restore"
        elif attr.key == "active" and kind == "user":
            action = "reactivate" if new else "deactivate"
        if attr.key in SHOWN and attr.key not in NOTE_FIELDS and type(obj).audit_values:
            parts.append(f"{attr.key}: {_fmt(old)} → {_fmt(new)}")
        else:
            parts.append(f"{attr.key} changed")
    for rel in state.mapper.relationships:
        if rel.secondary is None:  # many-to-many only (team leads, linked sessions...)
            continue
        hist = state.attrs[rel.key].history
        if hist.has_changes():
            added = [_label(o) for o in hist.added]
            removed = [_label(o) for o in hist.deleted]
            change = ", ".join([f"+{a}" for a in added] + [f"-{r}" for r in removed])
            parts.append(f"{rel.key}: {change}")
    return action, "; ".join(parts)


def _label(obj) -> str:
    name = getattr(obj, "email", None) or getattr(obj, "title", None) or getattr(obj, "key", None)
    return f"{name}" if name else f"#{_pk(obj)[0]}"


def _created(obj) -> str:
    instead = obj.audit_created()
    if instead is not None:
        return instead
    state = inspect(obj)
    parts = []
    for attr in state.mapper.column_attrs:
        value = getattr(obj, attr.key, None)
        if attr.key in SHOWN and attr.key not in NOTE_FIELDS and value is not None:
            parts.append(f"{attr.key}: {_fmt(value)}")
        elif attr.key.endswith("_id") and attr.key != "id" and value is not None:
            parts.append(f"{attr.key}: {value}")
    return "; ".join(parts)


def _kind(obj) -> str | None:
    # What the model declares (Base.audit_as): None for the models the log does not follow.
    return getattr(type(obj), "audit_as", None)


def _after_flush(session: Session, _context) -> None:
    if session.info.get("audit") is False:
        return
    actor_id, actor = _actor()
    now = utcnow()
    rows = []
    for obj in session.new:
        kind = _kind(obj)
        if kind:
            rows.append(("create", kind, _pk(obj), _created(obj)))
    for obj in session.dirty:
        kind = _kind(obj)
        if kind and session.is_modified(obj):
            action, summary = _changes(obj, kind)
            if summary:
                rows.append((action, kind, _pk(obj), summary))
    for obj in session.deleted:
        kind = _kind(obj)
        if kind:
            rows.append(("delete", kind, _pk(obj), ""))
    if rows:
        session.connection().execute(
            insert(AuditEvent),
            [
                _fit(
                    {
                        "at": now,
                        "actor_id": actor_id,
                        "actor": actor,
                        "action": action,
                        "object_type": kind,
                        "object_id": _single(identity),
                        "summary": summary,
                    }
                )
                for action, kind, identity, summary in rows
            ],
        )


def _pk(obj) -> tuple:
    # After the INSERT the key is on the instance, though not yet in its identity.
    return tuple(inspect(obj).mapper.primary_key_from_instance(obj))


def _single(identity) -> int | None:
    if identity and len(identity) == 1 and isinstance(identity[0], int):
        return identity[0]
    return None


# Each text column's length, from the model: a longer value (a long name and e-mail as the
# actor) would fail every audited write on PostgreSQL, so it is cut to fit instead.
_LENGTHS = {
    c.name: c.type.length
    for c in AuditEvent.__table__.columns
    if isinstance(c.type, String) and c.type.length
}


def _fit(row: dict) -> dict:
    """`row` with every string cut to its column's length (an ellipsis marks the cut)."""
    for name, length in _LENGTHS.items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > length:
            row[name] = value[: length - 1] + "…"
    return row


def record(
    db: Session,
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
    *,
    actor=None,
) -> None:
    """Log an event that changes no row (an export, a login); `actor`: a user acting before
    they are logged in (a successful login), else the current user."""
    db.connection().execute(_event(action, object_type, object_id, summary, _actor(actor)))


def _event(
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str,
    actor: tuple[int | None, str],
):
    """The INSERT of one audit row, each text cut to its column."""
    actor_id, name = actor
    row = {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor": name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary,
    }
    return insert(AuditEvent).values(**_fit(row))


def record_created(db: Session, objects: Iterable[Base]) -> None:
    """Log the creation of rows that an ORM bulk INSERT wrote (no flush saw them), in one
    statement, as a flush would have: what each model declares of itself."""
    actor_id, actor = _actor()
    now = utcnow()
    rows = [
        _fit(
            {
                "at": now,
                "actor_id": actor_id,
                "actor": actor,
                "action": "create",
                "object_type": kind,
                "object_id": _single(_pk(obj)),
                "summary": _created(obj),
            }
        )
        for obj in objects
        if (kind := _kind(obj))
    ]
    if rows:
        db.connection().execute(insert(AuditEvent), rows)


def record_apart(action: str, object_type: str, object_id: int | None, summary: str = "") -> None:
    """Log an event in its own short transaction after the request (an access refusal: the
    request's own transaction is rolled back, and a refused GET must stay a read)."""
    from tracker.db import write_apart

    write_apart(_event(action, object_type, object_id, summary, _actor()))


def install() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
