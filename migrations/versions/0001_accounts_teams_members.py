"""accounts, teams and members

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 20:43:06.490212
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_address_created', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempt_email_created', ['email', 'created_at'], unique=False)

    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('name', name=op.f('uq_team_name'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'lead', 'engineer')", name=op.f('ck_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('job_title', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('cadence_days', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('Entry', 'Mid', 'Senior', 'Lead')", name=op.f('ck_member_level')),
    sa.CheckConstraint('cadence_days BETWEEN 1 AND 365', name=op.f('ck_member_cadence_days')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_member_team_id_team'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_member_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('team_id', 'email', name='uq_member_team_id_email'),
    sa.UniqueConstraint('user_id', name=op.f('uq_member_user_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_team_archived_name', ['team_id', 'archived', 'name'], unique=False)

    op.create_table('team_lead',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_lead_team_id_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_team_lead_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_lead'))
    )
    with op.batch_alter_table('team_lead', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_lead_user_id'), ['user_id'], unique=False)

    op.create_table('account_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('invite', 'reset')", name=op.f('ck_account_link_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_account_link_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_account_link_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_account_link_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_link')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_account_link_token_digest'))
    )
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_link_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_link_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('account_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_link_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_link_member_id'))

    op.drop_table('account_link')
    with op.batch_alter_table('team_lead', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_lead_user_id'))

    op.drop_table('team_lead')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_team_archived_name')

    op.drop_table('member')
    op.drop_table('user')
    op.drop_table('team')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_email_created')
        batch_op.drop_index('ix_login_attempt_address_created')

    op.drop_table('login_attempt')
