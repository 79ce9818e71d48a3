"""one-time links opened once, second-admin resets, account notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 22:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_notice_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_notice'))
    )
    with op.batch_alter_table('account_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_notice_user_id'), ['user_id'], unique=False)

    # Existing links were made before any approval existed: none needs one.
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_approval', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_account_link_approved_by_id_user'), 'user', ['approved_by_id'], ['id'], ondelete='SET NULL')
        # A reset request carries no token until a second admin approves it.
        batch_op.alter_column('token_digest', existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.alter_column('needs_approval', existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    # Requests without a token cannot be represented before this revision: they go.
    op.execute("DELETE FROM account_link WHERE token_digest IS NULL")
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.alter_column('token_digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_account_link_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('needs_approval')

    with op.batch_alter_table('account_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_notice_user_id'))

    op.drop_table('account_notice')
