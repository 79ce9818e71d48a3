"""Which accounts one admin alone may never get a credential for, whatever their role is now.

An account that is, or ever was, a lead or an admin (User.ever_privileged, kept by the
database for every lead and admin), or that has written a 1:1, may hold private notes; an
admin account is a second admin. Changing the role (and back) does not take that away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from tracker.auditing import record
from tracker.auth.models import PRIVILEGED_ROLES, AccountLink, User
from tracker.db import utcnow

# Whether an account wrote something only it may read (a later feature's rows: mentoring's
# meetings with their private notes). Each such feature adds its check in its init_app; auth
# imports none of them.
NoteAuthorCheck = Callable[[Session, int], bool]
NOTE_AUTHORS: list[NoteAuthorCheck] = []


def register_note_author(check: NoteAuthorCheck) -> None:
    """Make accounts for which `check(db, user_id)` is true protected (once per check)."""
    if check not in NOTE_AUTHORS:
        NOTE_AUTHORS.append(check)


def needs_second_admin(db: Session, user: User) -> bool:
    """True when one admin alone must not get a credential for `user`."""
    # Session authors hold private notes; an account that is or ever was a lead or an admin
    # may (its role now says nothing: it can be changed and changed back); an admin account
    # is a second admin. Only a lead's or engineer's account that never had a password holds
    # nothing yet.
    if user.role == "admin":
        return True
    privileged = user.ever_privileged or user.role in PRIVILEGED_ROLES
    if privileged and user.password_hash is not None:
        return True
    return any(check(db, user.id) for check in NOTE_AUTHORS)


def close_unapproved_resets(db: Session, user: User) -> int:
    """Close `user`'s unused reset links that one admin issued, when one admin may no longer
    reset `user` (the role changed): the link would be refused at use anyway."""
    if not needs_second_admin(db, user):
        return 0
    result = db.execute(
        update(AccountLink)
        .where(
            AccountLink.user_id == user.id,
            AccountLink.kind == "reset",
            AccountLink.used_at.is_(None),
            AccountLink.approved_at.is_(None),
            AccountLink.needs_approval.is_(False),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    # Session.execute is typed as returning a Result; an UPDATE's is always a CursorResult.
    closed = cast("CursorResult[Any]", result).rowcount
    if closed and db.info.get("audit") is not False:
        record(db, "reset link closed", "user", user.id, "issued by one admin; now protected")
    return closed
