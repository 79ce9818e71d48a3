"""A restore ends every login, calendar feed and unused one-time link: what was ended or used
after the backup was taken must not come back to life with the backup's rows. The same is one
command, `tracker end-all-logins`, on either engine."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from tests.auth.test_login_sessions import _copy, _logged_in, _login
from tracker.auditing import AuditEvent
from tracker.auth.models import AccountLink
from tracker.mentoring.models import CalendarFeed

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite backup API; PostgreSQL: pg_dump"
)


def _feed_url(client) -> str:
    html = client.get("/calendar").get_data(as_text=True)
    start = html.index("/calendar/")
    while not html[start:].split('"')[0].endswith(".ics"):
        start = html.index("/calendar/", start + 1)
    return html[start:].split('"')[0].split("tracker.test")[-1]


def _credentials(app, org):
    """A lead logged in with a remember cookie, their copied cookies, their feed URL and an
    unused invitation."""
    from tracker.db import get_db
    from tracker.team.invites import invite_member

    lead = app.test_client()
    _login(lead)
    feed = _feed_url(lead)
    assert lead.get(feed).status_code == 200
    with app.app_context():
        db = get_db()
        _link, token = invite_member(db, db.merge(org.plain), db.merge(org.lead))
        db.commit()
    return lead, _copy(app, lead, ["session", "remember"]), feed, token


@sqlite_only
def test_a_restore_does_not_bring_back_what_ended_after_the_backup(app, db, org, runner, tmp_path):
    lead, thief, feed, token = _credentials(app, org)
    out = tmp_path / "backup.db"
    assert runner.invoke(args=["tracker", "backup", str(out)]).exit_code == 0
    # After the backup: the lead logs out (the thief's copy dies), as a control.
    lead.form("/logout")
    assert not _logged_in(thief)
    r = runner.invoke(args=["tracker", "restore", str(out), "--yes"])
    assert r.exit_code == 0, r.output
    assert "Ended the logins of" in r.output
    # The backup's rows had that login live, its feed and the invitation unused: all ended.
    assert not _logged_in(thief)
    assert app.test_client().get(feed).status_code == 404
    assert app.test_client().get(f"/welcome/{token}").status_code == 404
    db.rollback()
    assert db.scalar(select(CalendarFeed)) is None
    assert not db.scalars(select(AccountLink).where(AccountLink.used_at.is_(None))).all()


def test_end_all_logins_ends_every_login_feed_and_unused_link(app, db, org, runner):
    lead, thief, feed, token = _credentials(app, org)
    eve = app.test_client()
    _login(eve, "eve@example.com")
    assert _logged_in(thief) and _logged_in(eve)  # controls: the test can fail
    r = runner.invoke(args=["tracker", "end-all-logins"])
    assert r.exit_code == 0, r.output
    for client in (lead, thief, eve):
        assert not _logged_in(client)
    assert app.test_client().get(feed).status_code == 404
    assert app.test_client().get(f"/welcome/{token}").status_code == 404
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "end all logins")).all()
    assert len(events) == 1 and events[0].actor == "command line"
    # Everyone can log in again at once.
    _login(eve, "eve@example.com")
    assert _logged_in(eve)
