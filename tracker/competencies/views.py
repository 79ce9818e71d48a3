"""A member's competencies, rating, the radar chart, the team skill matrix and its exports."""

from __future__ import annotations

from typing import TypedDict

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import views
from tracker.auditing import record
from tracker.auth.permissions import logged_in, roles
from tracker.cache import page_cached, render_cached
from tracker.competencies import services
from tracker.competencies.assessment import assess_member
from tracker.competencies.charts import radar_svg
from tracker.competencies.evidence import meetings
from tracker.competencies.forms import Evidence, RatingsForm, ratings_form
from tracker.competencies.matrix import (
    SORT_KEYS,
    MatrixArgs,
    canonical_args,
    sort_rows,
    team_matrix,
)
from tracker.competencies.matrix_export import BUILDERS, CONTENT_TYPES
from tracker.competencies.ratings import rate_changed, rated_meanwhile, row_field
from tracker.db import get_db, utcnow, writes
from tracker.forms import page_arg
from tracker.http import attachment, svg_response
from tracker.sprints.models import Milestone
from tracker.team.services import can_manage_team, get_member_for, get_team_for

bp = Blueprint("competencies", __name__)


def _assessment(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id)
    view = services.view_for_team(db, member.team)
    if view is None:
        return member, None
    args = request.args
    open_key = args.get("history") if args.get("history") in view.by_key else None
    return member, assess_member(
        db, member, view, args.get("target"), open_key, page_arg("history_page")
    )


@bp.route("/members/<int:member_id>/competencies")
@logged_in
def member(member_id: int):
    member, assessment = _assessment(member_id)
    return _render_member(member, assessment)


def _render_member(member, assessment, form: RatingsForm | None = None, status: int = 200):
    can_manage = can_manage_team(current_user, member.team)
    can_rate = (can_manage or member.user_id == current_user.id) and not member.archived
    kind = "self" if member.user_id == current_user.id else "lead"
    if form is None and assessment and can_rate:
        form = ratings_form(assessment, kind, _evidence(member))
    return render_template(
        "competencies/member.html",
        member=member,
        a=assessment,
        form=form if can_rate else None,
        can_manage=can_manage,
        can_rate=can_rate,
        kind=kind,
    ), status


@bp.route("/members/<int:member_id>/ratings", methods=["POST"])
@logged_in
def rate(member_id: int):
    member, assessment = _assessment(member_id)
    if assessment is None:
        abort(404)
    try:
        kind = services.rating_kind(
            current_user, member, can_manage_team(current_user, member.team)
        )
    except services.RatingError:
        abort(403)
    db = get_db()
    meanwhile = rated_meanwhile(db, assessment.view, member, kind, request.form)
    form = ratings_form(assessment, kind, _evidence(member), meanwhile.formdata)
    valid = form.validate_on_submit()
    if meanwhile.conflicts:
        _refuse_rated_meanwhile(form, meanwhile, assessment)
    elif valid:
        try:
            rows, cited = form.posted_rows(), (form.session_id.data, form.milestone_id.data)
            saved = rate_changed(db, assessment.view, member, current_user, kind, rows, *cited)
        except services.RatingError as exc:
            views.refused(exc, form)
        else:
            message = saved.message
            kept = meanwhile.kept(assessment.view)
            if kept:
                message += (
                    f" Rated by someone else since you loaded the page, and left as it was on"
                    f" your page: {', '.join(kept)}; the newer rating stands."
                )
            return views.done(message, url_for("competencies.member", member_id=member.id))
    return _render_member(member, assessment, form, status=400)


def _refuse_rated_meanwhile(form, meanwhile, assessment) -> None:
    """Nothing is saved: each competency the user changed that someone rated since the page
    was loaded says so beside its rating, with the newer value and its author; the user's
    typing stays, and saving again records it over the newer rating, knowingly."""
    labels = assessment.view.labels
    for competency in meanwhile.conflicts:
        now = meanwhile.current.get(competency.id)
        field = form[row_field("value", competency.id)]
        if now is None:
            said = f"{competency.name}: changed since you loaded this page."
        else:
            by = f" by {now.rater.name}" if now.rater else ""
            label = f" · {labels[now.value]}" if now.value in labels else ""
            said = (
                f"{competency.name}: rated {now.value}{label}{by} at "
                f"{now.created_at:%Y-%m-%d %H:%M} UTC, after you loaded this page."
            )
        field.errors = [*field.errors, f"{said} Save again to record yours instead."]
    names = meanwhile.names()
    form.form_errors.append(
        f"Nothing was saved: {', '.join(names)} {'was' if len(names) == 1 else 'were'} rated "
        "by someone else after you loaded this page. Your changes are kept below: compare "
        "them with the newer ratings, then save again to record them."
    )


@bp.route("/members/<int:member_id>/radar.svg")
@logged_in
def radar(member_id: int):
    _member, assessment = _assessment(member_id)
    if assessment is None:
        abort(404)
    return svg_response(radar_svg(assessment))


def _evidence(member) -> Evidence:
    """The member's recent sessions and delivered milestones, to cite as evidence (2 queries)."""
    db = get_db()
    sessions = meetings(db, member.id, held_before=utcnow(), limit=30)
    milestones = db.scalars(
        select(Milestone)
        .where(Milestone.owner_id == member.id, Milestone.status == "done")
        .order_by(Milestone.done_date.desc())
        .limit(30)
    ).all()
    return Evidence(sessions, list(milestones))


class _MatrixFilters(TypedDict):
    category: str | None
    level: str | None
    include_archived: bool


def _matrix_args() -> _MatrixFilters:
    args = request.args
    return {
        "category": args.get("category") or None,
        "level": args.get("level") or None,
        "include_archived": args.get("archived") == "1",
    }


@page_cached
@bp.route("/teams/<int:team_id>/matrix")
@roles("admin", "lead")
def matrix(team_id: int):
    db = get_db()
    team = get_team_for(db, current_user, team_id)  # the access check, before any cache
    asked = MatrixArgs(
        **_matrix_args(),
        sort=request.args.get("sort", "name"),
        desc=request.args.get("dir") == "desc",
    )
    args = canonical_args(db, team, asked)  # junk shares the real page's cache entry
    opts: _MatrixFilters = {
        "category": args.category,
        "level": args.level,
        "include_archived": args.include_archived,
    }

    def render() -> str:
        m = team_matrix(db, team, **opts)
        if m is not None:
            sort_rows(m, args.sort, args.desc)
        return render_template(
            "competencies/matrix.html",
            team=team,
            m=m,
            opts=opts,
            sort=args.sort,
            desc=args.desc,
            sort_keys=SORT_KEYS,
        )

    return render_cached("matrix", (team.id, *opts.values(), args.sort, args.desc), render)


@writes
@bp.route("/teams/<int:team_id>/matrix.<fmt>")
@roles("admin", "lead")
def export_matrix(team_id: int, fmt: str):
    if fmt not in BUILDERS:
        abort(404)
    db = get_db()
    team = get_team_for(db, current_user, team_id)
    m = team_matrix(db, team, **_matrix_args())
    if m is None:
        abort(404)
    record(db, "export", "team", team.id, f"skill matrix as {fmt}, {len(m.rows)} members")
    db.commit()
    return Response(
        BUILDERS[fmt](m),
        content_type=CONTENT_TYPES[fmt],
        headers=attachment(f"skill-matrix-{team.name}", fmt),
    )
