"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

import click

from tracker import create_app, tune_gc
from tracker.demo_guard import refuse_production_demo_logins

app = create_app()
# A server (gunicorn) refuses to start in production while a published demo login works; the
# command line (`flask --app wsgi ...`, which loads this file too) stays usable to fix that.
if click.get_current_context(silent=True) is None:
    refuse_production_demo_logins(app)
tune_gc()  # a long-lived server: see its docstring
