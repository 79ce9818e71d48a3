"""a goal remembers the lead rating it started from, so its progress starts at 0%

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 01:50:00

`goal.baseline_proficiency` is the member's latest lead rating of the goal's competency when
the goal was made (tracker/plans/services.py sets it); progress is then
(current - baseline) / (target - baseline). NULL means the scale's lowest value: a goal with no
competency, or one whose member had never been rated on it.

The backfill, for existing goals with a competency: the member's latest lead rating of that
competency (by its key, across framework versions) made at or before the goal's
`created_at`, which is what the goal would have stored had the column existed. Where no
rating is that old (a goal added before the first rating, or rows whose times were imported)
the member's earliest lead rating of it is the closest known starting point. A member never
rated on it keeps NULL: the scale's lowest value, as for a new goal. Self-ratings never
count, as in the progress itself.
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('baseline_proficiency', sa.Integer(), nullable=True))

    goal = sa.table('goal', sa.column('id', sa.Integer), sa.column('plan_id', sa.Integer),
                    sa.column('competency_key', sa.String), sa.column('created_at', sa.DateTime),
                    sa.column('baseline_proficiency', sa.Integer))
    plan = sa.table('growth_plan', sa.column('id', sa.Integer), sa.column('member_id', sa.Integer))
    rating = sa.table('rating', sa.column('id', sa.Integer), sa.column('member_id', sa.Integer),
                      sa.column('competency_id', sa.Integer), sa.column('kind', sa.String),
                      sa.column('value', sa.Integer), sa.column('created_at', sa.DateTime))
    competency = sa.table('competency', sa.column('id', sa.Integer), sa.column('key', sa.String))
    bind = op.get_bind()
    goals = bind.execute(
        sa.select(goal.c.id, plan.c.member_id, goal.c.competency_key, goal.c.created_at)
        .select_from(goal.join(plan, plan.c.id == goal.c.plan_id))
        .where(goal.c.competency_key.is_not(None))
    ).all()
    if not goals:
        return
    members = {member_id for _g, member_id, _k, _at in goals}
    # Every lead rating of these members, oldest first: few per goal, read once.
    history: dict[tuple[int, str], list[tuple[object, int]]] = {}
    for member_id, key, at, value in bind.execute(
        sa.select(rating.c.member_id, competency.c.key, rating.c.created_at, rating.c.value)
        .select_from(rating.join(competency, competency.c.id == rating.c.competency_id))
        .where(rating.c.kind == 'lead', rating.c.member_id.in_(members))
        .order_by(rating.c.created_at, rating.c.id)
    ):
        history.setdefault((member_id, key), []).append((at, value))
    for goal_id, member_id, key, created_at in goals:
        ratings = history.get((member_id, key))
        if not ratings:
            continue
        before = [value for at, value in ratings if created_at is not None and at <= created_at]
        baseline = before[-1] if before else ratings[0][1]
        bind.execute(sa.update(goal).where(goal.c.id == goal_id).values(baseline_proficiency=baseline))


def downgrade() -> None:
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_column('baseline_proficiency')
