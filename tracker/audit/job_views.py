"""The admin's page of background jobs: how many wait, the retries waiting for their time, and
the jobs that failed for good with their error (retry or dismiss each). A failed message is
shown by recipient and subject only: never its body, which may hold a one-time link."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from tracker import jobs, mail
from tracker.audit.views import bp
from tracker.auditing import record
from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import EmptyForm


@bp.route("/admin/jobs")
@roles("admin")
def job_list():
    return render_template(
        "audit/jobs.html",
        pending=jobs.pending_count(),
        waiting=jobs.waiting(),
        failures=jobs.failures(),
        mail_where=mail.mode(current_app.config),
        form=EmptyForm(),
    )


def _act(job_id: str, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if jobs.failure(job_id) is None:
        abort(404)
    try:
        done = jobs.retry(job_id) if action == "retried" else jobs.dismiss(job_id)
    except jobs.QueueError:
        flash("The job queue is not answering: nothing was queued. Try again in a moment.", "error")
        return redirect(url_for("audit.job_list"))
    if done is None:
        abort(404)
    what = f"{done.get('subject', done['job'])} to {done.get('to', '—')}"
    db = get_db()
    record(db, f"job {action}", "job", None, what)
    db.commit()
    flash(f"Job {action}: {what}.", "success")
    return redirect(url_for("audit.job_list"))


@bp.route("/admin/jobs/<job_id>/retry", methods=["POST"])
@roles("admin")
def retry_job(job_id: str):
    return _act(job_id, "retried")


@bp.route("/admin/jobs/<job_id>/dismiss", methods=["POST"])
@roles("admin")
def dismiss_job(job_id: str):
    return _act(job_id, "dismissed")
