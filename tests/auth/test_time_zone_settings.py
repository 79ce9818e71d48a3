"""A user's own time zone (account page) and the organisation's (admin page)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.auditing import AuditEvent
from tracker.auth.models import User
from tracker.localtime import Organisation


def _user(db, email: str) -> User:
    db.expire_all()
    return db.scalar(select(User).where(User.email == email))


def test_a_user_picks_their_time_zone_and_clears_it(org, client_as, db):
    lead = client_as("lead")
    page = lead.get("/account").get_data(as_text=True)
    assert 'list="time-zones"' in page and '<option value="Europe/Berlin">' in page
    assert "the organisation&#39;s time zone, UTC" in page

    response = lead.form("/account/time-zone", {"time_zone": " Europe/Berlin "})
    assert response.status_code == 302
    assert _user(db, "lead@example.com").time_zone == "Europe/Berlin"
    assert "in Europe/Berlin." in lead.get("/account").get_data(as_text=True)
    logged = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")).all()
    assert any("time_zone" in e.summary and "Europe/Berlin" in e.summary for e in logged)

    assert lead.form("/account/time-zone", {"time_zone": ""}).status_code == 302
    assert _user(db, "lead@example.com").time_zone is None


def test_a_bad_time_zone_is_refused_with_a_message_and_the_typing_kept(org, client_as, db):
    lead = client_as("lead")
    response = lead.form("/account/time-zone", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your time zone: &#39;Mars/Olympus_Mons&#39; is not a time zone." in page
    assert 'value="Mars/Olympus_Mons"' in page
    assert _user(db, "lead@example.com").time_zone is None


def test_the_admin_sets_the_organisations_time_zone_which_applies_to_users_without_one(
    org, client_as, db
):
    admin = client_as("admin")
    assert 'value="UTC"' in admin.get("/admin/organisation").get_data(as_text=True)
    refused = admin.form("/admin/organisation", {"time_zone": "Nowhere/Special"})
    assert refused.status_code == 400
    assert "is not a time zone" in refused.get_data(as_text=True)
    assert db.get(Organisation, 1) is None

    assert admin.form("/admin/organisation", {"time_zone": "Asia/Tokyo"}).status_code == 302
    db.expire_all()
    assert db.get(Organisation, 1).time_zone == "Asia/Tokyo"
    logged = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "organisation"))
    assert any("Asia/Tokyo" in e.summary for e in logged)

    page = client_as("engineer").get("/account").get_data(as_text=True)
    assert "the organisation&#39;s time zone, Asia/Tokyo" in page
    assert admin.form("/admin/organisation", {"time_zone": ""}).status_code == 400


def test_only_an_admin_sets_the_organisations_time_zone(org, client_as, db):
    lead = client_as("lead")
    assert lead.get("/admin/organisation").status_code == 403
    assert lead.form("/admin/organisation", {"time_zone": "Asia/Tokyo"}).status_code == 403
    assert db.get(Organisation, 1) is None


def test_the_configured_time_zone_is_the_default(app, org, client_as):
    app.config["TRACKER_TIME_ZONE"] = "America/New_York"
    page = client_as("lead").get("/account").get_data(as_text=True)
    assert "the organisation&#39;s time zone, America/New_York" in page


def test_a_security_notice_gives_the_time_in_its_readers_zone(org, client_as, db):
    from tests.conftest import PASSWORD
    from tests.route_table import NEW_PASSWORD

    org.lead.time_zone = "Asia/Kolkata"
    db.commit()
    lead = client_as("lead")
    changed = lead.form(
        "/account",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    page = lead.get("/account").get_data(as_text=True)
    assert "Your password was changed at " in page
    assert "(Asia/Kolkata)." in page


@pytest.mark.parametrize(
    "typed",
    ["../../etc/passwd", "europe/berlin", "<b>UTC</b>", "Europe/Berlin" * 6, "=cmd|' /C calc'!A0"],
)
def test_hostile_time_zones_are_refused_and_nothing_is_written(org, client_as, db, typed):
    lead = client_as("lead")
    response = lead.form("/account/time-zone", {"time_zone": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<b>UTC</b>" not in page  # escaped, never markup
    assert "Your time zone" in page and 'class="field-error"' in page
    assert _user(db, "lead@example.com").time_zone is None
