"""agenda templates: reusable talking points for a new 1:1, a lead's own or the organisation's

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 04:00:00

`agenda_template` holds a template's name and Markdown body, its owner (a lead's user id, or
NULL for the organisation's, which admins keep), an archived flag and timestamps. Names are
unique per owner: a unique constraint on (owner_id, name) for a lead's, and a partial unique
index on name WHERE owner_id IS NULL for the organisation's (NULLs never clash in a unique
constraint). `key` marks the built-in organisation templates, so that renaming one keeps what
it is for (a member's first 1:1 suggests the "first" one).

The three built-in organisation templates ("First 1:1", "Career conversation", "Performance
check-in") are inserted here, so every install has them however it was made. Their text is
copied, not imported: a migration must keep working whatever the app's code becomes. This copy
is tracker/mentoring/agenda_templates.py's BUILTIN as of this revision (a test checks that
both say the same). Downgrading drops the table and every template in it.
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BUILTIN = (
    (
        "first",
        "First 1:1",
        """## Getting to know each other
- Your background: what you worked on before, what you are proud of
- What brought you here, and what you hope to learn this year
- What has gone well so far, and what has been confusing

## How we work together
- How you like feedback: written or spoken, straight away or saved for our 1:1s
- Your working hours, time zone, and anything I should plan around
- How and when to reach you, and when you would rather not be disturbed
- What a good 1:1 is for you: how often, how long, who brings the agenda

## Expectations
- What the role expects in your first 30, 60 and 90 days
- What you expect from me as your lead

## Feedback both ways
- One thing I could do to make your start easier""",
    ),
    (
        "career",
        "Career conversation",
        """## Where you are
- What energises you in your work now, and what drains you
- The skills you feel strongest in, and those you want to build

## Where you want to go
- Where you would like to be in a year, and in three (scope, level, IC or management)
- Which competencies matter most for your next level

## Growth
- Projects or responsibilities that would stretch you
- Learning: courses, conferences, papers, a mentor
- Who you could learn from, inside or outside the team

## Next steps
- One or two goals for your growth plan, each with a date
- What I will do to support them""",
    ),
    (
        "performance",
        "Performance check-in",
        """## Goals and delivery
- Progress on your goals since the last check-in
- What you delivered that you are proud of; what slipped, and why

## Blockers
- What slows you down: technical, process or people
- What I can unblock or escalate for you

## Feedback both ways
- From me: what to keep doing, what to change, with examples
- For me: what I could do better as your lead

## Wellbeing
- Workload and energy: is the pace sustainable?

## Next steps
- Priorities until the next check-in""",
    ),
)


def upgrade() -> None:
    op.create_table(
        'agenda_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=32), nullable=True),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('archived', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['owner_id'], ['user.id'],
            name=op.f('fk_agenda_template_owner_id_user'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_template')),
        sa.UniqueConstraint('key', name=op.f('uq_agenda_template_key')),
        sa.UniqueConstraint('owner_id', 'name', name='uq_agenda_template_owner_id_name'),
    )
    op.create_index(
        'uq_agenda_template_org_name', 'agenda_template', ['name'], unique=True,
        sqlite_where=sa.text('owner_id IS NULL'), postgresql_where=sa.text('owner_id IS NULL'),
    )
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    template = sa.table(
        'agenda_template',
        sa.column('owner_id', sa.Integer), sa.column('key', sa.String), sa.column('name', sa.String),
        sa.column('body', sa.Text), sa.column('archived', sa.Boolean),
        sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime),
    )
    op.bulk_insert(template, [
        {'owner_id': None, 'key': key, 'name': name, 'body': body, 'archived': False,
         'created_at': now, 'updated_at': now}
        for key, name, body in BUILTIN
    ])


def downgrade() -> None:
    op.drop_index('uq_agenda_template_org_name', table_name='agenda_template')
    op.drop_table('agenda_template')
