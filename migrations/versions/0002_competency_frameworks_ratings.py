"""competency frameworks and ratings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:45:44.170070
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework')),
    sa.UniqueConstraint('name', name=op.f('uq_framework_name'))
    )
    op.create_table('framework_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], name=op.f('fk_framework_version_framework_id_framework'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_framework_version_imported_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_framework_version')),
    sa.UniqueConstraint('framework_id', 'number', name='uq_framework_version_number')
    )
    op.create_table('category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['framework_version.id'], name=op.f('fk_category_version_id_framework_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_category')),
    sa.UniqueConstraint('version_id', 'key', name='uq_category_version_key')
    )
    op.create_table('level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['framework_version.id'], name=op.f('fk_level_version_id_framework_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_level')),
    sa.UniqueConstraint('version_id', 'name', name='uq_level_version_name'),
    sa.UniqueConstraint('version_id', 'position', name='uq_level_version_position')
    )
    op.create_table('scale_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['framework_version.id'], name=op.f('fk_scale_point_version_id_framework_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_point')),
    sa.UniqueConstraint('version_id', 'value', name='uq_scale_point_version_value')
    )
    op.create_table('competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_competency_category_id_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['framework_version.id'], name=op.f('fk_competency_version_id_framework_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competency')),
    sa.UniqueConstraint('version_id', 'key', name='uq_competency_version_key')
    )
    with op.batch_alter_table('competency', schema=None) as batch_op:
        batch_op.create_index('ix_competency_category_position', ['category_id', 'position'], unique=False)

    op.create_table('expectation',
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('descriptor', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_expectation_competency_id_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['level.id'], name=op.f('fk_expectation_level_id_level'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('competency_id', 'level_id', name=op.f('pk_expectation'))
    )
    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('evidence_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('lead', 'self')", name=op.f('ck_rating_kind')),
    sa.ForeignKeyConstraint(['competency_id'], ['competency.id'], name=op.f('fk_rating_competency_id_competency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_rating_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_rating_rater_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_member_competency_created', ['member_id', 'competency_id', 'created_at'], unique=False)

    # Career levels become framework data: a member's level is checked against their team's
    # framework by the app, no longer by a fixed CHECK list. (Added by hand: autogenerate
    # does not compare CHECK constraints.)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_member_level'), type_='check')

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('framework_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_team_framework_id_framework'), 'framework', ['framework_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_team_framework_id_framework'), type_='foreignkey')
        batch_op.drop_column('framework_id')

    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_member_competency_created')

    op.drop_table('rating')
    op.drop_table('expectation')
    with op.batch_alter_table('competency', schema=None) as batch_op:
        batch_op.drop_index('ix_competency_category_position')

    op.drop_table('competency')
    op.drop_table('scale_point')
    op.drop_table('level')
    op.drop_table('category')
    op.drop_table('framework_version')
    op.drop_table('framework')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_check_constraint('level', "level IN ('Entry', 'Mid', 'Senior', 'Lead')")
