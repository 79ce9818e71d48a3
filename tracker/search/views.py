"""The search page: GET shows the empty form; POST shows the results on the same URL.

The terms arrive in the body of a POST and the page answers it directly (no redirect to a
URL holding them), so they never reach an access log, a Referer or the browser's history of
addresses; nothing here logs them, and a search writes nothing (no audit row)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.auth.permissions import logged_in
from tracker.db import get_db
from tracker.search import services
from tracker.search.forms import SearchForm

bp = Blueprint("search", __name__)


@bp.route("/search", methods=["GET", "POST"])
@logged_in
def index():
    form = SearchForm()
    results, status = None, 200
    if request.method == "POST":  # the CSRF token was checked before the view (requests.py)
        try:
            results = services.search(get_db(), current_user, form.q.data)
        except services.SearchError as exc:
            form.q.errors = [str(exc)]
            status = 400
    return render_template(
        "search/index.html",
        form=form,
        results=results,
        min_term=services.MIN_TERM,
        max_term=services.MAX_TERM,
    ), status
