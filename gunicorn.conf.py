"""gunicorn settings for `make serve`; override any with GUNICORN_CMD_ARGS."""

import os

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACKER_WORKERS", "4"))
# Each worker imports the app after the fork, so no database connection crosses a fork.
preload_app = False
accesslog = "-"
# Access and error lines lose query strings (note searches, next= targets) and the tokens of
# one-time links and calendar feeds: whoever reads the logs gets no way into an account.
logger_class = "tracker.logs.GunicornLogger"
timeout = 60
