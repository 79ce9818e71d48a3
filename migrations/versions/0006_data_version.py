"""data version: a token every write transaction changes, for exact page caching

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 00:50:00
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    # Random, so that two databases never share a token (a restore into a running app).
    op.bulk_insert(table, [{'id': 1, 'token': secrets.token_hex(8)}])


def downgrade() -> None:
    op.drop_table('data_version')
