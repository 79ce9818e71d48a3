"""projects, sprints and milestones (and a team's sprint length)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:15:08.499685
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sprint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('planned', 'active', 'closed')", name=op.f('ck_sprint_state')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_sprint_dates')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_sprint_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sprint')),
    sa.UniqueConstraint('team_id', 'name', name='uq_sprint_team_id_name')
    )
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.create_index('ix_sprint_one_active', ['team_id'], unique=True, sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))
        batch_op.create_index('ix_sprint_team_dates', ['team_id', 'start_date', 'end_date'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'active', 'on hold', 'done', 'cancelled')", name=op.f('ck_project_status')),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], name=op.f('fk_project_owner_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_project_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('team_id', 'name', name='uq_project_team_id_name')
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_owner_id'), ['owner_id'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('sprint_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('drop_reason', sa.Text(), nullable=False),
    sa.Column('external_key', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in progress', 'done', 'dropped')", name=op.f('ck_milestone_status')),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], name=op.f('fk_milestone_owner_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_milestone_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sprint_id'], ['sprint.id'], name=op.f('fk_milestone_sprint_id_sprint'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone')),
    sa.UniqueConstraint('project_id', 'external_key', name='uq_milestone_project_id_external_key')
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_milestone_project_due', ['project_id', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_sprint_id'), ['sprint_id'], unique=False)

    op.create_table('milestone_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('from_sprint_id', sa.Integer(), nullable=True),
    sa.Column('to_sprint_id', sa.Integer(), nullable=True),
    sa.Column('moved_by_id', sa.Integer(), nullable=True),
    sa.Column('moved_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('carried_over', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['from_sprint_id'], ['sprint.id'], name=op.f('fk_milestone_move_from_sprint_id_sprint'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_milestone_move_milestone_id_milestone'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moved_by_id'], ['user.id'], name=op.f('fk_milestone_move_moved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_sprint_id'], ['sprint.id'], name=op.f('fk_milestone_move_to_sprint_id_sprint'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_move'))
    )
    with op.batch_alter_table('milestone_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_move_from_sprint_id'), ['from_sprint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_move_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_move_to_sprint_id'), ['to_sprint_id'], unique=False)

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sprint_length_days', sa.Integer(), server_default='14', nullable=False))
        batch_op.create_check_constraint(op.f('ck_team_sprint_length_days'), 'sprint_length_days BETWEEN 1 AND 60')



def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_team_sprint_length_days'), type_='check')
        batch_op.drop_column('sprint_length_days')

    with op.batch_alter_table('milestone_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_move_to_sprint_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_move_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_move_from_sprint_id'))

    op.drop_table('milestone_move')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_sprint_id'))
        batch_op.drop_index('ix_milestone_project_due')
        batch_op.drop_index(batch_op.f('ix_milestone_owner_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_due_date'))

    op.drop_table('milestone')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_owner_id'))

    op.drop_table('project')
    with op.batch_alter_table('sprint', schema=None) as batch_op:
        batch_op.drop_index('ix_sprint_team_dates')
        batch_op.drop_index('ix_sprint_one_active', sqlite_where=sa.text("state = 'active'"), postgresql_where=sa.text("state = 'active'"))

    op.drop_table('sprint')
