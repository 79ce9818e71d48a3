"""sessions that logout ends, remember tokens with an issue time

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 22:00:00

Also: the calendar feed keeps only its token's SHA-256. Existing tokens are hashed here, so
existing feed URLs keep working. A downgrade cannot recover a token from its digest: each feed
gets a new random token (its owner makes a new address on the calendar page anyway, as the
address is not shown again).
"""

import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _feeds(column: str) -> sa.Table:
    return sa.table(
        'calendar_feed',
        sa.column('user_id', sa.Integer()),
        sa.column(column, sa.String(length=64)),
    )


def upgrade() -> None:
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('key_digest', name=op.f('uq_login_session_key_digest'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_digest', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    old, new = _feeds('token'), _feeds('token_digest')
    for user_id, token in conn.execute(sa.select(old.c.user_id, old.c.token)).all():
        digest = hashlib.sha256(token.encode()).hexdigest()
        conn.execute(new.update().where(new.c.user_id == user_id).values(token_digest=digest))
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.alter_column('token_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_calendar_feed_token'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token_digest'), ['token_digest'])
        batch_op.drop_column('token')


def downgrade() -> None:
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    feeds = _feeds('token')
    for (user_id,) in conn.execute(sa.select(feeds.c.user_id)).all():
        conn.execute(
            feeds.update().where(feeds.c.user_id == user_id).values(token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_calendar_feed_token_digest'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_calendar_feed_token'), ['token'])
        batch_op.drop_column('token_digest')

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))

    op.drop_table('login_session')
