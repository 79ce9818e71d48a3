"""Home, teams and the member roster."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import localtime, views
from tracker.auth import services as account_services
from tracker.auth.link_views import send_or_show
from tracker.auth.permissions import logged_in, roles
from tracker.db import get_db
from tracker.forms import EmptyForm
from tracker.team import invites, services
from tracker.team.forms import MemberForm, TeamForm
from tracker.team.hooks import GlanceContext, frameworks, glances
from tracker.team.models import Member

bp = Blueprint("team", __name__)


@bp.route("/")
@logged_in
def home():
    if current_user.is_engineer:
        return redirect(url_for("mentoring.me"))
    return redirect(url_for("mentoring.dashboard"))


@bp.route("/teams")
@roles("admin", "lead")
def teams():
    summaries = services.team_summaries(get_db(), current_user)
    return render_template("team/teams.html", summaries=summaries)


def _team_form(form: TeamForm) -> TeamForm:
    form.framework_id.choices = [(0, "The organisation's default")] + frameworks().choices(get_db())
    if form.framework_id.data is None:  # a team on the default framework (None is not coerced)
        form.framework_id.data = 0
    form.leads.choices = [
        (u.id, f"{u.name} <{u.email}>") for u in services.lead_candidates(get_db())
    ]
    return form


@bp.route("/teams/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_team():
    form = _team_form(TeamForm())
    if request.method == "GET" and current_user.is_lead:
        form.leads.data = [current_user.id]

    def create():
        # Validated: the name is required, and a posted multi-select is a list (maybe empty).
        assert form.name.data is not None and form.leads.data is not None
        data = form.name.data, form.leads.data, form.framework_id.data
        team = services.create_team(get_db(), *data, form.sprint_length_days.data)
        if current_user.is_lead and current_user not in team.leads:
            raise services.TeamError("You must be one of the leads of a team you create.", "leads")
        return team

    return views.save(
        form,
        create,
        flash_ok=lambda team: f"Team {team.name} created.",
        to=lambda team: url_for("team.team", team_id=team.id),
        template="team/team_form.html",
        field="name",
        invalid=200,
        team=None,
    )


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_team(team_id: int):
    db = get_db()
    team = services.get_team_for(db, current_user, team_id)
    form = _team_form(TeamForm(obj=team))
    if request.method == "GET":
        form.leads.data = [u.id for u in team.leads]

    def update():
        assert form.name.data is not None and form.leads.data is not None  # as in new_team
        data = form.name.data, form.leads.data, form.framework_id.data
        services.update_team(db, team, *data, form.sprint_length_days.data)

    return views.save(
        form,
        update,
        flash_ok="Team saved.",
        to=url_for("team.team", team_id=team.id),
        template="team/team_form.html",
        field="name",
        invalid=200,
        team=team,
    )


@bp.route("/teams/<int:team_id>")
@roles("admin", "lead")
def team(team_id: int):
    db = get_db()
    team = services.get_team_for(db, current_user, team_id)
    args = request.args
    sort = args.get("sort", "name") if args.get("sort") in services.SORTS else "name"
    status = args.get("status", "active") if args.get("status") in services.STATUSES else "active"
    levels = services.level_choices(db, team.id)
    level = args.get("level") if args.get("level") in levels else None
    desc = args.get("dir") == "desc"
    members = services.list_members(
        db, team, sort=sort, desc=desc, level=level, status=status, levels=levels
    )
    return render_template(
        "team/team.html",
        team=team,
        members=members,
        sort=sort,
        desc=desc,
        status=status,
        level=level,
        levels=levels,
        statuses=services.STATUSES,
    )


def _member_form(
    form: MemberForm, team_id: int, current_level: str | None = None
) -> tuple[MemberForm, set[int]]:
    db = get_db()
    teams = services.manageable_teams(db, current_user)
    form.team_id.choices = [(t.id, t.name) for t in teams]
    levels = services.level_choices(db, team_id)
    form.level.choices = [(lvl, lvl) for lvl in levels]
    if current_level and current_level not in levels:
        # Offer the member's present level so saving other changes never demotes them.
        form.level.choices.append((current_level, f"{current_level} (not in this framework)"))
    return form, {t.id for t in teams}


def _member_data(form: MemberForm) -> services.MemberData:
    # The form validated: its InputRequired fields hold values.
    assert form.name.data is not None and form.email.data is not None
    assert form.cadence_days.data is not None
    return services.MemberData(
        name=form.name.data,
        email=form.email.data,
        job_title=form.job_title.data or "",
        level=form.level.data,
        start_date=form.start_date.data,
        cadence_days=form.cadence_days.data,
        team_id=form.team_id.data,
    )


@bp.route("/teams/<int:team_id>/members/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_member(team_id: int):
    db = get_db()
    team = services.get_team_for(db, current_user, team_id)
    form, allowed = _member_form(MemberForm(team_id=team.id), team.id)
    return views.save(
        form,
        lambda: services.create_member(db, _member_data(form), allowed),
        flash_ok=lambda member: f"{member.name} added to the team.",
        to=lambda member: url_for("team.member", member_id=member.id),
        template="team/member_form.html",
        field="name",
        invalid=200,
        team=team,
        member=None,
    )


@bp.route("/members/<int:member_id>")
@logged_in
def member(member_id: int):
    db = get_db()
    member = services.get_member_for(db, current_user, member_id)
    can_manage = services.can_manage_team(current_user, member.team)
    # What a lead opens the page for: each later feature's panel (tracker/team/hooks.py).
    ctx = GlanceContext(db, current_user, member, can_manage, localtime.now(), localtime.today())
    panels = glances(ctx)
    return render_template(
        "team/member.html", member=member, can_manage=can_manage, form=EmptyForm(), panels=panels
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@logged_in
def edit_member(member_id: int):
    db = get_db()
    member = services.get_member_for(db, current_user, member_id, manage=True)
    form, allowed = _member_form(MemberForm(obj=member), member.team_id, member.level)
    return views.save(
        form,
        lambda: services.update_member(db, member, _member_data(form), allowed),
        flash_ok="Member saved.",
        to=url_for("team.member", member_id=member.id),
        template="team/member_form.html",
        field="name",
        invalid=200,
        team=member.team,
        member=member,
    )


@bp.route("/members/<int:member_id>/archive", methods=["POST"])
@logged_in
def archive_member(member_id: int):
    return _set_archived(member_id, True)


@bp.route("/members/<int:member_id>/restore", methods=["POST"])
@logged_in
def restore_member(member_id: int):
    return _set_archived(member_id, False)


def _set_archived(member_id: int, archived: bool):
    db = get_db()
    member = services.get_member_for(db, current_user, member_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    account = services.set_archived(member, archived)
    message = f"{member.name} is {'archived' if archived else 'restored'}.{account}"
    return views.done(message, url_for("team.member", member_id=member.id))


@bp.route("/members/<int:member_id>/invite", methods=["POST"])
@logged_in
def invite_member(member_id: int):
    db = get_db()
    member: Member = services.get_member_for(db, current_user, member_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        _link, token = invites.invite_member(db, member, current_user)
    except account_services.AccountError as exc:
        views.refused(exc)
        return redirect(url_for("team.member", member_id=member.id))
    db.commit()
    back = url_for("team.member", member_id=member.id)
    return send_or_show(
        member.email, member.name, token, "invitation", current_user.name, back, member=member
    )
