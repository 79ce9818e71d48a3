"""Applying an import plan to a team: the preview (nothing written), then one transaction.

Milestones are matched to what an earlier import created by their external key (jira:ML-1,
github:<html_url>), so importing a file twice creates nothing new. Owners are matched to the
team's members by email, then by name. Jira sprints are matched by name within the team;
sprints the team does not have are created one sprint length each, in name order, from the
Monday before the file's earliest date (or right after the team's last sprint, if later), and
those already over are created closed. GitHub milestones have no sprint: each is planned for
the team's sprint whose dates contain its due date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import localtime
from tracker.auth.models import User
from tracker.db import fold, same_name, utcnow
from tracker.delivery.importers import ImportedMilestone, ImportFormatError, ImportPlan, Skipped
from tracker.forms import LATEST
from tracker.sprints.models import Milestone, MilestoneMove, Project, Sprint
from tracker.sprints.services import ProjectData, create_project, team_sprints
from tracker.team.models import Member, Team

SOURCES = {"jira": "Jira", "github": "GitHub"}
MAX_NEW_SPRINTS = 500  # two decades of fortnightly sprints


@dataclass
class Row:
    item: ImportedMilestone
    owner: Member | None = None
    owner_note: str = ""  # why the assignee matched nobody
    sprint: str | None = None  # the sprint it is planned for (the last one in Jira)


@dataclass
class NewSprint:
    name: str
    start_date: date
    end_date: date
    state: str


@dataclass
class DeliveryPreview:
    plan: ImportPlan
    team: Team
    project_name: str
    project: Project | None
    create: list[Row] = field(default_factory=list)
    existing: list[Row] = field(default_factory=list)
    new_sprints: list[NewSprint] = field(default_factory=list)
    matched_sprints: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[Skipped]:
        return self.plan.skipped

    @property
    def source(self) -> str:
        return SOURCES[self.plan.source]

    def summary_lines(self) -> list[str]:
        """The preview as text, for the command line."""
        verb = "use project" if self.project else "create project"
        lines = [f"{self.source} file: {verb} {self.project_name!r} in {self.team.name}."]
        for s in self.new_sprints:
            lines.append(f"+ sprint {s.name} ({s.start_date} to {s.end_date}, {s.state})")
        lines += [f"= sprint {name} (exists)" for name in self.matched_sprints]
        for r in self.create:
            owner = r.owner.name if r.owner else (r.owner_note or "no owner")
            sprint = f", sprint {r.sprint}" if r.sprint else ""
            lines.append(f"+ {r.item.ref} {r.item.title} [{r.item.status}{sprint}; {owner}]")
        lines += [f"= {r.item.ref} {r.item.title} (already imported)" for r in self.existing]
        lines += [f"- skipped {s.ref}: {s.reason}" for s in self.skipped]
        lines.append(
            f"{len(self.create)} to create, {len(self.existing)} already imported, "
            f"{len(self.skipped)} skipped, {len(self.new_sprints)} new sprints."
        )
        return lines


def _natural(name: str):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _match_owner(members: list[Member], assignee: str) -> tuple[Member | None, str]:
    if not assignee:
        return None, ""
    wanted = " ".join(assignee.split()).lower()
    for m in members:
        if m.email.lower() == wanted:
            return m, ""
    for m in members:
        if " ".join(m.name.split()).lower() == wanted:
            return m, ""
    return None, f"no member matches {assignee!r}"


def _date_new_sprints(
    team: Team, sprints: list[Sprint], names: list[str], plan: ImportPlan, today: date
) -> list[NewSprint]:
    if not names:
        return []
    days = [d for m in plan.milestones for d in (m.due_date, m.done_date) if d]
    first = min(days) if days else today
    start = first - timedelta(days=first.weekday())
    if sprints:
        start = max(start, max(s.end_date for s in sprints) + timedelta(days=1))
    length = timedelta(days=team.sprint_length_days)
    if len(names) > MAX_NEW_SPRINTS:
        raise ImportFormatError(
            [
                f"The file names {len(names)} sprints the team does not have; at most "
                f"{MAX_NEW_SPRINTS} are created by one import."
            ]
        )
    made = []
    for name in sorted(names, key=_natural):
        if start > LATEST - length:
            raise ImportFormatError(
                [
                    f"Sprint {name!r} would end after {LATEST}: the file's sprints, one sprint "
                    f"length each from {first}, run past the dates the app takes."
                ]
            )
        end = start + length - timedelta(days=1)
        made.append(NewSprint(name, start, end, "closed" if end < today else "planned"))
        start = end + timedelta(days=1)
    return made


def preview_delivery(
    db: Session,
    team: Team,
    plan: ImportPlan,
    project_name: str | None = None,
    today: date | None = None,
) -> DeliveryPreview:
    """What importing `plan` into the team would do; writes nothing (five queries, whatever
    the file holds)."""
    today = today or localtime.today()
    default = f"Imported from {SOURCES[plan.source]}"
    name = ((project_name or "").strip() or plan.project_hint.strip() or default)[:120].strip()
    project_id = same_name(db, Project.id, Project.name, name, Project.team_id == team.id)
    project = db.get(Project, project_id) if project_id is not None else None
    known: set[str] = set()
    if project is not None:
        known = set(
            db.scalars(select(Milestone.external_key).where(Milestone.project_id == project.id))
        )
    members = list(
        db.scalars(
            select(Member).where(Member.team_id == team.id).order_by(Member.archived, Member.name)
        )
    )
    sprints = team_sprints(db, team.id)
    by_name = {fold(s.name): s for s in sprints}
    preview = DeliveryPreview(plan, team, project.name if project else name, project)
    for item in plan.milestones:
        if item.status == "done" and item.done_date is None:
            item.done_date = today  # done, and the file says not when: as the milestone form does
        owner, note = _match_owner(members, item.assignee)
        sprint = item.sprints[-1] if item.sprints else None
        if plan.source == "github" and item.due_date:
            sprint = next((s.name for s in sprints if s.contains(item.due_date)), None)
        if sprint and fold(sprint) in by_name:
            sprint = by_name[fold(sprint)].name
        row = Row(item, owner, note, sprint)
        (preview.existing if item.key in known else preview.create).append(row)
    wanted = {n for r in preview.create for n in r.item.sprints}
    preview.matched_sprints = [n for n in plan.sprint_names if fold(n) in by_name]
    spelling = {fold(n): n for n in reversed(plan.sprint_names) if n in wanted}  # the first
    missing = [n for key, n in spelling.items() if key not in by_name]
    preview.new_sprints = _date_new_sprints(team, sprints, missing, plan, today)
    return preview


def apply_delivery(
    db: Session, preview: DeliveryPreview, user: User | None = None
) -> tuple[Project, int]:
    """Write the preview: the project, new sprints, milestones and their Jira sprint history.

    Flushes only; the caller commits once, so a failure leaves nothing behind."""
    team = preview.team
    project = preview.project or create_project(db, team, ProjectData(name=preview.project_name))
    sprints = {fold(s.name): s for s in team_sprints(db, team.id)}
    for new in preview.new_sprints:
        sprint = Sprint(
            team_id=team.id,
            name=new.name,
            start_date=new.start_date,
            end_date=new.end_date,
            state=new.state,
            closed_at=utcnow() if new.state == "closed" else None,
        )
        db.add(sprint)
        sprints[fold(new.name)] = sprint
    db.flush()
    source = preview.source
    for row in preview.create:
        item = row.item
        milestone = Milestone(
            project_id=project.id,
            title=item.title,
            description=item.description,
            owner_id=row.owner.id if row.owner else None,
            due_date=item.due_date,
            status=item.status,
            done_date=item.done_date,
            drop_reason=f"Imported from {source}: {item.source_status}"
            if item.status == "dropped"
            else "",
            external_key=item.key,
            sprint_id=sprints[fold(row.sprint)].id if row.sprint else None,
        )
        db.add(milestone)
        path = [sprints[fold(n)] for n in item.sprints]
        for before, after in zip(path, path[1:], strict=False):
            db.add(
                MilestoneMove(
                    milestone=milestone,
                    from_sprint_id=before.id,
                    to_sprint_id=after.id,
                    moved_by_id=user.id if user else None,
                    reason=f"Imported from {source}: {item.ref} was in {before.name}, "
                    f"then {after.name}",
                    carried_over=True,
                )
            )
    db.flush()
    return project, len(preview.create)
