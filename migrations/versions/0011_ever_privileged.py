"""accounts that ever held the lead or admin role stay protected

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

`user.ever_privileged` is set for every account that is a lead or an admin now, leads a
team, has written a 1:1, or (from the audit log) was ever created as, or changed to or from,
the lead or admin role. A check keeps every lead and admin marked whatever writes the row.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ever_privileged', sa.Boolean(), nullable=False, server_default=sa.false()))

    user = sa.table('user', sa.column('id', sa.Integer), sa.column('role', sa.String),
                    sa.column('ever_privileged', sa.Boolean))
    team_lead = sa.table('team_lead', sa.column('user_id', sa.Integer))
    session = sa.table('mentoring_session', sa.column('mentor_id', sa.Integer))
    audit = sa.table('audit_event', sa.column('object_type', sa.String),
                     sa.column('object_id', sa.Integer), sa.column('summary', sa.String))
    # The audit log writes a user's role as "role: lead" when created and "role: old → new"
    # when changed; a change always has lead or admin on one side (engineer → engineer is no
    # change). A name that merely contains such text marks too many: the safe side.
    role_seen = sa.or_(
        *[audit.c.summary.like(f'{prefix}role: {value}%')
          for prefix in ('', '%; ') for value in ('lead', 'admin', '%→')]
    )
    op.get_bind().execute(
        sa.update(user)
        .where(sa.or_(
            user.c.role.in_(('lead', 'admin')),
            user.c.id.in_(sa.select(team_lead.c.user_id)),
            user.c.id.in_(sa.select(session.c.mentor_id)),
            user.c.id.in_(
                sa.select(audit.c.object_id)
                .where(audit.c.object_type == 'user', audit.c.object_id.is_not(None), role_seen)
            ),
        ))
        .values(ever_privileged=True)
    )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('ever_privileged', existing_type=sa.Boolean(), server_default=None)
        batch_op.create_check_constraint(op.f('ck_user_privileged_role'), "role = 'engineer' OR ever_privileged")


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_privileged_role'), type_='check')
        batch_op.drop_column('ever_privileged')
