"""tracker/views.py: one commit on success; a broken rule rolls back and keeps the typing."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import InputRequired

from tracker import views
from tracker.db import get_db
from tracker.errors import RuleError
from tracker.team.models import Team
from tracker.team.services import TeamError

PAGE = (
    "{{ form.name.data or '' }}|{{ form.name.errors|join(',') }}"
    "|{{ get_flashed_messages()|join(',') }}"
)


class NameForm(FlaskForm):
    name = StringField(validators=[InputRequired()])


@pytest.fixture
def saving(app):
    app.jinja_env.loader = ChoiceLoader([DictLoader({"_save.html": PAGE}), app.jinja_env.loader])

    @app.route("/_save", methods=["GET", "POST"])
    def save_view():  # a route added only in this test
        form = NameForm()

        def action() -> Team:
            team = Team(name=form.name.data)
            get_db().add(team)
            get_db().flush()  # written, and must be rolled back on a refusal
            if form.name.data == "beside":
                raise TeamError("Not that name.", "name")
            if form.name.data == "flashed":
                raise RuleError("Not at all.", "no_such_field")
            return team

        return views.save(
            form,
            action,
            flash_ok=lambda team: f"Team {team.name} made.",
            to=lambda team: f"/teams/{team.id}",
            template="_save.html",
            invalid=400,
        )

    save_view.access = ("public",)  # type: ignore[attr-defined]
    return app


def _names(db) -> list[str]:
    return list(db.scalars(select(Team.name)))


def test_a_get_shows_the_form(saving, client):
    r = client.get("/_save")
    assert r.status_code == 200 and r.data == b"||"


def test_success_commits_once_flashes_and_redirects(saving, client, db):
    r = client.form("/_save", {"name": "Kept"})
    team = db.scalar(select(Team).where(Team.name == "Kept"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/teams/{team.id}")
    assert client.get("/_save").data == b"||Team Kept made."


def test_a_rule_goes_beside_its_field_and_nothing_is_written(saving, client, db):
    r = client.form("/_save", {"name": "beside"})
    assert r.status_code == 400 and r.data == b"beside|Not that name.|"
    assert _names(db) == []


def test_a_rule_without_a_field_on_the_form_is_flashed(saving, client, db):
    r = client.form("/_save", {"name": "flashed"})
    assert r.status_code == 400 and r.data == b"flashed||Not at all."
    assert _names(db) == []


def test_an_invalid_form_never_runs_the_action(saving, client, db):
    r = client.form("/_save", {"name": ""})
    assert r.status_code == 400 and b"This field is required." in r.data
    assert _names(db) == []


def test_every_feature_error_is_a_rule_error():
    from tracker.auth.services import AccountError
    from tracker.competencies.services import RatingError
    from tracker.mentoring.services import MentoringError
    from tracker.plans.services import PlanError
    from tracker.sprints.services import SprintError

    for cls in (AccountError, TeamError, RatingError, SprintError, MentoringError, PlanError):
        exc = cls("Broken.", "field")
        assert isinstance(exc, RuleError) and isinstance(exc, ValueError)
        assert (str(exc), exc.field) == ("Broken.", "field")
        assert cls("Broken.").field is None
