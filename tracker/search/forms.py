"""The search form: one field, posted (a term never travels in a URL)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SearchField


class SearchForm(FlaskForm):
    # No length limit in the browser: the service says what is wrong, and keeps the typing.
    q = SearchField("Search")
