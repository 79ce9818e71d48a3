"""The rating disconnects' panel on the member page (tracker/competencies/glance.py): the
competencies where lead and self-rating differ by two or more steps, as the competency page
marks them; without both ratings it says what is missing and offers to rate only to who may."""

from __future__ import annotations


def _panel(client, member) -> str:
    html = client.get(f"/members/{member.id}").get_data(as_text=True)
    start = html.index('id="glance-disconnects-h"')
    return html[start : html.index("</article>", start)]


def test_disconnects_as_the_competency_page_marks_them(client_as, org, framework, rate):
    rate(org.eng, "python-programming", 1, rater=org.lead)
    rate(org.eng, "python-programming", 3, kind="self", rater=org.eng.user)  # two apart
    rate(org.eng, "sql", 2, rater=org.lead)
    rate(org.eng, "sql", 3, kind="self", rater=org.eng.user)  # one apart: agreed enough
    for who in ("lead", "admin", "engineer"):
        panel = _panel(client_as(who), org.eng)
        assert "#comp-python-programming" in panel and "lead 1, self 3" in panel, who
        assert "#comp-sql" not in panel
        assert "Rated by a lead: 2 of" in panel and "self: 2" in panel
    page = client_as("lead").get(f"/members/{org.eng.id}/competencies").get_data(as_text=True)
    marked = page[
        page.index('id="disconnects-h"') : page.index(
            "</article>", page.index('id="disconnects-h"')
        )
    ]
    assert "#comp-python-programming" in marked and "#comp-sql" not in marked


def test_no_disconnects(client_as, org, framework, rate):
    rate(org.eng, "sql", 2, rater=org.lead)
    rate(org.eng, "sql", 2, kind="self", rater=org.eng.user)
    panel = _panel(client_as("lead"), org.eng)
    assert "None: lead and self-ratings are within 1 step" in panel


def test_what_is_missing_and_who_may_rate(client_as, org, db, framework, rate):
    url = f'href="/members/{org.eng.id}/competencies"'
    lead = _panel(client_as("lead"), org.eng)
    assert "No lead rating yet" in lead and f"{url}>rate Eve Engineer</a>" in lead
    eve = _panel(client_as("engineer"), org.eng)
    assert "You have not rated yourself yet" in eve and f"{url}>rate yourself</a>" in eve
    rate(org.eng, "sql", 2, kind="self", rater=org.eng.user)
    assert "Your lead has not rated you yet" in _panel(client_as("engineer"), org.eng)
    # Max, not rated: the lead is told what is missing; once rated, his self-rating is.
    assert "No lead rating yet" in _panel(client_as("lead"), org.mate)
    rate(org.mate, "sql", 2, rater=org.lead)
    assert "No self-rating yet" in _panel(client_as("lead"), org.mate)
    from tracker.db import utcnow

    org.eng.archived, org.eng.archived_at = True, utcnow()
    db.commit()
    assert ">rate Eve Engineer</a>" not in _panel(client_as("lead"), org.eng)
