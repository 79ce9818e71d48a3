"""Projects, sprints and milestones: the team's delivery page, forms, the board and closing."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import localtime, views
from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import EmptyForm
from tracker.sprints import closing, milestones, reports, services
from tracker.sprints.access import get_milestone_for, get_project_for, get_sprint_for
from tracker.sprints.forms import MilestoneForm, ProjectForm, SprintForm, close_form, decisions
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


@bp.route("/sprints/<int:sprint_id>")
@roles("admin", "lead")
def board(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    return render_template(
        "sprints/board.html", b=reports.sprint_board(db, sprint), form=EmptyForm()
    )


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
