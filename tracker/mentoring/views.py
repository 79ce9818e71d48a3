"""The lead's dashboard, sessions, action items, the timeline and the calendar feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from tracker import localtime, views
from tracker.auth.permissions import logged_in, public, roles
from tracker.cache import page_cached, render_cached
from tracker.competencies.services import view_for_team
from tracker.db import get_db, writes
from tracker.forms import EmptyForm, page_arg
from tracker.http import safe_redirect_target
from tracker.mentoring import agenda as agenda_builder
from tracker.mentoring import agenda_templates, cadence, services
from tracker.mentoring import calendar as feeds
from tracker.mentoring.calendar import build_feed
from tracker.mentoring.forms import ItemForm, SessionForm
from tracker.mentoring.models import SESSION_KINDS, AgendaTemplate
from tracker.plans import services as plans
from tracker.sprints.calendar import sprint_events
from tracker.sprints.services import MINE_SHOWN, count_owned, dashboard_summary, milestones_owned
from tracker.team.services import can_manage_team, get_member_for

bp = Blueprint("mentoring", __name__)


@page_cached
@bp.route("/dashboard")
@roles("admin", "lead")
def dashboard():
    page = page_arg("items_page")
    if page > 1:  # a page past the last shows the last one, under the same cache key
        page = min(page, cadence.overdue_pages(get_db(), current_user, localtime.today()))
    # Keyed by the viewer's date too: "today" turns at their midnight.
    return render_cached("dashboard", (page, localtime.today()), lambda: _render_dashboard(page))


def _render_dashboard(page: int) -> str:
    db = get_db()
    now = localtime.now()
    today = localtime.today()  # the viewer's: overdue and due this week turn at their midnight
    rows = cadence.cadences(db, current_user, now, localtime.zone())
    board = cadence.cadence_board(rows, today)
    items, total = cadence.overdue_items(db, current_user, today, page)
    return render_template(
        "mentoring/dashboard.html",
        today=today,
        board=board,
        member_count=len(rows),  # active members managed: none, and the page says what next
        items=items,
        items_total=total,
        items_page=page,
        items_per_page=cadence.ITEMS_PAGE,
        delivery=dashboard_summary(db, current_user),  # the delivery panel
    )


def _session_form(form: SessionForm, view) -> SessionForm:
    form.competency_ids.choices = [
        (c.id, f"{c.category.name}: {c.name}") for c in (view.competencies if view else [])
    ]
    return form


def _session_data(form: SessionForm) -> services.SessionData:
    # The form validated: its InputRequired fields hold values.
    assert form.held_at.data is not None and form.duration_minutes.data is not None
    return services.SessionData(
        kind=form.kind.data,
        held_at=localtime.to_utc(form.held_at.data),  # typed in the user's zone, kept in UTC
        duration_minutes=form.duration_minutes.data,
        agenda=form.agenda.data or "",
        shared_notes=form.shared_notes.data or "",
        private_notes=form.private_notes.data or "",
        mood=form.mood.data,
        competency_ids=form.competency_ids.data or [],
    )


@bp.route("/members/<int:member_id>/sessions/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_session(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id, manage=True)
    view = view_for_team(db, member.team)
    now = localtime.now()
    form = _session_form(SessionForm(), view)
    offered = agenda_templates.usable(db, current_user)
    chosen = _chosen_template(db, member, offered)
    base = request.form.get("agenda_base", "")
    if request.method == "GET":
        form.held_at.data = localtime.to_local(now).replace(second=0, microsecond=0)
        form.agenda.data = base = agenda_builder.prefill(db, member, view, now, _body(chosen))
    elif "use_template" in request.form:  # re-render with the template: nothing is saved
        form.agenda.data, base = _apply_template(db, member, view, now, form, base, chosen)
    elif form.validate_on_submit():
        try:  # the session and its ticks are one transaction: a refusal keeps neither
            s = services.create_session(db, member, current_user, _session_data(form), view)
            ticked = services.tick_carried(db, member, current_user, form.done.data or [], now)
        except services.MentoringError as exc:
            views.refused(exc, form, "kind")  # the page below is built after the rollback
        else:
            said = "Session scheduled." if s.is_scheduled(now) else "Session logged."
            return views.done(said + _ticked(ticked), url_for("mentoring.session", session_id=s.id))
    return render_template(
        "mentoring/session_form.html",
        form=form,
        member=member,
        s=None,
        **_carried(db, member.id, now),
        audience=services.audience(member, current_user),
        templates=offered,
        chosen=chosen,
        agenda_base=base,
    )


def _chosen_template(db, member, offered: list) -> AgendaTemplate | None:
    """The template asked for (?template=<id> or the form's choice; 0: none), else the one
    suggested: "First 1:1" for a member never met. Only an offered one: never another lead's
    or an archived one."""
    asked = request.values.get("template")
    if asked is None:
        return agenda_templates.suggested(offered, first=not services.has_met(db, member.id))
    return next((t for t in offered if str(t.id) == asked.strip()), None)


def _body(template: AgendaTemplate | None) -> str:
    return template.body if template is not None else ""


def _apply_template(db, member, view, now, form, base: str, chosen) -> tuple[str, str]:
    """The agenda with `chosen` applied, and the prefilled text it now stands for. An agenda
    as it was prefilled (or empty) is prefilled again from the new template; one the user
    typed in is kept, with the template's talking points it lacks added after it."""
    typed = (form.agenda.data or "").strip()
    if not typed or typed == base.replace("\r\n", "\n").strip():
        fresh = agenda_builder.prefill(db, member, view, now, _body(chosen))
        return fresh, fresh
    if chosen is None:
        return form.agenda.data or "", base
    return agenda_builder.add_points(form.agenda.data or "", chosen.body), base


def _ticked(count: int) -> str:
    return f" {count} action item{'' if count == 1 else 's'} ticked off." if count else ""


def _carried(db, member_id: int, now, before=None) -> dict:
    """The most pressing open items for a page, and how many there are in all."""
    return {
        "carried": services.open_items(db, member_id, now, before, limit=services.OPEN_SHOWN),
        "carried_total": services.count_open(db, member_id, before),
    }


@bp.route("/members/<int:member_id>/items")
@logged_in
def open_items(member_id: int):
    """Every open action item of a member, a page at a time, the most pressing first."""
    db = get_db()
    member = get_member_for(db, current_user, member_id)
    total = services.count_open(db, member.id)
    pages = max(1, -(-total // services.OPEN_PAGE))
    page = min(page_arg(), pages)
    now = localtime.now()
    return render_template(
        "mentoring/open_items.html",
        member=member,
        now=now,
        carried=services.open_items(
            db, member.id, now, limit=services.OPEN_PAGE, offset=(page - 1) * services.OPEN_PAGE
        ),
        total=total,
        page=page,
        pages=pages,
        per_page=services.OPEN_PAGE,
        manage=can_manage_team(current_user, member.team),
        tick=EmptyForm(),
    )


@bp.route("/sessions/<int:session_id>")
@logged_in
def session(session_id: int):
    db = get_db()
    s = services.get_session_for(db, current_user, session_id)
    now = localtime.now()
    can_edit = s.mentor_id == current_user.id
    return render_template(
        "mentoring/session.html",
        s=s,
        now=now,
        can_edit=can_edit,
        private=services.can_read_private(current_user, s),
        **_carried(db, s.member_id, now, before=s.held_at),
        item_form=ItemForm() if can_edit else None,
        tick=EmptyForm(),
        audience=services.audience(s.member, current_user),
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_session(session_id: int):
    db = get_db()
    s = services.get_session_for(db, current_user, session_id, manage=True)
    view = view_for_team(db, s.member.team)
    form = _session_form(SessionForm(obj=s), view)
    if request.method == "GET":
        form.competency_ids.data = [c.id for c in s.competencies]
        form.held_at.data = localtime.to_local(s.held_at)  # shown as it was typed
    now = localtime.now()

    def update() -> int:
        services.update_session(db, s, _session_data(form), view)
        return services.tick_carried(db, s.member, current_user, form.done.data or [], now)

    return views.save(
        form,
        update,
        flash_ok=lambda ticked: "Session saved." + _ticked(ticked),
        to=url_for("mentoring.session", session_id=s.id),
        template="mentoring/session_form.html",
        field="kind",
        invalid=200,
        member=s.member,
        s=s,
        **_carried(db, s.member_id, now, before=s.held_at),
        audience=services.audience(s.member, current_user),
    )


@bp.route("/sessions/<int:session_id>/items", methods=["POST"])
@roles("admin", "lead")
def add_item(session_id: int):
    db = get_db()
    s = services.get_session_for(db, current_user, session_id, manage=True)
    form = ItemForm()
    if form.validate_on_submit():
        assert form.text.data is not None  # InputRequired
        try:
            services.add_item(db, s, form.text.data, form.owner.data, form.due_date.data)
        except services.MentoringError as exc:
            views.refused(exc, form, "text")  # the page below is built after the rollback
        else:
            to = url_for("mentoring.session", session_id=s.id, _anchor="items")
            return views.done("Action item added.", to)
    now = localtime.now()
    return render_template(
        "mentoring/session.html",
        s=s,
        now=now,
        can_edit=True,
        private=True,
        **_carried(db, s.member_id, now, before=s.held_at),
        item_form=form,
        tick=EmptyForm(),
        audience=services.audience(s.member, current_user),
    ), 400


@bp.route("/items/<int:item_id>/done", methods=["POST"])
@logged_in
def item_done(item_id: int):
    return _tick(item_id, True)


@bp.route("/items/<int:item_id>/reopen", methods=["POST"])
@logged_in
def item_reopen(item_id: int):
    return _tick(item_id, False)


def _tick(item_id: int, done: bool):
    db = get_db()
    item, _member = services.get_item_for(db, current_user, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.set_done(item, current_user, done, localtime.now())
    said = f"“{item.text}” {'ticked off' if done else 'reopened'}."
    return views.done(said, safe_redirect_target(request.form.get("next"), url_for("team.home")))


PAGE = 50  # sessions per timeline page: two years of weekly 1:1s is over a hundred


@bp.route("/members/<int:member_id>/sessions")
@logged_in
def timeline(member_id: int):
    db = get_db()
    member = get_member_for(db, current_user, member_id)
    args = request.args
    kind = args.get("kind") if args.get("kind") in SESSION_KINDS else None
    key, q = args.get("competency") or None, (args.get("q") or "").strip()[:200]
    page = page_arg()
    sessions = services.timeline(
        db, member, current_user, kind=kind, competency_key=key, q=q, page=page, per_page=PAGE
    )
    view = view_for_team(db, member.team)
    now = localtime.now()
    return render_template(
        "mentoring/timeline.html",
        member=member,
        sessions=sessions[:PAGE],
        page=page,
        has_older=len(sessions) > PAGE,
        kind=kind,
        key=key,
        q=q,
        kinds=SESSION_KINDS,
        view=view,
        now=now,
        can_log=can_manage_team(current_user, member.team),
    )


@writes
@bp.route("/calendar")
@roles("admin", "lead")
def calendar():
    """The feed's address is shown once, when made: only its digest is kept."""
    db = get_db()
    feed = feeds.feed_of(db, current_user)
    if feed is not None:
        return render_template("mentoring/calendar.html", url=None, feed=feed, form=EmptyForm())
    token = feeds.new_feed(db, current_user)
    db.commit()
    return _show_feed(token, made=True)


@bp.route("/calendar/reset", methods=["POST"])
@roles("admin", "lead")
def reset_calendar():
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = feeds.new_feed(get_db(), current_user)
    get_db().commit()
    return _show_feed(token, made=False)


def _show_feed(token: str, made: bool):
    url = url_for("mentoring.calendar_feed", token=token, _external=True)
    return render_template("mentoring/calendar.html", url=url, made=made, form=EmptyForm())


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    db = get_db()
    user = feeds.user_for_feed(db, token)
    if user is None:
        abort(404)
    body = build_feed(db, user, localtime.now(), sprint_events(db, user))  # and sprint dates
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="team-tracker.ics"'},
    )


@bp.route("/me")
@logged_in
def me():
    """The engineer's home: their growth plan, radar, open items and shared notes."""
    db = get_db()
    member = current_user.member
    if member is None:
        return render_template("team/no_profile.html")
    member = get_member_for(db, current_user, member.id)
    now = localtime.now()
    progress = plans.plan_progress(db, member)
    return render_template(
        "mentoring/me.html",
        member=member,
        progress=progress,
        now=now,
        **_carried(db, member.id, now),
        sessions=services.timeline(db, member, current_user, per_page=10)[:10],
        tick=EmptyForm(),
        manage=False,
        owned_milestones=milestones_owned(db, member, limit=MINE_SHOWN),
        owned_total=count_owned(db, member),
    )
