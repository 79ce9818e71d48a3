"""The demo's action items are carried the way the app carries them: an open item stays on
the session that agreed it and shows on the later ones; the seed never agrees it again as a
copy (a "twin": same member, owner and words, both open), which the lists would fold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tracker.mentoring import services
from tracker.mentoring.models import ActionItem
from tracker.team.models import Member


def test_the_demo_seeds_no_twin_action_items_and_carries_open_ones(app, runner, db):
    r = runner.invoke(args=["tracker", "seed-demo"])
    assert r.exit_code == 0, r.output
    words = func.lower(func.trim(ActionItem.text))
    twins = db.execute(
        select(ActionItem.member_id, ActionItem.owner, words, func.count())
        .where(ActionItem.done.is_(False))
        .group_by(ActionItem.member_id, ActionItem.owner, words)
        .having(func.count() > 1)
    ).all()
    assert twins == []

    members = db.scalars(select(Member).where(Member.archived.is_(False))).all()
    assert db.scalar(select(func.count()).select_from(ActionItem)) > 0
    carried = 0
    with app.app_context():
        now = datetime.now()
        for m in members:
            stored = db.scalar(
                select(func.count())
                .select_from(ActionItem)
                .where(ActionItem.member_id == m.id, ActionItem.done.is_(False))
            )
            # Every open item is listed: the app folds none of them away as a twin.
            assert services.count_open(db, m.id) == stored, m.name
            carried += sum(1 for o in services.open_items(db, m.id, now) if o.carried)
    assert carried > 0  # some open items come from an earlier session: carried, not copied
