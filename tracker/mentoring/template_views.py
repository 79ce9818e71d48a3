"""The agenda templates' pages: the list, a new one, editing, archiving (on mentoring's
blueprint). A lead keeps their own, an admin the organisation's; engineers are refused."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user

from tracker import views
from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import EmptyForm
from tracker.mentoring import agenda_templates as templates
from tracker.mentoring.forms import TemplateForm
from tracker.mentoring.markdown import render
from tracker.mentoring.views import bp


@bp.route("/sessions/templates")
@roles("admin", "lead")
def templates_index():
    db = get_db()
    archived = templates.usable(db, current_user, archived=True)
    return render_template(
        "mentoring/templates.html",
        active=[(t, render(t.body)) for t in templates.usable(db, current_user)],
        # The organisation's archived ones are the admins' to restore: a lead never sees them.
        archived=[t for t in archived if templates.can_manage(current_user, t)],
        can_manage=lambda t: templates.can_manage(current_user, t),
        form=EmptyForm(),
    )


@bp.route("/sessions/templates/new", methods=["GET", "POST"])
@roles("admin", "lead")
def new_template():
    db = get_db()
    form = TemplateForm()
    return views.save(
        form,
        lambda: templates.create_template(
            db, current_user, form.name.data or "", form.body.data or ""
        ),
        flash_ok=lambda t: f"Template {t.name} created.",
        to=url_for("mentoring.templates_index"),
        template="mentoring/template_form.html",
        field="name",
        t=None,
    )


@bp.route("/sessions/templates/<int:template_id>/edit", methods=["GET", "POST"])
@roles("admin", "lead")
def edit_template(template_id: int):
    db = get_db()
    t = templates.get_template_for(db, current_user, template_id, manage=True)
    form = TemplateForm(obj=t)
    return views.save(
        form,
        lambda: templates.update_template(db, t, form.name.data or "", form.body.data or ""),
        flash_ok="Template saved.",
        to=url_for("mentoring.templates_index"),
        template="mentoring/template_form.html",
        field="name",
        t=t,
    )


@bp.route("/sessions/templates/<int:template_id>/archive", methods=["POST"])
@roles("admin", "lead")
def archive_template(template_id: int):
    return _set_archived(template_id, True)


@bp.route("/sessions/templates/<int:template_id>/restore", methods=["POST"])
@roles("admin", "lead")
def restore_template(template_id: int):
    return _set_archived(template_id, False)


def _set_archived(template_id: int, archived: bool):
    db = get_db()
    t = templates.get_template_for(db, current_user, template_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    templates.set_archived(db, t, archived)
    said = "archived: it is no longer offered for new 1:1s" if archived else "restored"
    return views.done(f"Template {t.name} {said}.", url_for("mentoring.templates_index"))
