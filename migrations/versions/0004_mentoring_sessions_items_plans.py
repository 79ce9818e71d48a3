"""mentoring sessions, action items, growth plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:15:25.957874
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_feed',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_calendar_feed_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feed_token'))
    )
    op.create_table('growth_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('target_level', sa.String(length=60), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_growth_plan_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_growth_plan')),
    sa.UniqueConstraint('member_id', name=op.f('uq_growth_plan_member_id'))
    )
    op.create_table('mentoring_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('shared_notes', sa.Text(), nullable=False),
    sa.Column('private_notes', sa.Text(), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('one_on_one', 'mentoring', 'career', 'performance')", name=op.f('ck_mentoring_session_kind')),
    sa.CheckConstraint('duration_minutes BETWEEN 1 AND 600', name=op.f('ck_mentoring_session_duration_minutes')),
    sa.CheckConstraint('mood IS NULL OR mood BETWEEN 1 AND 5', name=op.f('ck_mentoring_session_mood')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_mentoring_session_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_mentoring_session_mentor_id_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_session'))
    )
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.create_index('ix_mentoring_session_member_held', ['member_id', 'held_at'], unique=False)
        batch_op.create_index('ix_mentoring_session_mentor_held', ['mentor_id', 'held_at'], unique=False)

    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('owner', sa.String(length=8), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("owner IN ('mentee', 'lead')", name=op.f('ck_action_item_owner')),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('fk_action_item_done_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_action_item_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_session.id'], name=op.f('fk_action_item_session_id_mentoring_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index('ix_action_item_member_done_due', ['member_id', 'done', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_session_id'), ['session_id'], unique=False)

    op.create_table('goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('competency_key', sa.String(length=60), nullable=True),
    sa.Column('target_proficiency', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'dropped')", name=op.f('ck_goal_status')),
    sa.ForeignKeyConstraint(['plan_id'], ['growth_plan.id'], name=op.f('fk_goal_plan_id_growth_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal'))
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index('ix_goal_plan_status_due', ['plan_id', 'status', 'due_date'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('what', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_plan_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['growth_plan.id'], name=op.f('fk_plan_event_plan_id_growth_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_event_plan_id'), ['plan_id'], unique=False)

    op.create_table('session_competency',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_session_competency_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_session.id'], name=op.f('fk_session_competency_session_id_mentoring_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'competency_id', name=op.f('pk_session_competency'))
    )
    with op.batch_alter_table('session_competency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_competency_competency_id'), ['competency_id'], unique=False)

    op.create_table('goal_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_goal_comment_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_comment_goal_id_goal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_comment'))
    )
    with op.batch_alter_table('goal_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_comment_goal_id'), ['goal_id'], unique=False)

    op.create_table('goal_milestone',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_milestone_goal_id_goal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_goal_milestone_milestone_id_milestone'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'milestone_id', name=op.f('pk_goal_milestone'))
    )
    with op.batch_alter_table('goal_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_milestone_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('goal_session',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_session_goal_id_goal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['mentoring_session.id'], name=op.f('fk_goal_session_session_id_mentoring_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'session_id', name=op.f('pk_goal_session'))
    )
    with op.batch_alter_table('goal_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_session_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('milestone_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_rating_milestone_id_milestone'), 'milestone', ['milestone_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_rating_session_id_mentoring_session'), 'mentoring_session', ['session_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rating_session_id_mentoring_session'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rating_milestone_id_milestone'), type_='foreignkey')
        batch_op.drop_column('milestone_id')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('goal_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_session_session_id'))

    op.drop_table('goal_session')
    with op.batch_alter_table('goal_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_milestone_milestone_id'))

    op.drop_table('goal_milestone')
    with op.batch_alter_table('goal_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_comment_goal_id'))

    op.drop_table('goal_comment')
    with op.batch_alter_table('session_competency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_competency_competency_id'))

    op.drop_table('session_competency')
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_event_plan_id'))

    op.drop_table('plan_event')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_plan_status_due')

    op.drop_table('goal')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_session_id'))
        batch_op.drop_index('ix_action_item_member_done_due')

    op.drop_table('action_item')
    with op.batch_alter_table('mentoring_session', schema=None) as batch_op:
        batch_op.drop_index('ix_mentoring_session_mentor_held')
        batch_op.drop_index('ix_mentoring_session_member_held')

    op.drop_table('mentoring_session')
    op.drop_table('growth_plan')
    op.drop_table('calendar_feed')
