"""No published demo login on a production server: which accounts still have a demo address
and the published demo password, the check every production server runs when the app is built
(create_app, whatever the entry point), and what it says."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.security import DEMO_PASSWORD, verify_password
from tracker.seed.demo import ACCOUNTS, TEAMS

# The org-scale seed's logins (tracker/seed/org.py): lead01@scale.example.com ..., eng0001@...
SCALE_PREFIXES = ("lead", "eng")


def demo_addresses() -> list[str]:
    """Every address the small demo can give an account."""
    people = [person[1] for _team, _lead, members in TEAMS for person in members]
    return [email for _role, email, _name in ACCOUNTS] + people


def _demo_address():
    from tracker.seed.org import DOMAIN

    # Ranges on the e-mail's unique index ("lead" <= e < "leae"; a LIKE prefix would use no
    # index on either engine), under any collation that orders letters.
    scale = [
        and_(
            User.email >= p,
            User.email < p[:-1] + chr(ord(p[-1]) + 1),
            User.email.like(f"%@{DOMAIN}"),
        )
        for p in SCALE_PREFIXES
    ]
    return or_(User.email.in_(demo_addresses()), *scale)


def published_logins(db: Session) -> list[str]:
    """Active accounts with a demo address whose password is the published demo password.

    One query on the e-mail index; each distinct hash is checked once (the org-scale seed
    gives all its accounts the same one)."""
    rows = db.execute(
        select(User.email, User.password_hash)
        .where(User.active.is_(True), _demo_address())
        .order_by(User.email)
    ).all()
    published: dict[str, bool] = {}
    for _email, password_hash in rows:
        if password_hash and password_hash not in published:
            published[password_hash] = verify_password(password_hash, DEMO_PASSWORD)
    return [email for email, password_hash in rows if published.get(password_hash or "")]


def refuse_published_logins(db: Session) -> None:
    """Raise when a production server would accept a published demo login."""
    emails = published_logins(db)
    if not emails:
        return
    shown = ", ".join(emails[:10]) + (f" and {len(emails) - 10} more" if len(emails) > 10 else "")
    raise RuntimeError(
        f"Refusing to serve: {len(emails)} active account(s) still have the published demo "
        f"password ({shown}). Deactivate them with `flask --app wsgi tracker "
        "deactivate-demo-logins`, run with the server's environment (the command line is not "
        "refused), then start the server again."
    )


def refuse_production_demo_logins(app) -> None:
    """In production, `refuse_published_logins` on the app's database."""
    if app.config["ENV_NAME"] != "production":
        return
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.db import get_db

    try:
        with app.app_context():
            refuse_published_logins(get_db())
    except SQLAlchemyError as exc:
        raise RuntimeError(
            "Refusing to serve: the start-up check for demo logins could not read the "
            f"database ({type(exc).__name__}). Is it reachable, and migrated "
            "(`flask --app wsgi db upgrade`)?"
        ) from exc
    finally:
        # No connection of the check outlives it: a server may fork workers after this.
        app.extensions["tracker.engine"].dispose()


def check_before_serving(app) -> None:
    """In production, refuse to build an app that would serve a published demo login.

    A server (gunicorn, waitress, uWSGI, `python wsgi.py`) builds the app outside any command
    line and `flask run` inside its own command: both are checked. Every other `flask`
    command (db upgrade, deactivate-demo-logins, create-user, reset-link) serves nothing and
    stays usable to fix what the check finds."""
    import click
    from flask.cli import run_command

    if app.config["ENV_NAME"] != "production":
        return
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.command is not run_command:
        return
    try:
        refuse_production_demo_logins(app)
    except RuntimeError as exc:
        if ctx is None:
            raise
        raise click.ClickException(str(exc)) from None  # `flask run`: the message, exit 1
