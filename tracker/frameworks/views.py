"""Framework pages: browse, compare levels and versions, download, and (admins) import."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, or_, select
from wtforms import BooleanField, HiddenField
from wtforms.validators import InputRequired

from tracker import views
from tracker.auditing import record
from tracker.auth.permissions import logged_in, roles
from tracker.competencies.models import Framework, FrameworkVersion
from tracker.competencies.services import load_version
from tracker.db import get_db, writes
from tracker.forms import EmptyForm
from tracker.frameworks import io as fio
from tracker.http import attachment
from tracker.team.models import Team

bp = Blueprint("frameworks", __name__)


class UploadForm(FlaskForm):
    file = FileField("Framework file (YAML or JSON)", validators=[FileRequired()])
    make_default = BooleanField("Make it the organisation's default framework")


class ConfirmForm(FlaskForm):
    content = HiddenField(validators=[InputRequired()])
    filename = HiddenField()
    make_default = HiddenField()


def _framework(framework_id: int) -> Framework:
    framework = get_db().get(Framework, framework_id)
    if framework is None:
        abort(404)
    return framework


def _version(framework: Framework, number: str | None) -> FrameworkVersion:
    if number and not re.fullmatch(r"[0-9]{1,9}", number):
        abort(404)  # a version that cannot exist, never silently the newest
    version = fio.get_version(get_db(), framework, int(number) if number else None)
    if version is None:
        abort(404)
    return version


@bp.route("/frameworks")
@logged_in
def index():
    db = get_db()
    frameworks = db.scalars(select(Framework).order_by(Framework.name)).all()
    versions = dict(
        db.execute(
            select(FrameworkVersion.framework_id, func.max(FrameworkVersion.number)).group_by(
                FrameworkVersion.framework_id
            )
        )
        .tuples()
        .all()
    )
    default_id = next((f.id for f in frameworks if f.is_default), None)
    uses: dict[int | None, int] = {}
    for framework_id, count in db.execute(
        select(Team.framework_id, func.count()).group_by(Team.framework_id)
    ):
        key = framework_id or default_id  # teams without a choice use the default
        uses[key] = uses.get(key, 0) + count
    return render_template(
        "frameworks/frameworks.html",
        frameworks=frameworks,
        versions=versions,
        uses=uses,
        form=EmptyForm(),
    )


@bp.route("/frameworks/<int:framework_id>")
@logged_in
def show(framework_id: int):
    framework = _framework(framework_id)
    version = _version(framework, request.args.get("version"))
    view = load_version(get_db(), version.id)
    return render_template("frameworks/framework.html", framework=framework, view=view)


@bp.route("/frameworks/<int:framework_id>/compare")
@logged_in
def compare_levels(framework_id: int):
    framework = _framework(framework_id)
    view = load_version(get_db(), _version(framework, request.args.get("version")).id)
    if request.args.get("lower") and view.level(request.args["lower"]) is None:
        abort(404)
    lower = view.level(request.args.get("lower")) or (
        view.levels[-2] if len(view.levels) > 1 else None
    )
    upper = view.next_level(lower)
    if lower is None or upper is None:
        flash("Pick a level that has a level above it.", "error")
        return redirect(url_for("frameworks.show", framework_id=framework.id))
    return render_template(
        "frameworks/compare_levels.html", framework=framework, view=view, lower=lower, upper=upper
    )


@bp.route("/frameworks/<int:framework_id>/changes")
@logged_in
def changes(framework_id: int):
    framework = _framework(framework_id)
    db = get_db()
    newest = fio.latest_version(db, framework)
    to_v = _version(framework, request.args.get("to") or str(newest.number))
    from_v = _version(framework, request.args.get("from") or str(max(to_v.number - 1, 1)))
    diff = fio.diff_docs(fio.export_framework(from_v), fio.export_framework(to_v))
    numbers = list(
        db.scalars(
            select(FrameworkVersion.number)
            .where(FrameworkVersion.framework_id == framework.id)
            .order_by(FrameworkVersion.number)
        )
    )
    return render_template(
        "frameworks/changes.html",
        framework=framework,
        diff=diff,
        from_v=from_v,
        to_v=to_v,
        numbers=numbers,
    )


@writes
@bp.route("/frameworks/<int:framework_id>/export.<fmt>")
@logged_in
def export(framework_id: int, fmt: str):
    if fmt not in ("yaml", "json"):
        abort(404)
    version = _version(_framework(framework_id), request.args.get("version"))
    text = fio.dump_framework(fio.export_framework(version), "json" if fmt == "json" else "yaml")
    record(get_db(), "export", "framework", version.framework_id, f"v{version.number} as {fmt}")
    get_db().commit()
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(
        text,
        mimetype=mimetype,
        headers=attachment(f"{version.framework.name} v{version.number}", fmt),
    )


@bp.route("/admin/frameworks/import", methods=["GET", "POST"])
@roles("admin")
def import_upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("frameworks/import.html", form=form, errors=None)
    data = form.file.data.read(fio.MAX_FRAMEWORK_BYTES + 1)
    return _preview(data, form.file.data.filename or "", bool(form.make_default.data))


def _preview(data: bytes, filename: str, make_default: bool):
    db = get_db()
    try:
        doc = fio.parse_framework(data, filename)
    except fio.FrameworkError as exc:
        return render_template(
            "frameworks/import.html", form=UploadForm(), errors=exc.errors, filename=filename
        ), 400
    previous, diff = fio.preview_import(db, doc)
    # formdata=None: the upload's own fields (make_default="y") must not leak into this form.
    confirm = ConfirmForm(
        formdata=None,
        content=data.decode("utf-8"),
        filename=filename,
        make_default="1" if make_default else "",
    )
    return render_template(
        "frameworks/import_preview.html",
        doc=doc,
        previous=previous,
        diff=diff,
        confirm=confirm,
        make_default=make_default,
    )


@bp.route("/admin/frameworks/import/confirm", methods=["POST"])
@roles("admin")
def import_confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    assert form.content.data is not None  # InputRequired
    db = get_db()
    try:
        doc = fio.parse_framework(form.content.data.encode("utf-8"), form.filename.data or None)
    except fio.FrameworkError as exc:
        return render_template(
            "frameworks/import.html",
            form=UploadForm(),
            errors=exc.errors,
            filename=form.filename.data,
        ), 400
    result = fio.import_framework(db, doc, current_user, make_default=form.make_default.data == "1")
    db.commit()
    if result.unchanged:
        flash(
            f"{doc.name} is unchanged: version {result.version.number} already holds this content.",
            "info",
        )
    else:
        flash(f"Imported {doc.name} as version {result.version.number}.", "success")
    return redirect(url_for("frameworks.show", framework_id=result.framework.id))


@bp.route("/admin/frameworks/<int:framework_id>/default", methods=["POST"])
@roles("admin")
def make_default(framework_id: int):
    framework = _framework(framework_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db = get_db()
    for other in db.scalars(
        select(Framework).where(or_(Framework.is_default, Framework.id == framework.id))
    ):
        other.is_default = other.id == framework.id
    said = f"{framework.name} is now the organisation's default framework."
    return views.done(said, url_for("frameworks.index"))
