"""The competency page's lost update: each row carries the rating it showed (as of), and a
save whose changed row was rated by someone else since the page was loaded saves nothing,
names the competency, the newer value and its author, keeps the typing, and lets the user
save again knowingly; rows left as shown never overwrite a newer rating."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.competencies.test_one_form import _comp, _Form, _row
from tracker.competencies.models import Rating


def _form_of(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


def _load(client, member) -> dict[str, str]:
    return _form_of(client.get(f"/members/{member.id}/competencies").get_data(as_text=True))


def _ratings(db, member, competency, kind="lead") -> list[tuple[int, int | None]]:
    rows = db.execute(
        select(Rating.value, Rating.rater_id)
        .where(
            Rating.member_id == member.id,
            Rating.competency_id == competency.id,
            Rating.kind == kind,
        )
        .order_by(Rating.id)
    )
    return [tuple(r) for r in rows]


def _total(db) -> int:
    return db.scalar(select(func.count()).select_from(Rating))


def test_the_page_carries_the_rating_each_row_shows(client_as, org, framework, rate, db):
    py, sql = _comp(db, framework, "python-programming"), _comp(db, framework, "sql")
    shown = rate(org.eng, "python-programming", 3, rater=org.lead)
    form = _load(client_as("lead"), org.eng)
    assert form[f"a{py.id}"] == str(shown.id)
    assert form[f"a{sql.id}"] == ""  # nothing shown yet


def test_a_row_rated_meanwhile_is_refused_named_and_kept_then_saved_knowingly(
    client_as, org, framework, rate, db
):
    py = _comp(db, framework, "python-programming")
    rate(org.eng, "python-programming", 3, rater=org.lead)
    lead, admin = client_as("lead"), client_as("admin")
    stale = _load(lead, org.eng)
    newer = admin.post(
        f"/members/{org.eng.id}/ratings", data=_load(admin, org.eng) | {f"c{py.id}": "4"}
    )
    assert newer.status_code == 302
    before = _total(db)

    r = lead.post(
        f"/members/{org.eng.id}/ratings",
        data=stale | {f"c{py.id}": "2", f"n{py.id}": "Struggled with typing"},
    )
    assert r.status_code == 400 and _total(db) == before  # nothing written
    page = r.get_data(as_text=True)
    assert f"Nothing was saved: {py.name} was rated by someone else" in page
    row = _row(page, "python-programming")
    assert f"{py.name}: rated 4 · " in row and "by Ada Admin" in row
    assert "Save again to record yours instead." in row
    assert '<option selected value="2">' in row and 'value="Struggled with typing"' in row

    again = _form_of(page)  # the page as re-rendered: its as-of is the newer rating now
    newest = db.scalar(select(func.max(Rating.id)))
    assert again[f"a{py.id}"] == str(newest)
    r = lead.post(f"/members/{org.eng.id}/ratings", data=again)
    assert r.status_code == 302
    assert _ratings(db, org.eng, py) == [(3, org.lead.id), (4, org.admin.id), (2, org.lead.id)]


def test_two_tabs_of_the_same_lead_are_refused_too(client_as, org, framework, db):
    py = _comp(db, framework, "python-programming")
    lead = client_as("lead")
    tab_a, tab_b = _load(lead, org.eng), _load(lead, org.eng)
    url = f"/members/{org.eng.id}/ratings"
    assert lead.post(url, data=tab_a | {f"c{py.id}": "3"}).status_code == 302
    r = lead.post(url, data=tab_b | {f"c{py.id}": "1"})
    assert r.status_code == 400
    assert f"{py.name}: rated 3" in r.get_data(as_text=True)
    assert "by Lee Lead" in r.get_data(as_text=True)
    assert _ratings(db, org.eng, py) == [(3, org.lead.id)]


def test_one_stale_row_refuses_the_whole_save(client_as, org, framework, db):
    py, sql = _comp(db, framework, "python-programming"), _comp(db, framework, "sql")
    lead, admin = client_as("lead"), client_as("admin")
    stale = _load(lead, org.eng)
    url = f"/members/{org.eng.id}/ratings"
    assert admin.post(url, data=_load(admin, org.eng) | {f"c{py.id}": "4"}).status_code == 302
    r = lead.post(url, data=stale | {f"c{py.id}": "2", f"c{sql.id}": "3"})
    assert r.status_code == 400
    assert _ratings(db, org.eng, sql) == [] and _ratings(db, org.eng, py) == [(4, org.admin.id)]
    assert '<option selected value="3">' in _row(r.get_data(as_text=True), "sql")  # kept


def test_a_row_left_as_shown_never_overwrites_the_newer_rating(client_as, org, framework, db):
    py, sql = _comp(db, framework, "python-programming"), _comp(db, framework, "sql")
    lead, admin = client_as("lead"), client_as("admin")
    stale = _load(lead, org.eng)  # shows SQL unrated
    url = f"/members/{org.eng.id}/ratings"
    assert admin.post(url, data=_load(admin, org.eng) | {f"c{sql.id}": "4"}).status_code == 302
    r = lead.post(url, data=stale | {f"c{py.id}": "3"}, follow_redirects=True)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Saved 1 rating in Technical expertise." in page
    assert f"left as it was on your page: {sql.name}; the newer rating stands." in page
    assert _ratings(db, org.eng, sql) == [(4, org.admin.id)]
    assert _ratings(db, org.eng, py) == [(3, org.lead.id)]


def test_the_same_change_made_by_both_is_no_conflict(client_as, org, framework, db):
    py = _comp(db, framework, "python-programming")
    lead, admin = client_as("lead"), client_as("admin")
    stale = _load(lead, org.eng)
    url = f"/members/{org.eng.id}/ratings"
    assert admin.post(url, data=_load(admin, org.eng) | {f"c{py.id}": "3"}).status_code == 302
    r = lead.post(url, data=stale | {f"c{py.id}": "3"}, follow_redirects=True)
    assert "No rating was changed: nothing to save." in r.get_data(as_text=True)
    assert _ratings(db, org.eng, py) == [(3, org.admin.id)]


def test_a_lead_rating_meanwhile_does_not_stale_a_self_rating(client_as, org, framework, db):
    py = _comp(db, framework, "python-programming")
    eve, lead = client_as("engineer"), client_as("lead")
    mine = _load(eve, org.eng)
    url = f"/members/{org.eng.id}/ratings"
    assert lead.post(url, data=_load(lead, org.eng) | {f"c{py.id}": "2"}).status_code == 302
    assert eve.post(url, data=mine | {f"c{py.id}": "4"}).status_code == 302
    assert _ratings(db, org.eng, py, "self") == [(4, org.eng.user_id)]


def test_junk_as_of_values_are_a_message_never_a_500(client_as, org, framework, rate, db):
    py = _comp(db, framework, "python-programming")
    rate(org.eng, "python-programming", 3, rater=org.admin)
    lead = client_as("lead")
    url = f"/members/{org.eng.id}/ratings"
    for junk in ("x", "-1", "9" * 30, "0"):
        r = lead.post(url, data=_load(lead, org.eng) | {f"a{py.id}": junk, f"c{py.id}": "1"})
        assert r.status_code == 400, junk
        assert "after you loaded this page" in r.get_data(as_text=True)
    assert _ratings(db, org.eng, py) == [(3, org.admin.id)]
