"""two-factor authentication: TOTP secrets, recovery codes, the organisation's requirement

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 05:10:00

`two_factor` holds one row per account that started setting up a second factor: its TOTP
secret (base32), when a first code turned it on (`enabled_at`, NULL while it waits for that
code), the last time step a code was accepted for (replays of that step or older are refused),
and an admin's waiting reset request (who asked, when). `recovery_code` holds the single-use
recovery codes as argon2id hashes, with when each was used. Both go with their account
(ON DELETE CASCADE). `organisation.require_two_factor` (false for every existing install, so
nothing changes until an admin turns it on) makes admins and leads enrol at their next login.
Downgrading drops both tables (every second factor with them) and the column.
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'two_factor',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('enabled_at', sa.DateTime(), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.Column('reset_requested_by_id', sa.Integer(), nullable=True),
        sa.Column('reset_requested_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], name=op.f('fk_two_factor_user_id_user'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['reset_requested_by_id'],
            ['user.id'],
            name=op.f('fk_two_factor_reset_requested_by_id_user'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor')),
    )
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=255), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'require_two_factor', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('require_two_factor')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    op.drop_table('two_factor')
