"""The sprint report and its charts, the delivery dashboard, my milestones, and imports."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth.permissions import logged_in, roles
from tracker.db import get_db
from tracker.delivery import charts, reports
from tracker.delivery.forms import ImportConfirmForm, ImportForm
from tracker.delivery.importers import MAX_IMPORT_BYTES, ImportFormatError, parse_delivery
from tracker.delivery.importing import apply_delivery, preview_delivery
from tracker.forms import page_arg
from tracker.http import svg_response
from tracker.sprints import services
from tracker.sprints.access import get_project_for
from tracker.sprints.services import SprintError
from tracker.team.services import get_team_for
from tracker.text import count_of

bp = Blueprint("delivery", __name__)


def _sprint_count() -> int:
    n = request.args.get("n", "6")
    # ASCII digits only ("²".isdigit() is true) and short (no 5,000-digit int to parse).
    return min(max(int(n), 1), 26) if re.fullmatch(r"[0-9]{1,4}", n) else 6


@bp.route("/delivery")
@roles("admin", "lead")
def dashboard():
    delivery = services.dashboard_summary(get_db(), current_user)
    return render_template("delivery/dashboard.html", delivery=delivery)


@bp.route("/milestones/mine")
@logged_in
def mine():
    member = current_user.member
    if member is None:
        return render_template("delivery/mine.html", owned_milestones=[], owned_total=0)
    db, per = get_db(), services.MINE_PAGE
    total = services.count_owned(db, member)
    pages = max(1, -(-total // per))
    page = min(page_arg(), pages)
    owned = services.milestones_owned(db, member, limit=per, offset=(page - 1) * per)
    return render_template(
        "delivery/mine.html",
        owned_milestones=owned,
        owned_total=total,
        owned_pages={"page": page, "pages": pages},
    )


@bp.route("/teams/<int:team_id>/sprint-report")
@roles("admin", "lead")
def report(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    report = reports.sprint_report(db, team, _sprint_count())
    return render_template("delivery/report.html", team=team, r=report)


@bp.route("/teams/<int:team_id>/delivery-trend.svg")
@roles("admin", "lead")
def trend_chart(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    return svg_response(charts.trend_svg(reports.sprint_report(db, team, _sprint_count())))


@bp.route("/projects/<int:project_id>/burnup.svg")
@roles("admin", "lead")
def burnup_chart(project_id: int):
    db = get_db()
    project = get_project_for(db, current_user, project_id)
    report = reports.sprint_report(db, project.team, _sprint_count())
    burnup = next(b for b in report.burnups if b.project.id == project.id)
    return svg_response(charts.burnup_svg(burnup))


@bp.route("/teams/<int:team_id>/delivery/import", methods=["GET", "POST"])
@roles("admin", "lead")
def import_upload(team_id: int):
    team = get_team_for(get_db(), current_user, team_id)
    form = ImportForm()
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("delivery/import.html", team=team, form=form, errors=None), status
    return _preview(team, form.file.data.read(MAX_IMPORT_BYTES + 1), form.project.data or "")


def _preview(team, data: bytes, project: str, confirm: bool = False):
    db = get_db()
    try:
        plan = parse_delivery(data)
        preview = preview_delivery(db, team, plan, project or None)
        if not confirm:
            form = ImportConfirmForm(content=data.decode("utf-8-sig"), project=project)
            return render_template("delivery/import_preview.html", p=preview, confirm=form)
        project_row, created = apply_delivery(db, preview, current_user)
        db.commit()
    except ImportFormatError as exc:
        return _refused(team, project, exc.errors)
    except SprintError as exc:
        return _refused(team, project, [str(exc)])
    except IntegrityError:  # PostgreSQL: the same import confirmed twice at once
        return _refused(
            team,
            project,
            [
                "Another import into this team finished first, so nothing was written. "
                "Upload the file again to see what is left to import."
            ],
        )
    flash(f"Imported {count_of(created, 'milestone')} into {project_row.name}.", "success")
    return redirect(url_for("sprints.project", project_id=project_row.id))


def _refused(team, project: str, errors: list[str]):
    """The upload form again, with what is wrong; nothing written."""
    get_db().rollback()
    form = ImportForm(formdata=None, project=project)
    return render_template("delivery/import.html", team=team, form=form, errors=errors), 400


@bp.route("/teams/<int:team_id>/delivery/import/confirm", methods=["POST"])
@roles("admin", "lead")
def import_confirm(team_id: int):
    team = get_team_for(get_db(), current_user, team_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    assert form.content.data is not None  # InputRequired
    return _preview(team, form.content.data.encode("utf-8"), form.project.data or "", True)
