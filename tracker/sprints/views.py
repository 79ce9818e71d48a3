"""Projects, sprints and milestones: the team's delivery page, forms, the board and closing."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import EmptyForm
from tracker.sprints import closing, milestones, reports, services
from tracker.sprints.access import get_milestone_for, get_project_for, get_sprint_for
from tracker.sprints.forms import MilestoneForm, ProjectForm, SprintForm, close_form, decisions
from tracker.team.services import get_team_for

bp = Blueprint("sprints", __name__)


def _failed(form, exc: services.SprintError, default: str):
    """Roll back, show the message beside its field, and re-render with the user's input."""
    get_db().rollback()
    field = getattr(form, exc.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, str(exc)]


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


def _save_form(form, save, field: str, template: str, **context):
    """What every create and edit form here does: on a valid POST, `save()` (it returns the
    message and the page to go to) and one commit; a SprintError goes beside its field (else
    `field`) with nothing written; otherwise the form again, 400 when it has errors."""
    if form.validate_on_submit():
        try:
            message, target = save()
        except services.SprintError as exc:
            _failed(form, exc, field)
        else:
            get_db().commit()
            flash(message, "success")
            return redirect(target)
    return render_template(template, form=form, **context), 400 if form.errors else 200


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
        today=date.today(),
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

    def save():
        project = services.create_project(db, team, _project_data(form))
        return f"Project {project.name} created.", url_for("sprints.project", project_id=project.id)

    return _save_form(form, save, "name", "sprints/project_form.html", team=team, project=None)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_project(project_id: int):
    db = get_db()
    project = get_project_for(db, current_user, project_id)
    form = _choices(ProjectForm(obj=project), project.team)

    def save():
        services.update_project(db, project, _project_data(form))
        return "Project saved.", url_for("sprints.project", project_id=project.id)

    return _save_form(
        form, save, "name", "sprints/project_form.html", team=project.team, project=project
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

    def save():
        milestones.create_milestone(db, project, _milestone_data(form), current_user)
        return "Milestone added.", url_for("sprints.project", project_id=project.id)

    return _save_form(
        form, save, "title", "sprints/milestone_form.html", project=project, milestone=None
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
        return "Milestone saved.", url_for("sprints.milestone", milestone_id=milestone.id)

    return _save_form(
        form,
        save,
        "title",
        "sprints/milestone_form.html",
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

    def save():
        sprint = services.create_sprint(db, team, _sprint_data(form))
        return f"{sprint.name} planned.", url_for("sprints.board", sprint_id=sprint.id)

    return _save_form(form, save, "name", "sprints/sprint_form.html", team=team, sprint=None)


@bp.route("/sprints/<int:sprint_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_sprint(sprint_id: int):
    db = get_db()
    sprint = get_sprint_for(db, current_user, sprint_id)
    form = SprintForm(obj=sprint)

    def save():
        services.update_sprint(db, sprint, _sprint_data(form))
        return "Sprint saved.", url_for("sprints.board", sprint_id=sprint.id)

    return _save_form(
        form, save, "name", "sprints/sprint_form.html", team=sprint.team, sprint=sprint
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
    try:
        services.start_sprint(db, sprint)
    except services.SprintError as exc:
        db.rollback()
        flash(str(exc), "error")
    else:
        db.commit()
        flash(f"{sprint.name} is the active sprint.", "success")
    return redirect(url_for("sprints.board", sprint_id=sprint.id))


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
            _failed(form, exc, "carry_reason")
        else:
            db.commit()
            flash(f"{sprint.name} closed.", "success")
            to = target or sprint
            return redirect(url_for("sprints.board", sprint_id=to.id))
    return render_template(
        "sprints/close.html",
        sprint=sprint,
        planned=planned,
        left=left,
        form=form,
        next_sprint=closing.next_sprint_after(db, sprint),
        proposal=services.propose_next_sprint(db, sprint.team),
    ), 400 if form.errors else 200
