"""Access rules and the `writes` and `page_cached` marks work above or below `@bp.route`, and
an app whose view has no rule (forgotten, or hidden by a wrapper) refuses to start."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, g

from tests.conftest import login
from tracker import db as tracker_db
from tracker.auth.permissions import check_declared, logged_in, public, roles
from tracker.cache import page_cached
from tracker.db import writes


def _probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__, url_prefix="/_probe")

    @roles("admin", "lead")
    @bp.route("/above")
    def above():
        return "above"

    @bp.route("/below")
    @roles("admin", "lead")
    def below():
        return "below"

    @logged_in
    @bp.route("/anyone-above")
    def anyone_above():
        return "anyone"

    @public
    @writes
    @bp.route("/writes-above")
    def writes_above():
        return str(tracker_db._immediate.get())

    @bp.route("/writes-below")
    @writes
    @public
    def writes_below():
        return str(tracker_db._immediate.get())

    @page_cached
    @bp.route("/cached-above")
    @public
    def cached_above():
        return str("page_token" in g)

    @bp.route("/cached-below")
    @public
    @page_cached
    def cached_below():
        return str("page_token" in g)

    return bp


@pytest.fixture
def probed(app, org):
    app.register_blueprint(_probe_blueprint())
    check_declared(app)
    return app


@pytest.mark.parametrize("where", ["above", "below"])
def test_a_role_rule_holds_in_either_place(probed, client, where):
    url = f"/_probe/{where}"
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    login(client, "eve@example.com")
    assert client.get(url).status_code == 403
    assert client.get("/_probe/anyone-above").data == b"anyone"
    client.form("/logout")
    login(client, "lead@example.com")
    assert client.get(url).data == where.encode()


@pytest.mark.parametrize("where", ["above", "below"])
def test_the_writes_mark_holds_in_either_place(probed, client, where):
    assert client.get(f"/_probe/writes-{where}").data == b"True"


@pytest.mark.parametrize("where", ["above", "below"])
def test_the_page_cached_mark_holds_in_either_place(probed, client, where):
    assert client.get(f"/_probe/cached-{where}").data == b"True"


def test_an_unmarked_read_starts_deferred(app, client):
    @app.route("/_read")
    @public
    def read():
        return str(tracker_db._immediate.get())

    assert client.get("/_read").data == b"False"


def _bare(view):
    """A wrapper that forgets `functools.wraps`: what it wraps loses its marks."""

    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapper


def test_an_app_with_a_view_without_a_rule_does_not_start():
    app = Flask(__name__)

    @app.route("/forgotten")
    def forgotten():
        return ""

    with pytest.raises(RuntimeError, match="No access rule on forgotten"):
        check_declared(app)


def test_a_rule_hidden_by_a_wrapper_stops_the_start():
    app = Flask(__name__)

    @app.route("/hidden")
    @_bare
    @roles("admin")
    def hidden():
        return ""

    with pytest.raises(RuntimeError, match="No access rule on wrapper"):
        check_declared(app)


def test_a_view_added_later_without_a_rule_is_refused(app, client):
    @app.route("/_later")
    def later():
        return "open"

    assert client.get("/_later").status_code == 403
