"""The admin's audit log page: newest first, filtered, paginated."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from tracker.auditing import AuditEvent
from tracker.auth.permissions import roles
from tracker.db import get_db
from tracker.forms import out_of_range, page_arg

bp = Blueprint("audit", __name__)
PAGE = 100


def _date(raw: str | None) -> datetime | None:
    try:
        day = datetime.strptime(raw, "%Y-%m-%d") if raw else None
    except ValueError:
        return None
    return None if out_of_range(day) else day


@bp.route("/admin/audit")
@roles("admin")
def index():
    db = get_db()
    args = request.args
    query = select(AuditEvent)
    actor, kind, action = (args.get(k, "").strip()[:100] for k in ("actor", "type", "action"))
    since, until = _date(args.get("from")), _date(args.get("to"))
    if actor:
        query = query.where(func.lower(AuditEvent.actor).contains(actor.lower(), autoescape=True))
    if kind:
        query = query.where(AuditEvent.object_type == kind)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until + timedelta(days=1))
    page = page_arg()
    events = db.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE)
        .limit(PAGE + 1)
    ).all()
    types = db.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    actions = db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    return render_template(
        "audit/index.html",
        events=events[:PAGE],
        more=len(events) > PAGE,
        page=page,
        filters={
            "actor": actor,
            "type": kind,
            "action": action,
            "from": args.get("from", ""),
            "to": args.get("to", ""),
        },
        types=list(types),
        actions=list(actions),
    )
