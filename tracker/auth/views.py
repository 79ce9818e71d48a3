"""Login, logout, own password, one-time links and the admin's user pages."""

from __future__ import annotations

from datetime import datetime

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

from tracker.auth import services
from tracker.auth.forms import (
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    SetPasswordForm,
    UserEditForm,
    UserForm,
)
from tracker.auth.models import User
from tracker.auth.permissions import logged_in, public, roles
from tracker.db import get_db, utcnow
from tracker.http import safe_redirect_target

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else home (the one check: tracker/http.py)."""
    return safe_redirect_target(target, url_for("team.home"))


def _start_session(user: User, remember: bool) -> None:
    session.clear()  # a fresh session on login: no fixation
    login_user(user, remember=remember)
    session.permanent = True
    session["login_at"] = utcnow().isoformat()


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("team.home"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_db()
        result = services.authenticate(
            db, form.email.data, form.password.data, request.remote_addr or "unknown"
        )
        db.commit()  # failed attempts are recorded too: that is the throttle's memory
        if result.user is not None:
            _start_session(result.user, form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(result.error)
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@logged_in
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            db.commit()
            _start_session(
                current_user._get_current_object(), remember=False
            )  # this session lives on, others end
            flash("Password changed. Your other sessions have been logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, logout_form=EmptyForm())


@bp.route("/account/logout-everywhere", methods=["POST"])
@logged_in
def logout_everywhere():
    if EmptyForm().validate_on_submit():
        current_user.end_all_sessions()
        get_db().commit()
        logout_user()
        session.clear()
        flash("You are logged out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def accept_link(token: str):
    db = get_db()
    link = services.find_link(db, token)
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_link(db, link, form.password.data)
        except services.AccountError as exc:
            db.rollback()
            form.password.errors.append(str(exc))
        else:
            db.commit()
            _start_session(user, remember=False)
            flash("Your password is set. Welcome to Team Tracker.", "success")
            return redirect(url_for("team.home"))
    return render_template("auth/accept_link.html", form=form, link=link)


@bp.route("/admin/users")
@roles("admin")
def users():
    all_users = get_db().scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", users=all_users, form=EmptyForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles("admin")
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        db = get_db()
        try:
            user = services.create_user(db, form.email.data, form.name.data, form.role.data, None)
            _link, token = services.reset_link(db, user, current_user)
        except services.AccountError as exc:
            db.rollback()
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            db.commit()
            return show_link(user.name, token, "account")
    return render_template("auth/user_form.html", form=form, user=None)


def show_link(name: str, token: str, purpose: str, member=None):
    """Show a one-time link once: only its digest is stored, so it cannot be shown again."""
    url = url_for("auth.accept_link", token=token, _external=True)
    days = current_app.config["INVITATION_LIFETIME"].days
    return render_template(
        "auth/link_created.html", name=name, url=url, purpose=purpose, days=days, member=member
    )


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
        try:
            services.update_user(get_db(), user, current_user, form.name.data, form.role.data)
        except services.AccountError as exc:
            get_db().rollback()
            getattr(form, exc.field or "role").errors.append(str(exc))
        else:
            get_db().commit()
            flash(f"Saved {user.name}.", "success")
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
            flash(str(exc), "error")
        else:
            get_db().commit()
            flash(f"{user.name} is {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for("auth.users"))


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@roles("admin")
def reset_password(user_id: int):
    user = _load_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    _link, token = services.reset_link(get_db(), user, current_user)
    get_db().commit()
    return show_link(user.name, token, "password reset")


def login_at() -> datetime | None:
    """When the current session logged in (None for sessions restored by a remember cookie)."""
    raw = session.get("login_at")
    return datetime.fromisoformat(raw) if raw else None
