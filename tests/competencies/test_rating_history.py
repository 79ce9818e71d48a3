"""Rating history is bounded: an engineer with hundreds of self-ratings does not grow the lead's
member page (the newest few per competency, then one page at a time, in a fixed number of
queries), and rating notes have a cap whose message names the field and keeps the typing."""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, login
from tracker.competencies.history import HISTORY_PAGE, HISTORY_SHOWN
from tracker.competencies.models import Competency, Rating
from tracker.competencies.services import MAX_NOTE

KEY = "python-programming"
MANY = 500


def _comp(db, framework, key=KEY):
    return db.scalar(
        select(Competency).where(Competency.version_id == framework.id, Competency.key == key)
    )


def _self_ratings(db, member, comp, n, start=datetime(2025, 1, 1)):
    """`n` self-ratings, one a day, note numbered so each shows which one it is."""
    db.add_all(
        Rating(
            member_id=member.id,
            competency_id=comp.id,
            kind="self",
            value=1 + i % 5,
            rater_id=member.user_id,
            note=f"self-note-{i:04d}",
            created_at=start + timedelta(days=i),
        )
        for i in range(n)
    )
    db.commit()


def _row(page: str, key: str = KEY) -> str:
    row = page[page.index(f'id="comp-{key}"') :]
    return row[: row.index("</tr>")]


def _notes(row: str) -> list[int]:
    # The history list only: the rater's own form is filled with their current rating's note.
    listed = "".join(re.findall(r'<ul class="history">.*?</ul>', row, re.S))
    return [int(n) for n in re.findall(r"self-note-(\d{4})", listed)]


@pytest.fixture
def lead(client, org, db, framework):
    _self_ratings(db, org.eng, _comp(db, framework), MANY)
    login(client, "lead@example.com")
    return client


def test_member_page_shows_only_the_newest_ratings_with_a_link_to_all(lead, org):
    page = lead.get(f"/members/{org.eng.id}/competencies").get_data(as_text=True)
    row = _row(page)
    assert _notes(row) == [MANY - 1 - i for i in range(HISTORY_SHOWN)]  # newest first
    assert f"of {MANY}, newest first" in row
    assert f"All {MANY} ratings" in row
    assert f"history={KEY}" in html_lib.unescape(row)
    assert page.count("self-note-") == HISTORY_SHOWN  # nothing of the rest anywhere


@pytest.mark.parametrize("n", [1, 2, 13, 25])
def test_history_pages_walk_every_rating_once(lead, org, n):
    pages = -(-MANY // HISTORY_PAGE)
    url = f"/members/{org.eng.id}/competencies?history={KEY}&history_page={n}"
    row = _row(lead.get(url).get_data(as_text=True))
    low = (n - 1) * HISTORY_PAGE
    assert _notes(row) == [MANY - 1 - i for i in range(low, min(low + HISTORY_PAGE, MANY))]
    assert f"page {n} of {pages}" in row
    assert ("← newer" in row) == (n > 1)
    assert ("older →" in row) == (n < pages)
    assert "<details open>" in row  # the opened competency is shown open


@pytest.mark.parametrize("bad", ["0", "-3", "999999", "99999999999999999999", "x", "²", ""])
def test_odd_history_pages_show_a_real_page(lead, org, bad):
    url = f"/members/{org.eng.id}/competencies"
    r = lead.get(url, query_string={"history": KEY, "history_page": bad})
    assert r.status_code == 200
    shown = _notes(_row(r.get_data(as_text=True)))
    assert 0 < len(shown) <= HISTORY_PAGE


@pytest.mark.parametrize("key", ["no-such-key", "", "'; --", "x" * 5000])
def test_unknown_history_key_shows_the_normal_page(lead, org, key):
    r = lead.get(f"/members/{org.eng.id}/competencies", query_string={"history": key})
    assert r.status_code == 200
    assert len(_notes(_row(r.get_data(as_text=True)))) == HISTORY_SHOWN


def test_history_of_the_engineer_herself_pages_too(client_as, org, db, framework):
    _self_ratings(db, org.eng, _comp(db, framework), 45)
    client = client_as("engineer")
    url = f"/members/{org.eng.id}/competencies?history={KEY}&history_page=3"
    row = _row(client.get(url).get_data(as_text=True))
    assert _notes(row) == [4, 3, 2, 1, 0] and "page 3 of 3" in row


@pytest.mark.parametrize("opened", [None, KEY], ids=["closed", "opened"])
def test_member_page_queries_do_not_grow_with_history(app, client_as, org, db, framework, opened):
    comps = [_comp(db, framework, k) for k in (KEY, "sql", "model-development")]
    for c in comps:
        _self_ratings(db, org.eng, c, HISTORY_PAGE + 5)  # page 2 exists in both
    client = client_as("lead")
    url = f"/members/{org.eng.id}/competencies" + (
        f"?history={opened}&history_page=2" if opened else ""
    )
    client.get(url)
    with count_queries(app) as few:
        small = client.get(url).get_data(as_text=True)
    for c in comps:
        _self_ratings(db, org.eng, c, MANY, start=datetime(2027, 1, 1))
    with count_queries(app) as many:
        big = client.get(url).get_data(as_text=True)
    assert many() == few()
    assert big.count("self-note-") <= len(comps) * HISTORY_SHOWN + HISTORY_PAGE
    assert small.count("self-note-") > 0


# --- the note's cap ------------------------------------------------------------------------

OVER = {
    "one-over": "n" * (MAX_NOTE + 1),
    "far-over": "n" * (MAX_NOTE * 50),
    "accented": "é" * (MAX_NOTE + 1),
    "emoji": "😀" * (MAX_NOTE + 1),
    "spaces-after": "n" * MAX_NOTE + " " * 5,
}


@pytest.mark.parametrize("who", ["lead@example.com", "eve@example.com"])
@pytest.mark.parametrize("note", list(OVER), ids=list(OVER))
def test_notes_over_the_cap_are_refused_naming_the_field_and_kept(
    client, org, db, framework, who, note
):
    comp = _comp(db, framework)
    login(client, who)
    text = OVER[note]
    r = client.form(
        f"/members/{org.eng.id}/ratings",
        {"category_id": comp.category_id, f"c{comp.id}": "3", f"n{comp.id}": text},
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert f"Evidence for {comp.name}: at most {MAX_NOTE} characters." in page
    assert f'value="{text}"' in page  # the typing is kept
    assert db.scalar(select(func.count()).select_from(Rating)) == 0


def test_a_note_at_the_cap_is_saved(client_as, org, db, framework):
    comp = _comp(db, framework)
    client = client_as("lead")
    text = "é" * MAX_NOTE
    r = client.form(
        f"/members/{org.eng.id}/ratings",
        {"category_id": comp.category_id, f"c{comp.id}": "3", f"n{comp.id}": text},
    )
    assert r.status_code == 302
    assert db.scalar(select(Rating.note)) == text


def test_the_service_refuses_long_notes_too(app, db, org, framework):
    """The rule holds for every caller of the service, not only the form."""
    from tracker.competencies.ratings import RowInput, rate_changed
    from tracker.competencies.services import RatingError, view_for_team

    comp = _comp(db, framework)
    with app.app_context():
        view = view_for_team(db, org.eng.team)
        row = RowInput(comp.id, 3, "n" * (MAX_NOTE + 1))
        with pytest.raises(RatingError) as err:
            rate_changed(db, view, org.eng, org.lead, "lead", [row])
    # The field is the row's note on the page's one form (n<competency id>).
    assert f"Evidence for {comp.name}" in str(err.value) and err.value.field == f"n{comp.id}"
    assert db.scalar(select(func.count()).select_from(Rating)) == 0
    db.rollback()
