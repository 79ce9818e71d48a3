"""a password set through a link someone else held is marked, and cleared on promotion

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 01:30:00

`user.password_from_link` is true while an account's password is one set through a link
that only its issuer held (an invitation, a one-admin reset): whoever held the link may know
it. Promoting such an account clears that password (tracker/auth/services.py). Existing
accounts are marked when their newest used link was not approved by a second admin or the
operator and their owner has not changed the password since (the audit log's "password
changed", which only the owner's own change writes).
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_from_link', sa.Boolean(), nullable=False, server_default=sa.false()))

    user = sa.table('user', sa.column('id', sa.Integer), sa.column('password_hash', sa.String),
                    sa.column('password_from_link', sa.Boolean))
    member = sa.table('member', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer))
    link = sa.table('account_link', sa.column('user_id', sa.Integer), sa.column('member_id', sa.Integer),
                    sa.column('used_at', sa.DateTime), sa.column('approved_at', sa.DateTime),
                    sa.column('needs_approval', sa.Boolean))
    audit = sa.table('audit_event', sa.column('action', sa.String), sa.column('object_type', sa.String),
                     sa.column('object_id', sa.Integer), sa.column('at', sa.DateTime))
    bind = op.get_bind()
    # Each account's newest used link (a reset names the account, an invitation its member).
    newest: dict[int, tuple] = {}
    rows = bind.execute(
        sa.select(sa.func.coalesce(link.c.user_id, member.c.user_id), link.c.used_at,
                  link.c.approved_at)
        .select_from(link.outerjoin(member, member.c.id == link.c.member_id))
        .where(link.c.used_at.is_not(None), link.c.needs_approval.is_(False))
    )
    for owner, used_at, approved_at in rows:
        if owner is not None and (owner not in newest or used_at > newest[owner][0]):
            newest[owner] = (used_at, approved_at)
    changed: dict[int, object] = dict(bind.execute(
        sa.select(audit.c.object_id, sa.func.max(audit.c.at))
        .where(audit.c.action == 'password changed', audit.c.object_type == 'user')
        .group_by(audit.c.object_id)
    ).tuples().all())
    marked = [
        owner for owner, (used_at, approved_at) in newest.items()
        if approved_at is None and not (owner in changed and changed[owner] >= used_at)
    ]
    if marked:
        bind.execute(
            sa.update(user)
            .where(user.c.id.in_(marked), user.c.password_hash.is_not(None))
            .values(password_from_link=True)
        )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('password_from_link', existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('password_from_link')
