"""An admin's reset of a second factor: the safeguards of password resets
(docs/security.md), through the admin's two-factor page and the operator's command."""

from __future__ import annotations

from tests.conftest import login
from tests.identity.conftest import actions
from tracker.identity.models import TwoFactor


def _on(db, user_id: int) -> bool:
    db.expire_all()
    row = db.get(TwoFactor, user_id)
    return row is not None and row.enabled_at is not None


def test_a_protected_account_needs_a_second_admin(app, db, org, make_user, client_as, enrolled):
    enrolled("lead")
    make_user("admin", email="admin2@example.com", name="Ari Admin")
    first = client_as("admin")
    url = f"/admin/users/{org.lead.id}/two-factor"
    asked = first.form(f"{url}/reset")
    assert asked.status_code == 302
    assert _on(db, org.lead.id)  # only asked: still on
    assert "two-factor reset requested" in actions(db, org.lead.id)
    first.get("/")  # (the flash is read)
    own = first.form(f"{url}/approve", follow_redirects=True)
    assert b"another admin must approve it" in own.data
    assert _on(db, org.lead.id)
    page = client_as("admin2@example.com").get("/admin/two-factor")
    assert b"Approve the reset" in page.data
    second = client_as("admin2@example.com")
    assert second.form(f"{url}/approve").status_code == 302
    assert not _on(db, org.lead.id)
    assert actions(db, org.lead.id).count("two-factor removed") == 1
    # The lead logs in with the password alone again (nothing requires it).
    assert login(app.test_client(), "lead@example.com").headers["Location"].endswith("/")


def test_the_only_admin_cannot_reset_a_protected_account(app, db, org, client_as, enrolled):
    enrolled("lead")
    answer = client_as("admin").form(
        f"/admin/users/{org.lead.id}/two-factor/reset", follow_redirects=True
    )
    assert b"you are the only active admin" in answer.data
    assert b"reset-two-factor lead@example.com" in answer.data
    assert _on(db, org.lead.id)


def test_one_admin_resets_an_engineer_who_holds_nothing(app, db, org, client_as, enrolled):
    enrolled("eve@example.com")
    user_id = org.eng.user_id
    assert client_as("admin").form(f"/admin/users/{user_id}/two-factor/reset").status_code == 302
    assert not _on(db, user_id)
    assert "two-factor removed" in actions(db, user_id)


def test_the_operator_resets_on_the_command_line(app, db, org, runner, enrolled):
    enrolled("lead")
    result = runner.invoke(args=["tracker", "reset-two-factor", "lead@example.com"])
    assert result.exit_code == 0, result.output
    assert not _on(db, org.lead.id)
    refused = runner.invoke(args=["tracker", "reset-two-factor", "lead@example.com"])
    assert refused.exit_code != 0 and "no second factor" in refused.output


def test_only_admins_reach_the_reset(app, db, org, client_as, enrolled):
    enrolled("eve@example.com")
    lead = client_as("lead")
    assert lead.form(f"/admin/users/{org.eng.user_id}/two-factor/reset").status_code == 403
    assert lead.get("/admin/two-factor").status_code == 403
    assert _on(db, org.eng.user_id)
