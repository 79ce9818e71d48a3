"""Agenda templates: the talking points a new 1:1 may start from. A lead keeps their own; the
organisation's are kept by admins, three of them built in (created by migration 0015 on every
install, and by `ensure_builtin_templates` for the demo). Engineers never see templates."""

from __future__ import annotations

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.db import same_name
from tracker.mentoring.models import AgendaTemplate
from tracker.mentoring.services import MentoringError

MAX_NAME = 80
MAX_BODY = 3000  # characters: leaves room in an agenda (MAX_AGENDA) for the carried items
FIRST = "first"  # the built-in template a member's first 1:1 starts from

# The built-in organisation templates: (key, name, body). Migration 0015 holds a copy of this
# text as it was then (a migration must not import the app); a test keeps the two alike.
BUILTIN: tuple[tuple[str, str, str], ...] = (
    (
        FIRST,
        "First 1:1",
        """## Getting to know each other
- Your background: what you worked on before, what you are proud of
- What brought you here, and what you hope to learn this year
- What has gone well so far, and what has been confusing

## How we work together
- How you like feedback: written or spoken, straight away or saved for our 1:1s
- Your working hours, time zone, and anything I should plan around
- How and when to reach you, and when you would rather not be disturbed
- What a good 1:1 is for you: how often, how long, who brings the agenda

## Expectations
- What the role expects in your first 30, 60 and 90 days
- What you expect from me as your lead

## Feedback both ways
- One thing I could do to make your start easier""",
    ),
    (
        "career",
        "Career conversation",
        """## Where you are
- What energises you in your work now, and what drains you
- The skills you feel strongest in, and those you want to build

## Where you want to go
- Where you would like to be in a year, and in three (scope, level, IC or management)
- Which competencies matter most for your next level

## Growth
- Projects or responsibilities that would stretch you
- Learning: courses, conferences, papers, a mentor
- Who you could learn from, inside or outside the team

## Next steps
- One or two goals for your growth plan, each with a date
- What I will do to support them""",
    ),
    (
        "performance",
        "Performance check-in",
        """## Goals and delivery
- Progress on your goals since the last check-in
- What you delivered that you are proud of; what slipped, and why

## Blockers
- What slows you down: technical, process or people
- What I can unblock or escalate for you

## Feedback both ways
- From me: what to keep doing, what to change, with examples
- For me: what I could do better as your lead

## Wellbeing
- Workload and energy: is the pace sustainable?

## Next steps
- Priorities until the next check-in""",
    ),
)


def usable(db: Session, user: User, *, archived: bool = False) -> list[AgendaTemplate]:
    """The templates `user` may use (or, archived=True, restore): the organisation's, then
    their own, each by name. One query, however many there are."""
    return list(
        db.scalars(
            select(AgendaTemplate)
            .where(
                or_(AgendaTemplate.owner_id.is_(None), AgendaTemplate.owner_id == user.id),
                AgendaTemplate.archived.is_(archived),
            )
            .order_by(AgendaTemplate.owner_id.is_not(None), AgendaTemplate.name)
        )
    )


def can_manage(user: User, template: AgendaTemplate) -> bool:
    """A lead manages their own templates, an admin the organisation's."""
    if template.owner_id is None:
        return user.is_admin
    return template.owner_id == user.id


def get_template_for(
    db: Session, user: User, template_id: int, *, manage: bool = False
) -> AgendaTemplate:
    """The template if `user` may use it (manage: change it); another lead's is a 404, the
    organisation's a 403 for a lead who asks to change it."""
    template = db.get(AgendaTemplate, template_id)
    if template is None or template.owner_id not in (None, user.id):
        abort(404)
    if manage and not can_manage(user, template):
        abort(403)
    return template


def _one_newline(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _apply(db: Session, template: AgendaTemplate, name: str, body: str) -> None:
    name = " ".join(name.split())
    body = _one_newline(body).strip("\n")
    if not name:
        raise MentoringError("A template needs a name.", "name")
    if len(name) > MAX_NAME:
        raise MentoringError(f"A template's name has at most {MAX_NAME} characters.", "name")
    whose = (
        AgendaTemplate.owner_id.is_(None)
        if template.owner_id is None
        else AgendaTemplate.owner_id == template.owner_id
    )
    clash = same_name(db, AgendaTemplate.id, AgendaTemplate.name, name, whose)
    if clash is not None and clash != template.id:
        other = db.get(AgendaTemplate, clash)
        owner = "The organisation already has" if template.owner_id is None else "You already have"
        hint = " (archived: restore it, or choose another name)" if other and other.archived else ""
        raise MentoringError(f"{owner} a template called {name!r}{hint}.", "name")
    if not body.strip():
        raise MentoringError("A template needs its talking points.", "body")
    if len(body) > MAX_BODY:
        raise MentoringError(
            f"Talking points can be at most {MAX_BODY:,} characters (this has {len(body):,}).",
            "body",
        )
    template.name, template.body = name, body


def create_template(db: Session, user: User, name: str, body: str) -> AgendaTemplate:
    """A new template: the organisation's when an admin makes it, else the lead's own."""
    template = AgendaTemplate(owner_id=None if user.is_admin else user.id, archived=False)
    _apply(db, template, name, body)
    db.add(template)
    db.flush()
    return template


def update_template(db: Session, template: AgendaTemplate, name: str, body: str) -> None:
    """Rename a template or change its talking points."""
    _apply(db, template, name, body)
    db.flush()


def set_archived(db: Session, template: AgendaTemplate, archived: bool) -> None:
    """Archive a template (no longer offered for new 1:1s) or restore it."""
    template.archived = archived
    db.flush()


def ensure_builtin_templates(db: Session) -> int:
    """Add each built-in organisation template that is missing (by its key; a name the
    organisation already uses is left alone); return how many were added. Idempotent."""
    have = set(db.scalars(select(AgendaTemplate.key).where(AgendaTemplate.key.is_not(None))))
    names = set(db.scalars(select(AgendaTemplate.name).where(AgendaTemplate.owner_id.is_(None))))
    added = 0
    for key, name, body in BUILTIN:
        if key in have or name in names:
            continue
        db.add(AgendaTemplate(key=key, owner_id=None, name=name, body=body, archived=False))
        added += 1
    db.flush()
    return added


def suggested(templates: list[AgendaTemplate], first: bool) -> AgendaTemplate | None:
    """The template a new 1:1 starts from unasked: "First 1:1" for a member never met."""
    if not first:
        return None
    return next((t for t in templates if t.key == FIRST), None)
