"""Growth-plan pages: the plan, its goals, gap-to-goal, comments and the print view."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from tracker import views
from tracker.auth.permissions import logged_in
from tracker.competencies.services import view_for_team
from tracker.db import get_db
from tracker.forms import page_arg
from tracker.plans import lists as plan_lists
from tracker.plans import services as plans
from tracker.plans.forms import CommentForm, goal_form, plan_form
from tracker.team.services import can_manage_team, get_member_for

bp = Blueprint("plans", __name__)


def _goal_data(form, with_sessions: bool = False) -> plans.GoalData:
    return plans.GoalData(
        title=form.title.data or "",
        description=form.description.data or "",
        competency_key=form.competency_key.data,
        target_proficiency=form.target_proficiency.data,
        due_date=form.due_date.data,
        status=form.status.data if with_sessions else "not_started",
        session_ids=(form.sessions.data or []) if with_sessions else None,
        milestone_ids=(form.milestones.data or []) if with_sessions else None,
    )


def _render_plan(member, *, pform=None, gform=None, failed_comment=None, status=200):
    """The plan page; a failed form is passed back in so the user's typing is kept."""
    db = get_db()
    view = view_for_team(db, member.team)
    progress = plans.plan_progress(db, member, view)
    plan = progress.plan if progress else None
    can_manage = can_manage_team(current_user, member.team)
    if can_manage:
        values = {"obj": plan} if plan else {"target_level": member.level}
        pform = pform or plan_form(view, **values)
        gform = gform or goal_form(view)
    return render_template(
        "plans/plan.html",
        member=member,
        progress=progress,
        plan=plan,
        **_bounded_lists(db, plan),
        view=view,
        can_manage=can_manage,
        can_comment=can_manage or member.user_id == current_user.id,
        pform=pform,
        gform=gform,
        failed_comment=failed_comment,
    ), status


def _bounded_lists(db, plan) -> dict:
    """The newest comments per goal and the newest changes: what the plan and print pages show
    of lists that grow (the rest a page at a time, behind links)."""
    if plan is None:
        return {"threads": {}, "history": None}
    return {
        "threads": plan_lists.newest_comments(db, [g.id for g in plan.goals]),
        "history": plan_lists.history(db, plan),
        "links_shown": plan_lists.LINKS_SHOWN,
        "max_comment": plans.MAX_COMMENT,
    }


def _failed(member, exc: plans.PlanError, **forms):
    views.refused(exc)  # rolled back and flashed: the page is rebuilt from what is stored
    return _render_plan(member, **forms, status=400)


@bp.route("/members/<int:member_id>/plan", methods=["GET", "POST"])
@logged_in
def plan(member_id: int):
    """The plan page; a POST (lead or admin) creates or updates the plan."""
    db = get_db()
    if request.method == "GET":
        return _render_plan(get_member_for(db, current_user, member_id))
    member = get_member_for(db, current_user, member_id, manage=True)
    view = view_for_team(db, member.team)
    form = plan_form(view, request.form)
    try:
        if not form.validate():
            raise plans.PlanError("The plan was not saved: see the errors below.")
        data = form.target_level.data, form.target_date.data, form.summary.data
        plans.save_plan(db, member, current_user, *data, view)
    except plans.PlanError as exc:
        if exc.field:
            form[exc.field].errors.append(str(exc))
        return _failed(member, exc, pform=form)
    return views.done("Growth plan saved.", url_for("plans.plan", member_id=member.id))


def _goal_url(member, goal) -> str:
    return url_for("plans.plan", member_id=member.id, _anchor=f"goal-{goal.id}")


def _plan_or_404(db, member):
    plan = plans.get_or_none(db, member)
    if plan is None:
        abort(404)
    return plan


@bp.route("/members/<int:member_id>/plan/goals", methods=["POST"])
@logged_in
def add_goal(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id, manage=True)
    plan, view = _plan_or_404(db, member), view_for_team(db, member.team)
    form = goal_form(view, request.form)
    try:
        if not form.validate():
            raise plans.PlanError("The goal was not added: see the errors below.")
        goal = plans.add_goal(db, plan, member, current_user, _goal_data(form), view)
    except plans.PlanError as exc:
        if exc.field:
            form[exc.field].errors.append(str(exc))
        return _failed(member, exc, gform=form)
    return views.done(f"Goal “{goal.title}” added.", _goal_url(member, goal))


@bp.route("/members/<int:member_id>/plan/gap-goal", methods=["POST"])
@logged_in
def gap_goal(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id, manage=True)
    plan, view = _plan_or_404(db, member), view_for_team(db, member.team)
    key = request.form.get("competency_key", "")
    try:
        goal = plans.goal_from_gap(db, plan, member, key, view, current_user)
    except plans.PlanError as exc:
        return _failed(member, exc)
    return views.done(f"Goal “{goal.title}” added.", _goal_url(member, goal))


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@logged_in
def edit_goal(goal_id: int):
    db = get_db()
    goal, member = plans.get_goal_for(db, current_user, goal_id, manage=True)
    view = view_for_team(db, member.team)
    sessions = plans.session_choices(db, member)
    form = goal_form(
        view,
        request.form if request.method == "POST" else None,
        edit=True,
        sessions=sessions,
        milestones=plans.milestone_choices(db, member),
        obj=goal,
    )
    if request.method == "GET":
        form.sessions.data = [s.id for s in goal.sessions]
        form.milestones.data = [m.id for m in goal.milestones]
    return views.save(
        form,
        lambda: plans.update_goal(db, goal, member, current_user, _goal_data(form, True), view),
        flash_ok="Goal saved.",
        to=_goal_url(member, goal),
        template="plans/goal_form.html",
        field="title",
        goal=goal,
        member=member,
    )


@bp.route("/goals/<int:goal_id>/comments", methods=["POST"])
@logged_in
def add_comment(goal_id: int):
    db = get_db()
    goal, member = plans.get_goal_for(db, current_user, goal_id)
    form = CommentForm(request.form)
    try:
        if not form.validate():
            raise plans.PlanError(" ".join(form.body.errors), "body")
        plans.add_comment(db, goal, current_user, form.body.data)
    except plans.PlanError as exc:
        form.body.errors = [str(exc)]
        return _failed(member, exc, failed_comment=(goal.id, form))
    return views.done("Comment added.", _goal_url(member, goal))


@bp.route("/members/<int:member_id>/plan/print")
@logged_in
def print_plan(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id)
    progress = plans.plan_progress(db, member)
    if progress is None:
        abort(404)
    return render_template(
        "plans/plan_print.html",
        member=member,
        progress=progress,
        **_bounded_lists(db, progress.plan),
    )


@bp.route("/goals/<int:goal_id>/all-comments")
@logged_in
def goal_comments(goal_id: int):
    """Every comment on a goal, a page at a time, newest first."""
    db = get_db()
    goal, member = plans.get_goal_for(db, current_user, goal_id)
    thread = plan_lists.comment_page(db, goal.id, page_arg())
    return render_template("plans/goal_comments.html", goal=goal, member=member, thread=thread)


@bp.route("/members/<int:member_id>/plan/history")
@logged_in
def plan_history(member_id: int):
    """Every change to the plan, a page at a time, newest first."""
    db = get_db()
    member = get_member_for(db, current_user, member_id)
    plan = _plan_or_404(db, member)
    changes = plan_lists.history(db, plan, page_arg())
    return render_template("plans/plan_history.html", member=member, plan=plan, changes=changes)
