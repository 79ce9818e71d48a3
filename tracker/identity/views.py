"""The login's second step, the account's two-factor page and the admin's two-factor page.

Between a correct password and a right code the browser is *not* logged in: the session
holds only `PENDING` (the account, its session token, the deadline, "keep me logged in" and
where to go next), which Flask-Login never reads, so every page but these two still sends it
to the login page. The state ends with the code, with a new login, or at its deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tracker import views
from tracker.auth.models import User
from tracker.auth.permissions import logged_in, public, roles
from tracker.auth.views import start_session
from tracker.db import get_db, utcnow
from tracker.forms import EmptyForm
from tracker.http import safe_next
from tracker.identity import services
from tracker.identity.forms import CodeForm, ConfirmForm, PolicyForm, TurnOffForm

bp = Blueprint("identity", __name__)
PENDING = "two_factor_pending"


# --- the login's second step ------------------------------------------------------------------


def second_step(user: User, remember: bool, next_url: str | None) -> ResponseReturnValue | None:
    """auth's hook: after a correct password, ask for a code (or lead through enrolment)."""
    db = get_db()
    on = services.is_on(db, user)
    if not on and not services.required_for(db, user):
        return None
    if not on:
        services.start_enrolment(db, user)
        db.commit()
    lifetime = timedelta(seconds=current_app.config["TWO_FACTOR_PENDING_LIFETIME_SECONDS"])
    session.clear()  # nothing of an earlier login survives
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,
        "until": (utcnow() + lifetime).isoformat(),
        "remember": bool(remember),
        "next": next_url or "",
        "enrol": not on,
    }
    return redirect(url_for("identity.login_setup" if not on else "identity.login_code"))


def _pending() -> tuple[User, dict[str, Any]] | None:
    """The account half-logged-in on this browser, or None (an expired state is dropped)."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    try:
        until = datetime.fromisoformat(state["until"])
        user = get_db().get(User, int(state["user"]))
    except (KeyError, TypeError, ValueError):
        user, until = None, utcnow()
    if user is None or until <= utcnow() or not user.active or user.session_token != state["token"]:
        session.pop(PENDING, None)
        return None
    return user, state


def _expired() -> ResponseReturnValue:
    flash("Your login was not finished in time. Log in again.", "info")
    return redirect(url_for("auth.login"))


def _finish(user: User, state: dict[str, Any]) -> None:
    start_session(user, state.get("remember") is True)  # clears the pending state too


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("team.home"))
    found = _pending()
    if found is None or found[1].get("enrol"):
        return _expired()
    user, state = found
    form = CodeForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.code.data is not None  # InputRequired
        result = services.check_code(db, user, form.code.data, request.remote_addr or "unknown")
        db.commit()  # wrong codes are counted: the throttle's memory
        if result.ok:
            _finish(user, state)
            if result.recovery:
                left = services.recovery_codes_left(db, user)
                flash(
                    f"You used a recovery code: {left} left. If you lost your device, turn "
                    "two-factor authentication off and on again on your account page.",
                    "info",
                )
            return redirect(safe_next(state.get("next") or None))
        form.code.errors = [result.error or "This code is not correct."]
        page = render_template("identity/login_code.html", form=form)
        if result.retry_after is not None:
            return page, 429, {"Retry-After": str(result.retry_after)}
        return page, 401
    return render_template("identity/login_code.html", form=form), 400 if form.errors else 200


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
@public
def login_setup():
    """A user the organisation requires to use a second factor sets it up before any page."""
    if current_user.is_authenticated:
        return redirect(url_for("team.home"))
    found = _pending()
    if found is None or not found[1].get("enrol"):
        return _expired()
    user, state = found
    db = get_db()
    factor = services.factor_of(db, user)
    if factor is None or factor.enabled_at is not None:  # reset or done meanwhile
        session.pop(PENDING, None)
        return _expired()
    form = ConfirmForm()
    if form.validate_on_submit():
        assert form.code.data is not None
        try:
            codes = services.confirm_enrolment(db, user, form.code.data)
        except services.IdentityError as exc:
            views.refused(exc, form, "code")
        else:
            db.commit()
            _finish(user, state)
            return render_template(
                "identity/recovery_codes.html", codes=codes, next=safe_next(state.get("next"))
            )
    status = 400 if form.errors else 200
    return render_template(
        "identity/login_setup.html", form=form, **_setup(user, factor.secret)
    ), status


def _setup(user: User, secret: str) -> dict[str, str]:
    uri = services.provisioning_uri(user, secret)
    return {"qr": services.qr_svg(uri), "secret": services.grouped(secret)}


# --- the account's page -----------------------------------------------------------------------


@bp.route("/account/two-factor")
@logged_in
def account():
    return _account_page()


def _account_page(
    confirm: ConfirmForm | None = None,
    off: TurnOffForm | None = None,
    renew: TurnOffForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    db = get_db()
    factor = services.factor_of(db, current_user)
    setup = {}
    if factor is not None and factor.enabled_at is None:
        setup = _setup(current_user, factor.secret)
    return render_template(
        "identity/account.html",
        factor=factor,
        required=services.required_for(db, current_user),
        left=services.recovery_codes_left(db, current_user) if factor else 0,
        start_form=EmptyForm(),
        confirm_form=confirm or ConfirmForm(formdata=None),
        off_form=off or TurnOffForm(formdata=None),
        renew_form=renew or TurnOffForm(formdata=None, prefix="renew"),
        **setup,
    ), status


@bp.route("/account/two-factor/start", methods=["POST"])
@logged_in
def start():
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.start_enrolment(get_db(), current_user)
    except services.IdentityError as exc:
        views.refused(exc)
        return redirect(url_for("identity.account"))
    get_db().commit()
    return redirect(url_for("identity.account"))


@bp.route("/account/two-factor/confirm", methods=["POST"])
@logged_in
def confirm():
    form = ConfirmForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.code.data is not None
        try:
            codes = services.confirm_enrolment(db, current_user, form.code.data)
        except services.IdentityError as exc:
            views.refused(exc, form, "code")
        else:
            db.commit()
            return render_template(
                "identity/recovery_codes.html", codes=codes, next=url_for("identity.account")
            )
    return _account_page(confirm=form, status=400)


@bp.route("/account/two-factor/off", methods=["POST"])
@logged_in
def turn_off():
    form = TurnOffForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.password.data is not None and form.code.data is not None
        try:
            services.turn_off(
                db,
                current_user,
                form.password.data,
                form.code.data,
                request.remote_addr or "unknown",
            )
        except services.IdentityError as exc:
            db.commit()  # only the throttle's counters and the audit row of a wrong code
            field = exc.field if exc.field in ("password", "code") else "code"
            form[field].errors = [*form[field].errors, str(exc)]
        else:
            return views.done("Two-factor authentication is off.", url_for("identity.account"))
    return _account_page(off=form, status=400)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@logged_in
def renew_codes():
    form = TurnOffForm(prefix="renew")
    if form.validate_on_submit():
        db = get_db()
        assert form.password.data is not None and form.code.data is not None
        try:
            codes = services.replace_recovery_codes(
                db,
                current_user,
                form.password.data,
                form.code.data,
                request.remote_addr or "unknown",
            )
        except services.IdentityError as exc:
            db.commit()  # only the throttle's counters and the audit row of a wrong code
            field = exc.field if exc.field in ("password", "code") else "code"
            form[field].errors = [*form[field].errors, str(exc)]
        else:
            db.commit()
            return render_template(
                "identity/recovery_codes.html",
                codes=codes,
                next=url_for("identity.account"),
                replaced=True,
            )
    return _account_page(renew=form, status=400)


# --- the admin's page -------------------------------------------------------------------------


@bp.route("/admin/two-factor", methods=["GET", "POST"])
@roles("admin")
def admin():
    db = get_db()
    form = PolicyForm(data={"required": services.required(db)})
    if form.validate_on_submit():
        services.set_required(db, bool(form.required.data))  # audited as "organisation"
        said = (
            "Admins and leads must now use two-factor authentication: those without it set "
            "it up at their next login."
            if form.required.data
            else "Two-factor authentication is no longer required."
        )
        return views.done(said, url_for("identity.admin"))
    return render_template(
        "identity/admin.html",
        form=form,
        enrolled=services.enrolled(db),
        action_form=EmptyForm(),
    )


def _target(user_id: int) -> User:
    user = get_db().get(User, user_id)
    if user is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return user


@bp.route("/admin/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles("admin")
def reset(user_id: int):
    user = _target(user_id)
    try:
        now = services.request_reset(get_db(), user, current_user)
    except services.IdentityError as exc:
        views.refused(exc)
        return redirect(url_for("identity.admin"))
    if now:
        said = f"{user.name}'s second factor is reset: they set it up again."
    else:
        said = f"Reset of {user.name}'s second factor requested: another admin must approve it."
    return views.done(said, url_for("identity.admin"))


@bp.route("/admin/users/<int:user_id>/two-factor/approve", methods=["POST"])
@roles("admin")
def approve(user_id: int):
    user = _target(user_id)
    try:
        services.approve_reset(get_db(), user, current_user)
    except services.IdentityError as exc:
        views.refused(exc)
        return redirect(url_for("identity.admin"))
    return views.done(f"{user.name}'s second factor is reset.", url_for("identity.admin"))
