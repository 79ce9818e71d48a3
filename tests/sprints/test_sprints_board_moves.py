"""The board in one action: a card's status or sprint changed from the board (by the edit
page's rules), and the board filtered by owner (in the query)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries
from tracker.auditing import AuditEvent
from tracker.sprints.models import Milestone, MilestoneMove

TODAY = date.today()


@pytest.fixture
def board(org, make_project, make_sprint, make_milestone):
    """An active sprint with Eve's, Max's and nobody's milestones, a planned next sprint, and
    the other team's sprint."""
    now = make_sprint(org.team, TODAY - timedelta(days=3), state="active", name="Now")
    nxt = make_sprint(org.team, now.end_date + timedelta(days=1), name="Next")
    project = make_project(org.team, "Feature store")
    org.now, org.next, org.project = now, nxt, project
    org.foreign = make_sprint(org.other_team, TODAY - timedelta(days=3), name="Theirs")
    org.ms = {
        "eve": make_milestone(project, "Eve's backfill", sprint=now, owner=org.eng, due_date=TODAY),
        "max": make_milestone(project, "Max's schema", sprint=now, owner=org.mate),
        "nobody": make_milestone(project, "Nobody's docs", sprint=now),
    }
    return org


def _move(client, org, key, **data):
    form = {"board": str(org.now.id)} | {k: str(v) for k, v in data.items()}
    return client.form(f"/milestones/{org.ms[key].id}/move", form)


def test_moving_a_card_to_done_dates_it_logs_it_and_returns_to_the_card(client_as, board, db):
    client = client_as("lead")
    r = _move(client, board, "eve", status="done", owner=board.eng.id)
    assert r.status_code == 302
    assert r.headers["Location"].endswith(
        f"/sprints/{board.now.id}?owner={board.eng.id}#m-{board.ms['eve'].id}"
    )
    m = db.get(Milestone, board.ms["eve"].id)
    assert (m.status, m.done_date, m.sprint_id) == ("done", TODAY, board.now.id)
    logged = db.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "milestone", AuditEvent.object_id == m.id
        )
    ).all()
    assert logged and logged[-1].actor_id == board.lead.id
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Eve&#39;s backfill: now Done." in page
    done_col = page[page.index('aria-label="Done"') : page.index('aria-label="Dropped"')]
    assert "Eve&#39;s backfill" in done_col


def test_moving_a_card_to_another_sprint_records_the_move_and_keeps_its_due_date(
    client_as, board, db
):
    client = client_as("admin")
    r = _move(client, board, "eve", sprint_id=board.next.id, reason="Waiting on data")
    assert r.status_code == 302
    m = db.get(Milestone, board.ms["eve"].id)
    assert (m.sprint_id, m.status, m.due_date) == (board.next.id, "planned", TODAY)
    move = db.scalar(select(MilestoneMove).where(MilestoneMove.milestone_id == m.id))
    assert (move.from_sprint_id, move.to_sprint_id) == (board.now.id, board.next.id)
    assert (move.reason, move.moved_by_id, move.carried_over) == (
        "Waiting on data",
        board.admin.id,
        False,
    )
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"moved to Next, still due {TODAY}, before Next starts." in page
    moved = page[page.index('aria-label="Moved to another sprint"') :]
    assert f'id="m-{m.id}"' in moved and "now in Next" in moved


def test_status_and_sprint_change_in_one_submit(client_as, board, db):
    client = client_as("lead")
    r = _move(client, board, "max", status="in progress", sprint_id=board.next.id)
    assert r.status_code == 302
    m = db.get(Milestone, board.ms["max"].id)
    assert (m.status, m.sprint_id) == ("in progress", board.next.id)


def test_dropping_without_a_reason_is_refused_whole_and_keeps_the_choice(client_as, board, db):
    client = client_as("lead")
    r = _move(client, board, "max", status="dropped", sprint_id=board.next.id, reason="  ")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Not moved:" in page and "Say why the milestone is dropped." in page
    card = page[page.index(f'id="m-{board.ms["max"].id}"') :]
    card = card[: card.index("</article>")]
    assert '<option value="dropped" selected>' in card
    assert f'<option value="{board.next.id}" selected>' in card
    assert 'aria-invalid="true"' in card
    m = db.get(Milestone, board.ms["max"].id)
    assert (m.status, m.sprint_id) == ("planned", board.now.id)  # nothing partial
    assert db.scalar(select(func.count()).select_from(MilestoneMove)) == 0


def test_dropping_with_a_reason_records_it(client_as, board, db):
    client = client_as("lead")
    assert _move(client, board, "max", status="dropped", reason="Superseded").status_code == 302
    m = db.get(Milestone, board.ms["max"].id)
    assert (m.status, m.drop_reason) == ("dropped", "Superseded")
    assert db.scalar(select(func.count()).select_from(MilestoneMove)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "shipped"}, "Unknown status"),
        ({"reason": "x" * 501}, "Reason: "),
        ({"sprint_id": "foreign"}, "Choose one of ML Platform"),
    ],
)
def test_bad_moves_are_refused_with_a_message_never_a_500(client_as, board, db, data, message):
    if data.get("sprint_id") == "foreign":
        data = {"sprint_id": board.foreign.id}
    r = _move(client_as("lead"), board, "eve", **data)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    m = db.get(Milestone, board.ms["eve"].id)
    assert (m.status, m.sprint_id) == ("planned", board.now.id)


def test_a_closed_sprint_is_not_a_target(client_as, board, db, make_sprint):
    old = make_sprint(board.team, TODAY - timedelta(days=40), name="Old", state="closed")
    r = _move(client_as("lead"), board, "eve", sprint_id=old.id)
    assert r.status_code == 400 and "Old is closed" in r.get_data(as_text=True)
    assert db.get(Milestone, board.ms["eve"].id).sprint_id == board.now.id


def test_an_unchanged_card_says_so_and_writes_nothing(client_as, board, db):
    client = client_as("lead")
    logged = select(func.count()).select_from(AuditEvent)
    before = db.scalar(logged)
    r = _move(client, board, "eve", status="planned", sprint_id=board.now.id)
    assert r.status_code == 302
    assert "nothing to change" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert db.scalar(logged) == before


@pytest.mark.parametrize(("who", "status"), [("other", 404), ("engineer", 403)])
def test_only_who_may_edit_milestones_may_move_them(client_as, board, db, who, status):
    client = client_as("other@example.com" if who == "other" else who)
    assert _move(client, board, "eve", status="done").status_code == status
    assert db.get(Milestone, board.ms["eve"].id).status == "planned"


def test_a_foreign_board_id_goes_back_to_the_milestones_own_board(client_as, board):
    r = _move(client_as("lead"), board, "eve", status="in progress", board=board.foreign.id)
    assert r.status_code == 302
    assert f"/sprints/{board.now.id}#m-" in r.headers["Location"]


def test_each_card_has_its_move_form_with_the_teams_open_sprints(client_as, board):
    page = client_as("lead").get(f"/sprints/{board.now.id}").get_data(as_text=True)
    for m in board.ms.values():
        assert f'action="/milestones/{m.id}/move"' in page
    card = page[page.index(f'id="m-{board.ms["eve"].id}"') :]
    card = card[: card.index("</article>")]
    assert "Now (active)" in card and ">Next<" in card and "Theirs" not in card
    assert 'name="csrf_token"' in card and '<option value="planned" selected>' in card


# --- the owner filter --------------------------------------------------------------------


def _titles(page: str) -> set[str]:
    return {t for t in ("Eve&#39;s backfill", "Max&#39;s schema", "Nobody&#39;s docs") if t in page}


def test_the_board_filters_by_owner(client_as, board):
    client = client_as("lead")
    url = f"/sprints/{board.now.id}"
    page = client.get(url).get_data(as_text=True)
    assert _titles(page) == {"Eve&#39;s backfill", "Max&#39;s schema", "Nobody&#39;s docs"}
    select_box = page[page.index('id="owner"') : page.index("</select>", page.index('id="owner"'))]
    assert "Eve Engineer" in select_box and "Max Mate" in select_box
    assert "Pat Plain" not in select_box  # owns nothing on this board
    page = client.get(f"{url}?owner={board.eng.id}").get_data(as_text=True)
    assert _titles(page) == {"Eve&#39;s backfill"}
    assert f'<option value="{board.eng.id}" selected>' in page
    assert "1 milestone planned for this sprint (owned by Eve Engineer)" in page
    assert f'name="owner" value="{board.eng.id}"' in page  # a move comes back filtered
    page = client.get(f"{url}?owner=unassigned").get_data(as_text=True)
    assert _titles(page) == {"Nobody&#39;s docs"}


@pytest.mark.parametrize("raw", ["abc", "999999", str(2**70), "<b>x</b>", "-1", "mine"])
def test_a_bad_owner_is_ignored_with_a_message(client_as, board, raw):
    r = client_as("lead").get(f"/sprints/{board.now.id}", query_string={"owner": raw})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Owner:" in page and "showing every owner" in page
    assert "<b>x</b>" not in page
    assert len(_titles(page)) == 3


def test_bad_owner_of_another_team_is_ignored(client_as, board):
    r = client_as("lead").get(f"/sprints/{board.now.id}?owner={board.stranger.id}")
    assert r.status_code == 200 and len(_titles(r.get_data(as_text=True))) == 3


def test_mine_is_the_viewers_own_milestones_when_they_are_a_member(client_as, board, db):
    eve = db.merge(board.eng)
    eve.user_id = board.lead.id  # the lead's own member record, for this test
    db.commit()
    client = client_as("lead")
    page = client.get(f"/sprints/{board.now.id}").get_data(as_text=True)
    assert '<option value="mine">Mine</option>' in page
    page = client.get(f"/sprints/{board.now.id}?owner=mine").get_data(as_text=True)
    assert _titles(page) == {"Eve&#39;s backfill"}


def test_the_filtered_board_costs_the_same_queries_for_more_milestones(
    app, client_as, board, make_milestone
):
    client = client_as("lead")
    url = f"/sprints/{board.now.id}?owner={board.eng.id}"
    client.get(url)

    def cost() -> int:
        with count_queries(app) as n:
            assert client.get(url).status_code == 200
        return n()

    few = cost()
    for i in range(12):
        owner = (board.eng, board.mate, None)[i % 3]
        make_milestone(board.project, f"More {i}", sprint=board.now, owner=owner)
    assert cost() == few
