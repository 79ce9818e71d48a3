"""Rating, the member's competency page, the radar chart and the permissions around them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.competencies.models import Category, Competency, Rating


def _category(db, version, key="technical"):
    return db.scalar(select(Category).where(Category.version_id == version.id, Category.key == key))


def _comp(db, version, key):
    return db.scalar(
        select(Competency).where(Competency.version_id == version.id, Competency.key == key)
    )


def _ratings(db, **where):
    query = select(Rating).order_by(Rating.id)
    for k, v in where.items():
        query = query.where(getattr(Rating, k) == v)
    return list(db.scalars(query))


def test_lead_rates_a_whole_category_in_one_submit(client_as, org, db, framework):
    client = client_as("lead")
    cat = _category(db, framework)
    py, algo = (
        _comp(db, framework, "python-programming"),
        _comp(db, framework, "algorithms-data-structures"),
    )
    r = client.form(
        f"/members/{org.eng.id}/ratings",
        {
            "category_id": cat.id,
            f"c{py.id}": "3",
            f"n{py.id}": "Led the refactor",
            f"u{py.id}": "https://git.example.com/pr/42",
            f"c{algo.id}": "2",
        },
    )
    assert r.status_code == 302
    saved = _ratings(db, member_id=org.eng.id)
    assert [(x.competency_id, x.value, x.kind) for x in saved] == [
        (py.id, 3, "lead"),
        (algo.id, 2, "lead"),
    ]
    assert saved[0].note == "Led the refactor" and saved[0].evidence_url.endswith("/pr/42")
    assert saved[0].rater_id == org.lead.id


def test_ratings_are_history_and_the_latest_lead_rating_is_current(
    client_as, org, db, framework, rate
):
    rate(org.eng, "python-programming", 2, rater=org.lead, when=datetime(2026, 1, 5))
    rate(
        org.eng,
        "python-programming",
        4,
        rater=org.lead,
        when=datetime(2026, 6, 5),
        note="Grew a lot",
    )
    rate(org.eng, "python-programming", 1, kind="self", when=datetime(2026, 6, 6))
    client = client_as("lead")
    html = client.get(f"/members/{org.eng.id}/competencies").data.decode()
    row = html[html.index('id="comp-python-programming"') :]
    row = row[: row.index("</tr>")]
    assert 'class="rating r4"' in row and 'class="rating r1"' in row
    assert "2026-01-05" in row and "2026-06-05" in row and "Grew a lot" in row  # history kept
    assert "disconnect" in row  # 4 vs 1: two or more steps apart
    assert len(_ratings(db, member_id=org.eng.id)) == 3


def test_page_shows_expectations_for_level_and_next_level_and_gap(
    client_as, org, db, framework, rate
):
    rate(org.eng, "python-programming", 1, rater=org.lead)  # Eve is Mid
    client = client_as("lead")
    html = client.get(f"/members/{org.eng.id}/competencies").data.decode()
    assert "Mid expects" in html and "Senior expects" in html
    row = html[html.index('id="comp-python-programming"') :]
    row = row[: row.index("</tr>")]
    from tracker.competencies.models import Expectation, Level

    mid = db.scalar(select(Level).where(Level.version_id == framework.id, Level.name == "Mid"))
    exp = db.get(Expectation, (_comp(db, framework, "python-programming").id, mid.id))
    assert exp.descriptor.split()[0] in row
    assert f"{1 - exp.expected:+d}" in row and "gap below" in row
    html = client.get(f"/members/{org.eng.id}/competencies?target=Lead").data.decode()
    assert "Lead expects" in html


def test_engineer_self_rates_own_and_sees_only_own(client_as, org, db, framework):
    client = client_as("engineer")
    cat = _category(db, framework)
    py = _comp(db, framework, "python-programming")
    r = client.form(f"/members/{org.eng.id}/ratings", {"category_id": cat.id, f"c{py.id}": "4"})
    assert r.status_code == 302
    assert [(x.kind, x.value, x.rater_id) for x in _ratings(db)] == [("self", 4, org.eng.user_id)]
    assert client.get(f"/members/{org.mate.id}/competencies").status_code == 404
    r = client.form(f"/members/{org.mate.id}/ratings", {"category_id": cat.id, f"c{py.id}": "1"})
    assert r.status_code == 404
    assert client.get(f"/members/{org.mate.id}/radar.svg").status_code == 404
    assert len(_ratings(db)) == 1


def test_other_lead_cannot_see_or_rate(client_as, org, db, framework):
    client = client_as("other@example.com")
    cat = _category(db, framework)
    py = _comp(db, framework, "python-programming")
    assert client.get(f"/members/{org.eng.id}/competencies").status_code == 404
    r = client.form(f"/members/{org.eng.id}/ratings", {"category_id": cat.id, f"c{py.id}": "3"})
    assert r.status_code == 404
    assert _ratings(db) == []


def test_rating_outside_the_scale_is_rejected_and_nothing_saved(client_as, org, db, framework):
    client = client_as("lead")
    cat = _category(db, framework)
    py, algo = (
        _comp(db, framework, "python-programming"),
        _comp(db, framework, "algorithms-data-structures"),
    )
    r = client.form(
        f"/members/{org.eng.id}/ratings",
        {
            "category_id": cat.id,
            f"c{py.id}": "3",
            f"c{algo.id}": "9",
            f"n{py.id}": "kept text",
        },
    )
    assert r.status_code == 400
    assert "Not a valid choice" in r.data.decode()
    assert 'value="kept text"' in r.data.decode()
    assert _ratings(db) == []


def test_competency_from_another_framework_is_rejected(client_as, org, db, framework):
    """The page is one form, so a competency of another category is welcome in any submit
    (tests/competencies/test_one_form.py); one of another framework, or of none, is not."""
    from tests.route_table import SMALL_FRAMEWORK
    from tracker.frameworks import io as fio

    other = fio.import_framework(db, fio.parse_framework(SMALL_FRAMEWORK, "f.yaml")).version
    db.commit()
    foreign = other.categories[0].competencies[0]
    client = client_as("lead")
    py = _comp(db, framework, "python-programming")
    url = f"/members/{org.eng.id}/ratings"
    r = client.form(url, {f"c{py.id}": "3", f"c{foreign.id}": "3"})
    assert r.status_code == 400 and f"Competency {foreign.id} is not in" in r.data.decode()
    r = client.form(url, {"c999999": "3"})
    assert r.status_code == 400 and b"Competency 999999 is not in Eve Engineer" in r.data
    assert _ratings(db) == []


def test_bad_evidence_link_is_rejected(client_as, org, db, framework):
    client = client_as("lead")
    cat = _category(db, framework)
    py = _comp(db, framework, "python-programming")
    r = client.form(
        f"/members/{org.eng.id}/ratings",
        {"category_id": cat.id, f"c{py.id}": "3", f"u{py.id}": "javascript:alert(1)"},
    )
    assert r.status_code == 400 and b"must start with http" in r.data
    assert _ratings(db) == []


def test_archived_member_cannot_be_rated(client_as, org, db, framework):
    client = client_as("lead")
    client.form(f"/members/{org.plain.id}/archive")
    cat = _category(db, framework)
    py = _comp(db, framework, "python-programming")
    r = client.form(f"/members/{org.plain.id}/ratings", {"category_id": cat.id, f"c{py.id}": "3"})
    assert r.status_code == 400 and b"archived" in r.data
    assert _ratings(db) == []


def test_radar_chart_is_a_static_svg(client_as, org, framework, rate):
    rate(org.eng, "python-programming", 3, rater=org.lead)
    client = client_as("engineer")
    r = client.get(f"/members/{org.eng.id}/radar.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    svg = r.data.decode()
    assert "<svg" in svg and "Technical expertise" in svg and "Expected at Mid" in svg
    assert "script-src" not in r.headers["Content-Security-Policy"]
    html = client.get(f"/members/{org.eng.id}/competencies").data.decode()
    assert "radar.svg" in html and "<caption>By category" in html  # the table fallback


def test_member_page_query_count_does_not_grow_with_history(app, client_as, org, framework, rate):
    rate(org.eng, "sql", 2, rater=org.lead)
    client = client_as("lead")
    url = f"/members/{org.eng.id}/competencies"
    client.get(url)
    with count_queries(app) as few:
        client.get(url)
    for month in range(1, 7):
        for key in ("python-programming", "model-development", "sql", "mentoring-coaching"):
            rate(org.eng, key, month % 5, rater=org.lead, when=datetime(2026, month, 1))
            rate(org.eng, key, (month + 2) % 5, kind="self", when=datetime(2026, month, 2))
    with count_queries(app) as many:
        client.get(url)
    assert many() == few()


def test_no_framework_yet_is_explained(client_as, org):
    client = client_as("lead")
    r = client.get(f"/members/{org.eng.id}/competencies")
    assert r.status_code == 200 and b"No competency framework is loaded yet" in r.data


def test_rating_count_helper(db, org, framework, rate):
    rate(org.eng, "python-programming", 3)
    assert db.scalar(select(func.count()).select_from(Rating)) == 1


def test_rating_cites_a_session_or_a_delivered_milestone(
    client_as, org, db, framework, make_session, delivery
):
    from datetime import date

    from tracker.sprints.models import Milestone

    mine = make_session(org.eng, org.lead, held_at=datetime(2026, 10, 1, 10))
    theirs = make_session(org.mate, org.lead, held_at=datetime(2026, 10, 2, 10))
    m = db.get(Milestone, org.milestone.id)
    m.status, m.done_date = "done", date.today()
    db.commit()
    client = client_as("lead")
    cat = _category(db, framework)
    py = _comp(db, framework, "python-programming")
    url = f"/members/{org.eng.id}/ratings"
    r = client.form(url, {"category_id": cat.id, f"c{py.id}": "3", "session_id": theirs.id})
    assert r.status_code == 400 and "Not a valid choice" in r.data.decode()  # not Eve's session
    assert _ratings(db) == []
    r = client.form(
        url, {"category_id": cat.id, f"c{py.id}": "3", "session_id": mine.id, "milestone_id": m.id}
    )
    assert r.status_code == 302
    rating = _ratings(db)[0]
    assert (rating.session_id, rating.milestone_id) == (mine.id, m.id)
    html = client.get(f"/members/{org.eng.id}/competencies").data.decode()
    assert f'href="/sessions/{mine.id}"' in html and "shown by milestone" in html
