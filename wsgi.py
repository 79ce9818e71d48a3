"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""

from tracker import create_app, tune_gc

# In production, building the app refuses while a published demo login works (whatever the
# entry point: tracker/seed/guard.py); the other `flask` commands stay usable to fix that.
app = create_app()
tune_gc()  # a long-lived server: see its docstring
