"""A lead invites a member of their team to create their engineer account."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.auth.links import close_links, new_link
from tracker.auth.models import AccountLink, User
from tracker.auth.services import AccountError
from tracker.team.models import Member


def invite_member(db: Session, member: Member, acting: User) -> tuple[AccountLink, str]:
    """Make a one-time invitation for `member` to create their engineer account.

    Whether the member's address already belongs to an account is not looked at here: the
    lead gets a link either way, so the answer tells them nothing about other accounts. Such
    a link is refused when used, with NEUTRAL_INVITE_ERROR (tracker/auth/links.py)."""
    if member.archived:
        raise AccountError("Archived members cannot be invited; restore them first.")
    if member.user_id is not None:
        raise AccountError(f"{member.name} already has an account.")
    close_links(db, AccountLink.member_id == member.id)  # only the newest invitation works
    return new_link(db, "invite", acting, member_id=member.id)
