"""The agenda a new session starts with: what is still open, what is due, what to talk about."""

from __future__ import annotations

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


def prefill(db: Session, member: Member, view: FrameworkView | None, now: datetime) -> str:
    """Markdown agenda: the most pressing open action items (carried how often, overdue how
    long) and how many more there are, the growth goals due soonest, and competencies where
    self and lead ratings disagree; never longer than an agenda may be."""
    lines: list[str] = []
    items = open_items(db, member.id, now, limit=AGENDA_ITEMS)
    if items:
        lines.append("**Open action items**")
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
    goals = plans.goals_due_soonest(db, member)
    if goals:
        lines += ["", "**Growth goals due soonest**"] if lines else ["**Growth goals due soonest**"]
        for g in goals:
            due = f"due {g.due_date:%Y-%m-%d}" if g.due_date else "no due date"
            lines.append(f"- {g.title} ({due}, {g.status_label.lower()})")
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
            lines += ["", "**Ratings to talk about**"] if lines else ["**Ratings to talk about**"]
            lines += talk
    return _fit(lines)
