"""A member's competency page is one form: one submit keeps every changed rating on it (and
says how many), saves nothing when any row is wrong (the typing kept, each error beside its
row), never saves an unchanged row again, and costs the same queries for 1 row or 39."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.competencies.models import Category, Competency, Rating


class _Form(HTMLParser):
    """What a browser submits for the page's rating form: each field's current value."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("id") == "ratings"
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first or "")
            self._select = None


def _page_form(client, member) -> dict[str, str]:
    parser = _Form()
    parser.feed(client.get(f"/members/{member.id}/competencies").get_data(as_text=True))
    return parser.fields


def _comp(db, framework, key):
    return db.scalar(
        select(Competency).where(Competency.version_id == framework.id, Competency.key == key)
    )


def _all(db, framework) -> list[Competency]:
    return list(
        db.scalars(
            select(Competency)
            .join(Category)
            .where(Competency.version_id == framework.id)
            .order_by(Category.position, Competency.position)
        )
    )


def _count(db, **where) -> int:
    query = select(func.count()).select_from(Rating)
    for k, v in where.items():
        query = query.where(getattr(Rating, k) == v)
    return db.scalar(query)


def _row(page: str, key: str) -> str:
    row = page[page.index(f'id="comp-{key}"') :]
    return row[: row.index("</tr>")]


def test_two_categories_changed_in_one_submit_are_both_saved_and_counted(
    client_as, org, db, framework
):
    client = client_as("lead")
    form = _page_form(client, org.eng)
    py, algo = (
        _comp(db, framework, "python-programming"),
        _comp(db, framework, "algorithms-data-structures"),
    )
    mentor = _comp(db, framework, "mentoring-coaching")
    assert py.category_id == algo.category_id != mentor.category_id
    form |= {f"c{py.id}": "3", f"n{py.id}": "Led the refactor", f"c{algo.id}": "2"}
    form |= {f"c{mentor.id}": "4", f"u{mentor.id}": "https://wiki.example.com/mentoring"}
    r = client.post(f"/members/{org.eng.id}/ratings", data=form, follow_redirects=True)
    assert r.status_code == 200
    assert "Saved 3 ratings in 2 categories." in r.get_data(as_text=True)
    saved = db.scalars(select(Rating).order_by(Rating.competency_id)).all()
    assert sorted((x.competency_id, x.value, x.kind) for x in saved) == sorted(
        [(py.id, 3, "lead"), (algo.id, 2, "lead"), (mentor.id, 4, "lead")]
    )
    # One category is named rather than counted.
    r = client.form(f"/members/{org.eng.id}/ratings", {f"c{py.id}": "4"}, follow_redirects=True)
    assert "Saved 1 rating in Technical expertise." in r.get_data(as_text=True)


def test_an_invalid_row_saves_nothing_keeps_the_typing_and_sits_beside_its_row(
    client_as, org, db, framework
):
    client = client_as("lead")
    form = _page_form(client, org.eng)
    py, sql = _comp(db, framework, "python-programming"), _comp(db, framework, "sql")
    mentor = _comp(db, framework, "mentoring-coaching")
    form |= {f"c{py.id}": "3", f"n{py.id}": "kept text", f"c{sql.id}": "2"}
    form |= {f"c{mentor.id}": "4", f"u{mentor.id}": "javascript:alert(1)"}
    r = client.post(f"/members/{org.eng.id}/ratings", data=form)
    assert r.status_code == 400 and _count(db) == 0
    page = r.get_data(as_text=True)
    assert "Nothing was saved" in page
    bad = _row(page, "mentoring-coaching")
    assert "must start with http" in bad and 'aria-invalid="true"' in bad
    assert 'value="javascript:alert(1)"' in bad
    good = _row(page, "python-programming")
    assert "field-error" not in good
    assert 'value="kept text"' in good and '<option selected value="3">' in good
    assert '<option selected value="2">' in _row(page, "sql")
    # Evidence without a rating is not dropped in silence either: it asks for the rating.
    form = _page_form(client, org.eng) | {f"n{sql.id}": "Wrote the migration guide"}
    r = client.post(f"/members/{org.eng.id}/ratings", data=form)
    assert r.status_code == 400 and _count(db) == 0
    row = _row(r.get_data(as_text=True), "sql")
    assert "choose a rating to go with this evidence" in row
    assert 'value="Wrote the migration guide"' in row


def test_unchanged_rows_are_not_saved_again(client_as, org, db, framework, rate):
    rate(org.eng, "python-programming", 3, rater=org.lead, note="Led the refactor")
    rate(org.eng, "sql", 2, rater=org.lead)
    rate(org.eng, "sql", 4, kind="self")
    client = client_as("lead")
    form = _page_form(client, org.eng)
    py, sql = _comp(db, framework, "python-programming"), _comp(db, framework, "sql")
    assert (form[f"c{py.id}"], form[f"n{py.id}"]) == ("3", "Led the refactor")  # the lead's
    assert form[f"c{sql.id}"] == "2"
    url = f"/members/{org.eng.id}/ratings"
    r = client.post(url, data=form, follow_redirects=True)
    assert "No rating was changed: nothing to save." in r.get_data(as_text=True)
    assert _count(db) == 3
    # Spaces around the note are not a change; a new note on the same value is.
    r = client.post(url, data=form | {f"n{py.id}": "  Led the refactor "})
    assert r.status_code == 302 and _count(db) == 3
    r = client.post(url, data=form | {f"n{py.id}": "Led the refactor and the rollout"})
    assert r.status_code == 302 and _count(db, competency_id=py.id) == 2
    assert _count(db) == 4
    # The engineer's form holds her own self-rating, and keeps it likewise.
    eve = client_as("engineer")
    form = _page_form(eve, org.eng)
    assert form[f"c{sql.id}"] == "4"
    r = eve.post(url, data=form | {f"c{sql.id}": "5"})
    assert r.status_code == 302 and _count(db, kind="self") == 2 and _count(db) == 5


def test_foreign_competency_ids_are_refused_without_a_500(client_as, org, db, framework):
    from tests.route_table import SMALL_FRAMEWORK
    from tracker.frameworks import io as fio

    other = fio.import_framework(db, fio.parse_framework(SMALL_FRAMEWORK, "f.yaml")).version
    db.commit()
    foreign = other.categories[0].competencies[0].id
    client = client_as("lead")
    form = _page_form(client, org.eng)
    py = _comp(db, framework, "python-programming")
    url = f"/members/{org.eng.id}/ratings"
    for extra in (
        {f"c{foreign}": "1"},
        {f"n{foreign}": "a note"},
        {"c0": "3"},
        {"u999999999": "https://example.com"},
    ):
        r = client.post(url, data=form | {f"c{py.id}": "3"} | extra)
        assert r.status_code == 400, extra
        assert "is not in Eve Engineer&#39;s framework" in r.get_data(as_text=True)
    r = client.form(url, {"c" + "9" * 40: "3"})  # not an id at all: no rating field
    assert r.status_code == 400 and b"The form sent no ratings" in r.data
    assert _count(db) == 0


def test_saving_costs_the_same_queries_for_one_row_or_all(app, client_as, org, db, framework):
    comps = _all(db, framework)
    assert len(comps) == 39
    client = client_as("lead")
    for member in (org.mate, org.eng):  # alike before: each has one rating
        client.form(f"/members/{member.id}/ratings", {f"c{comps[0].id}": "1"})
    with count_queries(app) as one:
        r = client.form(f"/members/{org.mate.id}/ratings", {f"c{comps[0].id}": "2"})
    assert r.status_code == 302 and _count(db, member_id=org.mate.id) == 2
    every = {f"c{c.id}": str(2 + i % 3) for i, c in enumerate(comps)}
    every |= {f"n{c.id}": f"Review note {i}" for i, c in enumerate(comps)}
    with count_queries(app) as all_:
        r = client.form(f"/members/{org.eng.id}/ratings", every)
    assert r.status_code == 302 and _count(db, member_id=org.eng.id) == 40
    assert all_() == one(), (one(), all_())


def test_a_full_review_is_one_submit_and_one_history_entry_each(client_as, org, db, framework):
    comps = _all(db, framework)
    client = client_as("lead")
    form = _page_form(client, org.eng)
    assert {k for k in form if re.match(r"c\d+$", k)} == {f"c{c.id}" for c in comps}
    form |= {f"c{c.id}": str(1 + i % 5) for i, c in enumerate(comps)}
    r = client.post(f"/members/{org.eng.id}/ratings", data=form, follow_redirects=True)
    categories = db.scalar(
        select(func.count()).select_from(Category).where(Category.version_id == framework.id)
    )
    assert f"Saved 39 ratings in {categories} categories." in r.get_data(as_text=True)
    assert "Rated 39 of 39 competencies by a lead." in r.get_data(as_text=True)
    assert _count(db) == 39
