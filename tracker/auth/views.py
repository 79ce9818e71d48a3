"""Login, logout, own password and the admin's user pages (links: link_views.py)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker import localtime, views
from tracker.auditing import record
from tracker.auth import services, sessions
from tracker.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    OrganisationForm,
    TimeZoneForm,
    UserEditForm,
)
from tracker.auth.hooks import second_step
from tracker.auth.models import User
from tracker.auth.permissions import logged_in, public, roles
from tracker.db import get_db, utcnow
from tracker.forms import EmptyForm
from tracker.http import safe_next

bp = Blueprint("auth", __name__)


def start_session(user: User, remember: bool) -> None:
    """Log `user` in on this browser: a new login row and a fresh session."""
    session.clear()  # a fresh session on login: no fixation
    db = get_db()
    # A new row, committed before its cookies are set: the cookies name it (auth/sessions.py).
    sessions.start(db, user, remember, request.remote_addr or "unknown", request.user_agent.string)
    db.commit()
    login_user(user, remember=remember)
    session.permanent = True
    session["login_at"] = utcnow().isoformat()


def _end_current_session() -> None:
    """Forget this browser's login (its row is already ended by the caller)."""
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # logout_user asked Flask-Login to drop the remember cookie


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("team.home"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.email.data is not None and form.password.data is not None  # InputRequired
        result = services.authenticate(
            db, form.email.data, form.password.data, request.remote_addr or "unknown"
        )
        db.commit()  # failed attempts are recorded too: that is the throttle's memory
        if result.user is not None:
            # A second factor (tracker/identity/) may answer first: then no login yet.
            later = second_step(result.user, form.remember.data, request.args.get("next"))
            if later is not None:
                return later
            start_session(result.user, form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        cast(list, form.password.errors).append(result.error)  # a list once validated
        page = render_template("auth/login.html", form=form)
        if result.retry_after is not None:  # throttled: say when to come back
            return page, 429, {"Retry-After": str(result.retry_after)}
        return page, 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            db = get_db()
            row = sessions.end_session(db, current_user, current_user.login_session_id)
            record(db, "logout", "login session", row.id if row else None, _label(row))
            db.commit()
        _end_current_session()
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@logged_in
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.current_password.data is not None and form.password.data is not None
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            db.commit()
            start_session(
                current_user._get_current_object(), remember=False
            )  # this session lives on, others end
            flash("Password changed. Your other sessions have been logged out.", "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, TimeZoneForm(time_zone=current_user.time_zone))


def _account_page(form: ChangePasswordForm, zone_form: TimeZoneForm):
    status = 400 if zone_form.errors else 200  # (a refused password is a 200, as before)
    return render_template(
        "auth/account.html",
        form=form,
        zone_form=zone_form,
        organisation_zone=localtime.organisation_zone(get_db()),
        zones=localtime.choices(),
        logout_form=EmptyForm(),
        logins=sessions.live_sessions(get_db(), current_user),
        browser=sessions.browser,
    ), status


@bp.route("/account/time-zone", methods=["POST"])
@logged_in
def set_time_zone():
    """The user's own time zone (empty: the organisation's); a bad name keeps the typing."""
    zone_form = TimeZoneForm()
    if zone_form.validate_on_submit():
        current_user.time_zone = zone_form.time_zone.data or None
        get_db().commit()  # the audit log records the change (User is audited)
        shown = current_user.time_zone or "the organisation's"
        flash(f"Your time zone is now {shown}.", "success")
        return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(formdata=None), zone_form)


@bp.route("/admin/organisation", methods=["GET", "POST"])
@roles("admin")
def organisation():
    """The organisation's settings: its time zone, everyone's who has not chosen their own."""
    db = get_db()
    form = OrganisationForm(data={"time_zone": localtime.organisation_zone(db)})
    if form.validate_on_submit():
        assert form.time_zone.data is not None  # InputRequired
        localtime.set_organisation_zone(db, form.time_zone.data)  # audited as "organisation"
        db.commit()
        flash(f"The organisation's time zone is now {form.time_zone.data}.", "success")
        return redirect(url_for("auth.organisation"))
    status = 400 if form.errors else 200
    return render_template(
        "auth/organisation.html",
        form=form,
        zones=localtime.choices(),
        configured=localtime.configured_zone(current_app),
    ), status


@bp.route("/account/logout-everywhere", methods=["POST"])
@logged_in
def logout_everywhere():
    if EmptyForm().validate_on_submit():
        db = get_db()
        count = len(sessions.live_sessions(db, current_user))
        current_user.end_all_sessions()  # every login, and the calendar feed (auth/sessions.py)
        record(db, "logout everywhere", "user", current_user.id, f"{count} sessions ended")
        db.commit()
        _end_current_session()
        flash("You are logged out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/sessions/<int:login_session_id>/end", methods=["POST"])
@logged_in
def end_session(login_session_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = get_db()
    row = sessions.end_session(db, current_user, login_session_id)
    if row is None:  # not one of this user's live sessions
        abort(404)
    record(db, "end session", "login session", row.id, _label(row))
    db.commit()
    if row.id == current_user.login_session_id:
        _end_current_session()
        flash("You ended this session and are logged out.", "success")
        return redirect(url_for("auth.login"))
    flash("That session is ended: the device it was on is logged out.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@logged_in
def end_other_sessions():
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = get_db()
    count = sessions.end_other_sessions(db, current_user, current_user.login_session_id)
    if count:
        record(db, "end other sessions", "user", current_user.id, f"{count} sessions ended")
        db.commit()
    flash(f"Ended {count} other session{'' if count == 1 else 's'}.", "success")
    return redirect(url_for("auth.account"))


def _label(row) -> str:
    return sessions.describe(row) if row is not None else "no live session"


@bp.route("/admin/users")
@roles("admin")
def users():
    all_users = get_db().scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", users=all_users, form=EmptyForm())


def _load_user(user_id: int) -> User:
    user = get_db().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def edit_user(user_id: int):
    user = _load_user(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        assert form.name.data is not None  # InputRequired
        try:
            note = services.update_user(
                get_db(), user, current_user, form.name.data, form.role.data
            )
        except services.AccountError as exc:
            views.refused(exc, form, "role")
        else:
            get_db().commit()
            flash(f"Saved {user.name}.", "success")
            if note:
                flash(note, "info")
            return redirect(url_for("auth.users"))
    status = 400 if form.errors else 200
    return render_template(
        "auth/user_form.html", form=form, user=user, action_form=EmptyForm()
    ), status


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@roles("admin")
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@roles("admin")
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _load_user(user_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_active(user, current_user, active)
        except services.AccountError as exc:
            views.refused(exc)
        else:
            said = f"{user.name} is {'reactivated' if active else 'deactivated'}."
            return views.done(said, url_for("auth.users"))
    return redirect(url_for("auth.users"))


def login_at() -> datetime | None:
    """When the current session logged in (None for sessions restored by a remember cookie)."""
    raw = session.get("login_at")
    return datetime.fromisoformat(raw) if raw else None


# The link, reset and notice routes live beside these, on the same blueprint.
import tracker.auth.link_views  # noqa: E402,F401  (a module import: works whichever is imported first)
