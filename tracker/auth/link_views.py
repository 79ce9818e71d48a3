"""One-time links (opened once, then bound to the opening browser's session), the admin's new
users and resets, second-admin approvals, and the owner's notices."""

from __future__ import annotations

from typing import cast

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from tracker import jobs, mail, views
from tracker.auth import links, notices
from tracker.auth.forms import SetPasswordForm, UserForm
from tracker.auth.hooks import second_step
from tracker.auth.models import User
from tracker.auth.permissions import logged_in, public, roles
from tracker.auth.services import AccountError
from tracker.auth.views import bp, start_session
from tracker.db import get_db, writes
from tracker.forms import EmptyForm

# The session key holding [link id, nonce] once a link has been opened in this browser.
BINDING = "account_link"

bp.app_context_processor(notices.context)


@bp.route("/welcome/<token>")
@public
@writes
def accept_link(token: str):
    """The link's only use of its URL token: exchange it, then continue at a token-free URL, so
    the token is dead by the time anyone reads it in a log or a browser's history."""
    db = get_db()
    opened = links.open_link(db, token)
    if opened is None:
        db.rollback()
        return render_template("auth/link_invalid.html"), 404
    db.commit()
    session[BINDING] = list(opened)
    return redirect(url_for("auth.welcome"))


@bp.route("/welcome", methods=["GET", "POST"])
@public
def welcome():
    db = get_db()
    link = links.bound_link(db, session.get(BINDING))
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        assert form.password.data is not None  # InputRequired
        try:
            user = links.use_link(db, link, form.password.data)
        except links.LinkRefused as exc:
            db.commit()  # the link is closed for good
            session.pop(BINDING, None)
            return render_template("auth/link_invalid.html", reason=str(exc)), 403
        except AccountError as exc:
            db.rollback()
            cast(list, form.password.errors).append(str(exc))  # a list once validated
        else:
            db.commit()
            session.pop(BINDING, None)
            # A new password is not a second factor: one that is on (or required) still asks.
            later = second_step(user, False, None)
            if later is not None:
                return later
            start_session(user, remember=False)
            flash("Your password is set. Welcome to Team Tracker.", "success")
            return redirect(url_for("team.home"))
    status = 400 if form.errors else 200
    return render_template("auth/accept_link.html", form=form, link=link), status


def show_link(name: str, token: str, purpose: str, member=None):
    """Show a one-time link once: only its digest is stored, so it cannot be shown again."""
    url = url_for("auth.accept_link", token=token, _external=True)
    days = current_app.config["INVITATION_LIFETIME"].days
    return render_template(
        "auth/link_created.html",
        name=name,
        url=url,
        purpose=purpose,
        days=days,
        member=member,
        no_mail=not mail.available(),
    )


# What each kind of link's message says: its subject, and the sentence before the button.
LINK_MAIL = {
    "account": (
        "Set your Team Tracker password",
        "{by} made a Team Tracker account for you. Choose your password with this link.",
        "Choose my password",
    ),
    "password reset": (
        "Reset your Team Tracker password",
        "A reset of your Team Tracker password was issued by {by}. Choose a new password "
        "with this link.",
        "Choose a new password",
    ),
    "invitation": (
        "Your invitation to Team Tracker",
        "{by} invited you to Team Tracker, where your team keeps its 1:1s, growth plans and "
        "skills. Create your account with this link.",
        "Create my account",
    ),
}


def link_message(to: str, name: str, token: str, purpose: str, by: str):
    """The e-mail carrying a one-time link to its owner: who issued it and the link, nothing
    else (no team, no note)."""
    subject, lead_in, label = LINK_MAIL[purpose]
    days = current_app.config["INVITATION_LIFETIME"].days
    url = url_for("auth.accept_link", token=token, _external=True)
    return mail.build(
        current_app.config,
        to,
        subject,
        [
            f"Hello {name},",
            lead_in.format(by=by),
            f"The link works once, in the first browser that opens it, and expires in {days} "
            "days. Do not forward it.",
        ],
        action=(label, url),
        footer="If you did not expect this message, ignore it: nothing changes unless the "
        "link is used. Team Tracker never asks for your password by e-mail.",
    )


def send_or_show(to: str, name: str, token: str, purpose: str, by: str, back: str, member=None):
    """E-mail the link to its owner when this server sends mail: whoever issued it never sees
    it. Without mail, show it once to pass on by hand, as before (docs/security.md)."""
    if not mail.available():
        return show_link(name, token, purpose, member=member)
    try:
        jobs.send_mail(link_message(to, name, token, purpose, by))
    except jobs.QueueError as exc:
        current_app.logger.error("A one-time link's e-mail was not queued: %s", exc)
        flash(
            f"The {purpose} link for {name} could not be e-mailed: the job queue is not "
            "answering. Nothing was sent; try again in a moment (a new link replaces this one).",
            "error",
        )
        return redirect(back)
    days = current_app.config["INVITATION_LIFETIME"].days
    flash(
        f"The {purpose} link was e-mailed to {name} at {to}. It works once and expires in "
        f"{days} days.",
        "success",
    )
    return redirect(back)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles("admin")
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        db = get_db()
        assert form.email.data is not None and form.name.data is not None  # InputRequired
        try:
            user, token = links.create_account(
                db, form.email.data, form.name.data, form.role.data, current_user
            )
        except AccountError as exc:
            views.refused(exc, form, "email")
        else:
            db.commit()
            return send_or_show(
                user.email, user.name, token, "account", current_user.name, url_for("auth.users")
            )
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@roles("admin")
def reset_password(user_id: int):
    db = get_db()
    user = db.get(User, user_id)
    if user is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        token = links.reset(db, user, current_user)
    except AccountError as exc:
        views.refused(exc)
        return redirect(url_for("auth.users"))
    db.commit()
    if token is None:
        flash(
            f"Reset of {user.name}'s password requested: another admin must approve it; "
            "the link is shown to them.",
            "success",
        )
        return redirect(url_for("auth.reset_requests"))
    return send_or_show(
        user.email, user.name, token, "password reset", current_user.name, url_for("auth.users")
    )


@bp.route("/admin/resets")
@roles("admin")
def reset_requests():
    pending = links.requests(get_db())
    return render_template(
        "auth/reset_requests.html", requests=pending, form=EmptyForm(), mailing=mail.available()
    )


def _request(link_id: int):
    link = links.get_request(get_db(), link_id)
    if link is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return link


@bp.route("/admin/resets/<int:link_id>/approve", methods=["POST"])
@roles("admin")
def approve_reset(link_id: int):
    db = get_db()
    link = _request(link_id)
    try:
        token = links.approve(db, link, current_user)
    except AccountError as exc:
        views.refused(exc)
        return redirect(url_for("auth.reset_requests"))
    db.commit()
    user = link.user
    by = f"{link.created_by.name}, approved by {current_user.name}"
    return send_or_show(
        user.email, user.name, token, "password reset", by, url_for("auth.reset_requests")
    )


@bp.route("/admin/resets/<int:link_id>/cancel", methods=["POST"])
@roles("admin")
def cancel_reset(link_id: int):
    db = get_db()
    link = _request(link_id)
    try:
        links.cancel(db, link, current_user)
    except AccountError as exc:
        views.refused(exc)
        return redirect(url_for("auth.reset_requests"))
    return views.done("Reset cancelled.", url_for("auth.reset_requests"))


@bp.route("/account/notices/dismiss", methods=["POST"])
@logged_in
def dismiss_notices():
    if EmptyForm().validate_on_submit():
        notices.dismiss(get_db(), current_user.id)
        get_db().commit()
    return redirect(url_for("auth.account"))
