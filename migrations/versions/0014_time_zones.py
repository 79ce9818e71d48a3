"""time zones: each user's own, and the organisation's

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 04:00:00

`user.time_zone` is an IANA name (Europe/Berlin) the user's dates and times are shown,
entered and counted in; NULL, as every existing account starts, means the organisation's.
The organisation's lives in the new one-row table `organisation` (id 1, checked), written
when an admin first sets it; until then the configured TRACKER_TIME_ZONE (UTC by default)
applies, so an existing install shows exactly what it showed before. Times stay stored in
UTC: nothing is converted.
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_organisation_one_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
    op.drop_table('organisation')
