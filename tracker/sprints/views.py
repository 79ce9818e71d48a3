"""Projects, sprints and milestones: the team's delivery page, forms, the board and closing."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import localtime, views
from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import EmptyForm
from tracker.sprints import closing, milestones, reports, services
from tracker.sprints.access import get_milestone_for, get_project_for, get_sprint_for
from tracker.sprints.forms import (
    BoardMoveForm,
    MilestoneForm,
    ProjectForm,
    SprintForm,
    close_form,
    decisions,
)
from tracker.sprints.models import MILESTONE_STATUSES, Sprint
from tracker.team.services import get_team_for

bp = Blueprint("sprints", __name__)


def _choices(form, team, sprint_ids_kept=()):
    db = get_db()
    form.owner_id.choices = [("", "Nobody yet")] + [
        (m.id, m.name) for m in services.team_members(db, team)
    ]
    if hasattr(form, "sprint_id"):
        form.sprint_id.choices = [("", "Not planned")] + [
            (s.id, f"{s.name} ({s.start_date} to {s.end_date})")
            for s in services.team_sprints(db, team.id)
            if s.state != "closed" or s.id in sprint_ids_kept
        ]
    return form


@bp.route("/teams/<int:team_id>/delivery")
@roles("admin", "lead")
def index(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    return render_template(
        "sprints/index.html",
        team=team,
        delivery=services.team_deliveries(db, [team]),
        sprints=services.team_sprints(db, team.id),
        projects=services.team_projects(db, team),
        form=EmptyForm(),
        today=localtime.today(),
    )


# --- projects ---------------------------------------------------------------------------


def _project_data(form) -> services.ProjectData:
    return services.ProjectData(
        form.name.data,
        form.description.data or "",
        form.status.data,
        form.owner_id.data,
        form.start_date.data,
        form.target_date.data,
    )


@bp.route("/teams/<int:team_id>/projects/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_project(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    form = _choices(ProjectForm(status="active"), team)

    return views.save(
        form,
        lambda: services.create_project(db, team, _project_data(form)),
        flash_ok=lambda project: f"Project {project.name} created.",
        to=lambda project: url_for("sprints.project", project_id=project.id),
        template="sprints/project_form.html",
        field="name",
        team=team,
        project=None,
    )


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_project(project_id: int):
    db = get_db()
    project = get_project_for(db, current_user, project_id)
    form = _choices(ProjectForm(obj=project), project.team)

    return views.save(
        form,
        lambda: services.update_project(db, project, _project_data(form)),
        flash_ok="Project saved.",
        to=url_for("sprints.project", project_id=project.id),
        template="sprints/project_form.html",
        field="name",
        team=project.team,
        project=project,
    )


@bp.route("/projects/<int:project_id>")
@roles("admin", "lead")
def project(project_id: int):
    db = get_db()
    project = get_project_for(db, current_user, project_id)
    timeline = reports.project_timeline(db, project)
    return render_template("sprints/project.html", project=project, t=timeline)


# --- milestones -------------------------------------------------------------------------


def _milestone_data(form) -> milestones.MilestoneData:
    return milestones.MilestoneData(
        form.title.data,
        form.description.data or "",
        form.owner_id.data,
        form.due_date.data,
        form.sprint_id.data,
        form.status.data,
        form.done_date.data,
        form.drop_reason.data or "",
    )


@bp.route("/projects/<int:project_id>/milestones/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_milestone(project_id: int):
    db = get_db()
    project = get_project_for(db, current_user, project_id)
    form = _choices(MilestoneForm(status="planned"), project.team)

    return views.save(
        form,
        lambda: milestones.create_milestone(db, project, _milestone_data(form), current_user),
        flash_ok="Milestone added.",
        to=url_for("sprints.project", project_id=project.id),
        template="sprints/milestone_form.html",
        field="title",
        project=project,
        milestone=None,
    )


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_milestone(milestone_id: int):
    db = get_db()
    milestone = get_milestone_for(db, current_user, milestone_id)
    form = _choices(MilestoneForm(obj=milestone), milestone.project.team, {milestone.sprint_id})

    def save():
        reason = form.move_reason.data or ""
        milestones.update_milestone(db, milestone, _milestone_data(form), current_user, reason)

    return views.save(
        form,
        save,
        flash_ok="Milestone saved.",
        to=url_for("sprints.milestone", milestone_id=milestone.id),
        template="sprints/milestone_form.html",
        field="title",
        project=milestone.project,
        milestone=milestone,
    )


@bp.route("/milestones/<int:milestone_id>")
@roles("admin", "lead")
def milestone(milestone_id: int):
    db = get_db()
    milestone = get_milestone_for(db, current_user, milestone_id)
    return render_template("sprints/milestone.html", d=reports.milestone_detail(db, milestone))


# --- sprints ----------------------------------------------------------------------------


def _sprint_data(form) -> services.SprintData:
    return services.SprintData(
        form.name.data, form.start_date.data, form.end_date.data, form.goal.data or ""
    )


@bp.route("/teams/<int:team_id>/sprints/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_sprint(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    proposal = services.propose_next_sprint(db, team)
    form = SprintForm(data=None if request.method == "POST" else vars(proposal))

    return views.save(
        form,
        lambda: services.create_sprint(db, team, _sprint_data(form)),
        flash_ok=lambda sprint: f"{sprint.name} planned.",
        to=lambda sprint: url_for("sprints.board", sprint_id=sprint.id),
        template="sprints/sprint_form.html",
        field="name",
        team=team,
        sprint=None,
    )


@bp.route("/sprints/<int:sprint_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_sprint(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    form = SprintForm(obj=sprint)

    return views.save(
        form,
        lambda: services.update_sprint(db, sprint, _sprint_data(form)),
        flash_ok="Sprint saved.",
        to=url_for("sprints.board", sprint_id=sprint.id),
        template="sprints/sprint_form.html",
        field="name",
        team=sprint.team,
        sprint=sprint,
    )


MINE = "mine"  # the board's owner filter: the milestones the viewer owns (as a member)


def _owner_filter(sprint, raw: str | None, owners) -> tuple[int | str | None, str]:
    """The board's `?owner=` as (the query's filter, the value selected): a member id among
    the board's owners, "unassigned", or "mine"; anything else is ignored with a message."""
    raw = (raw or "").strip()
    if not raw:
        return None, ""
    if raw == reports.UNASSIGNED:
        return raw, raw
    if raw == MINE:
        me = current_user.member
        if me is not None and me.team_id == sprint.team_id:
            return me.id, raw
        flash(
            f"Owner: “mine” shows the milestones you own, and you are not a member of "
            f"{sprint.team.name}; showing every owner's.",
            "error",
        )
        return None, ""
    if raw.isdigit() and int(raw) in {m.id for m in owners}:
        return int(raw), raw
    flash(f"Owner: {raw[:40]!r} owns nothing on this board; showing every owner's.", "error")
    return None, ""


def _board_page(db, sprint, raw_owner: str | None, refusal=None, status: int = 200):
    owners = reports.board_owners(db, sprint)
    owner, selected = _owner_filter(sprint, raw_owner, owners)
    me = current_user.member
    return render_template(
        "sprints/board.html",
        b=reports.sprint_board(db, sprint, owner=owner),
        form=EmptyForm(),
        owners=owners,
        owner=selected,
        owner_name=next((m.name for m in owners if m.id == owner), None),
        mine=me is not None and me.team_id == sprint.team_id,
        statuses=MILESTONE_STATUSES,
        refusal=refusal,
    ), status


@bp.route("/sprints/<int:sprint_id>")
@roles("admin", "lead")
def board(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    return _board_page(db, sprint, request.args.get("owner"))


@dataclass
class Refusal:
    """A board move refused: the card, the message, and what the user chose (kept)."""

    milestone_id: int
    title: str
    message: str
    status: str | None
    sprint_id: int | None
    reason: str


@bp.route("/milestones/<int:milestone_id>/move", methods=["POST"])
@roles("admin", "lead")
def move_milestone(milestone_id: int):
    """A board card's move: a new status and/or sprint in one submit, by the edit page's rules
    (the move recorded, done dated, dropping explained); back to the same board and filter."""
    db = get_db()
    milestone = get_milestone_for(db, current_user, milestone_id)
    title = milestone.title
    form = BoardMoveForm()
    board_sprint = db.get(Sprint, form.board.data) if form.board.data else None
    if board_sprint is None or board_sprint.team_id != milestone.project.team_id:
        board_sprint = milestone.sprint
    owner = form.owner.data if form.owner.data and len(form.owner.data) <= 20 else None
    if form.validate_on_submit():
        try:
            changed = milestones.move_on_board(
                db,
                milestone,
                form.status.data or None,
                form.sprint_id.data,
                current_user,
                form.reason.data or "",
            )
        except services.SprintError as exc:
            message = str(exc)
        else:
            if board_sprint is None:
                to = url_for("sprints.milestone", milestone_id=milestone.id)
            else:
                to = url_for(
                    "sprints.board",
                    sprint_id=board_sprint.id,
                    owner=owner,
                    _anchor=f"m-{milestone.id}",
                )
            if not changed:
                flash(f"{title}: nothing to change.", "info")
                return redirect(to)
            return views.done(f"{title}: {', '.join(changed)}.", to)
    else:
        message = "; ".join(
            f"{form[name].label.text}: {' '.join(errs)}" if name in form else " ".join(errs)
            for name, errs in form.errors.items()
        )
    db.rollback()
    refusal = Refusal(
        milestone_id, title, message, form.status.data, form.sprint_id.data, form.reason.data or ""
    )
    if board_sprint is None:
        flash(f"{title}: {message}", "error")
        return redirect(url_for("sprints.milestone", milestone_id=milestone_id))
    return _board_page(db, board_sprint, owner, refusal, 400)


@bp.route("/sprints/<int:sprint_id>/start", methods=["POST"])
@roles("admin", "lead")
def start_sprint(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    to = url_for("sprints.board", sprint_id=sprint.id)
    try:
        moved = closing.start_sprint(db, sprint)
    except services.SprintError as exc:
        views.refused(exc)
        return redirect(to)
    dates = f" It now runs from today, {sprint.start_date} to {sprint.end_date}." if moved else ""
    return views.done(f"{sprint.name} is the active sprint.{dates}", to)


@bp.route("/sprints/<int:sprint_id>/close", methods=["GET", "POST"])
@roles("admin", "lead")
def close_sprint(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    planned = closing.sprint_milestones(db, sprint)
    left = [m for m in planned if m.is_open]
    form = close_form(left)
    if sprint.state == "active" and form.validate_on_submit():
        try:
            target = closing.close_sprint(
                db, sprint, current_user, decisions(form, left), start_next=form.start_next.data
            )
        except services.SprintError as exc:
            views.refused(exc, form, "carry_reason")
        else:
            to = target or sprint
            return views.done(f"{sprint.name} closed.", url_for("sprints.board", sprint_id=to.id))
    next_sprint = closing.next_sprint_after(db, sprint)
    proposal = services.propose_next_sprint(db, sprint.team)
    return render_template(
        "sprints/close.html",
        sprint=sprint,
        planned=planned,
        moved_out=closing.moved_out_of(db, sprint),
        left=left,
        form=form,
        next_sprint=next_sprint,
        proposal=proposal,
        due_early=reports.due_before_start(
            left, next_sprint.start_date if next_sprint else proposal.start_date
        ),
    ), 400 if form.errors else 200
