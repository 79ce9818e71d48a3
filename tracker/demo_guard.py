"""No published demo login on a production server: which accounts still have a demo address
and the published demo password, the check wsgi.py runs at start-up, and what it says."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.demo import ACCOUNTS, DEMO_PASSWORD, TEAMS
from tracker.security import verify_password

# The org-scale seed's logins (tracker/scale.py): lead01@scale.example.com ..., eng0001@...
SCALE_PREFIXES = ("lead", "eng")


def demo_addresses() -> list[str]:
    """Every address the small demo can give an account."""
    people = [person[1] for _team, _lead, members in TEAMS for person in members]
    return [email for _role, email, _name in ACCOUNTS] + people


def _demo_address():
    from tracker.scale import DOMAIN

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
    """Raise when a production server would accept a published demo login (wsgi.py)."""
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
    """In production, `refuse_published_logins` on the app's database (wsgi.py, per worker)."""
    if app.config["ENV_NAME"] != "production":
        return
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.db import get_db

    with app.app_context():
        try:
            refuse_published_logins(get_db())
        except SQLAlchemyError as exc:
            raise RuntimeError(
                "Refusing to serve: the start-up check for demo logins could not read the "
                f"database ({type(exc).__name__}). Is it reachable, and migrated "
                "(`flask --app wsgi db upgrade`)?"
            ) from exc
