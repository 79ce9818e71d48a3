"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

from tracker import create_app, tune_gc

app = create_app()
tune_gc()  # a long-lived server: see its docstring
