"""The agenda a new session starts with: what is still open, what is due, what to talk about."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from tracker import localtime
from tracker.competencies.assessment import DISCONNECT_STEPS
from tracker.competencies.services import FrameworkView, framework_id_for_team, latest_values
from tracker.mentoring.services import MAX_AGENDA, count_open, open_items
from tracker.plans import services as plans
from tracker.team.models import Member

AGENDA_ITEMS = 10  # open items named in a new agenda, the most pressing first
ITEM_CHARS = 150  # of each item's text: the agenda names it, the item itself has it all


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _short(text: str) -> str:
    return text if len(text) <= ITEM_CHARS else text[: ITEM_CHARS - 1].rstrip() + "…"


def _fit(lines: list[str]) -> str:
    """The lines that fit in an agenda (MAX_AGENDA), whole, then a line saying more was left
    out: a prefilled agenda the form refuses as too long would be no help."""
    text = "\n".join(lines)
    if len(text) <= MAX_AGENDA:
        return text
    tail = "- … and more than fits here: see the open items and the competencies pages"
    kept: list[str] = []
    size = len(tail)
    for line in lines:
        if size + len(line) + 1 > MAX_AGENDA:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, tail])


Section = tuple[str, list[str]]  # a heading, and its bullet lines


def sections(
    db: Session, member: Member, view: FrameworkView | None, now: datetime
) -> list[Section]:
    """What is pressing for a member: the most pressing open action items (carried how often,
    overdue how long) and how many more there are, the growth goals due soonest, and
    competencies where self and lead ratings disagree; only the sections that have lines."""
    found: list[Section] = []
    items = open_items(db, member.id, now, limit=AGENDA_ITEMS)
    if items:
        lines = []
        for o in items:
            notes = [f"from {localtime.format_local_date(o.item.session.held_at)}"]
            if o.carried:
                notes.append(f"carried {_plural(o.carried, 'session')}")
            if o.overdue_days:
                notes.append(f"{_plural(o.overdue_days, 'day')} overdue")
            owner = "you" if o.item.owner == "lead" else (member.name.split() or ["them"])[0]
            lines.append(f"- {_short(o.item.text)} ({owner}; {', '.join(notes)})")
        more = count_open(db, member.id) - len(items) if len(items) == AGENDA_ITEMS else 0
        if more:
            lines.append(f"- … and {_plural(more, 'more open item')}")
        found.append(("Open action items", lines))
    goals = plans.goals_due_soonest(db, member)
    if goals:
        lines = []
        for g in goals:
            due = f"due {g.due_date:%Y-%m-%d}" if g.due_date else "no due date"
            lines.append(f"- {g.title} ({due}, {g.status_label.lower()})")
        found.append(("Growth goals due soonest", lines))
    if view is not None:
        framework_id = framework_id_for_team(db, member.team)
        assert framework_id is not None  # `view` is a version of it
        values = latest_values(db, framework_id, Member.id == member.id)
        talk = []
        for comp in view.competencies:
            lead, self_ = values.get((member.id, comp.key), (None, None))
            if lead is not None and self_ is not None and abs(lead - self_) >= DISCONNECT_STEPS:
                talk.append(f"- {comp.name}: you rated {lead}, self-rating {self_}")
        if talk:
            found.append(("Ratings to talk about", talk))
    return found


_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+(?:\[[ xX]\]\s+)?|\d+[.)]\s+)?")


def _key(line: str) -> str:
    """What a line says, without its Markdown marks, case or spacing: two lines with one key
    are the same talking point."""
    text = _MARKS.sub("", line).strip().strip("*_").strip().rstrip(":").strip()
    return " ".join(text.split()).casefold()


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    if re.match(r"#{1,6}\s+\S", stripped):
        return True
    return len(stripped) > 4 and stripped.startswith("**") and stripped.endswith("**")


def parse(body: str) -> list[Section]:
    """A template's talking points as sections: the lines before its first heading (under
    the heading ""), then each heading's."""
    found: list[Section] = [("", [])]
    for line in body.replace("\r\n", "\n").split("\n"):
        if _is_heading(line):
            found.append((line.strip(), []))
        elif line.strip():
            found[-1][1].append(line.rstrip())
    return [(heading, lines) for heading, lines in found if heading or lines]


def merge(base: str, found: list[Section]) -> list[str]:
    """`base` (a template's talking points, or what was typed) with each section merged in:
    its lines go under `base`'s heading of the same name when there is one, else as a new
    section at the end; a line `base` says already is not said twice, nor a heading with no
    line left under it."""
    lines = base.replace("\r\n", "\n").strip("\n").split("\n") if base.strip() else []
    said = {_key(line) for line in lines if line.strip()}
    for heading, section in found:
        new = [line for line in section if _key(line) not in said]
        said |= {_key(line) for line in new}
        if not new:
            continue
        at = next(
            (
                i
                for i, line in enumerate(lines)
                if heading and _is_heading(line) and _key(line) == _key(heading)
            ),
            None,
        )
        if at is None:
            title = [heading if _is_heading(heading) else f"**{heading}**"] if heading else []
            lines += [*([""] if lines else []), *title, *new]
            continue
        end = next((i for i in range(at + 1, len(lines)) if _is_heading(lines[i])), len(lines))
        while end > at + 1 and not lines[end - 1].strip():
            end -= 1  # after the heading's last line, before the blank line that ends it
        lines[end:end] = new
    return lines


def add_points(typed: str, body: str) -> str:
    """What was typed, kept as it is, with the template's talking points it does not say
    yet merged in (under its headings of the same name, else after it)."""
    return "\n".join(merge(typed, parse(body)))


def prefill(
    db: Session,
    member: Member,
    view: FrameworkView | None,
    now: datetime,
    template: str = "",
) -> str:
    """Markdown agenda: a template's talking points (if any) merged with what is pressing for
    the member (`sections`); never longer than an agenda may be."""
    return _fit(merge(template, sections(db, member, view, now)))
