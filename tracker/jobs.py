"""Background jobs: Huey, embedded by default, on Redis for several machines.

Core: no feature is imported. Each app gets its own queue (`queue(app)`, built on first use):

- `REDIS_URL` set: Huey on Redis (`RedisHuey`): any number of workers, on any machines;
- otherwise a SQLite file in the instance folder (`SqliteHuey`, `JOBS_FILE`): the web app's
  processes queue, one `flask --app wsgi tracker worker` process runs the jobs;
- `JOBS_IMMEDIATE` (the tests): each job runs in the call that queues it (Huey's immediate
  mode, in memory).

Jobs run outside any request: what a job needs travels in its arguments, and never a private
note. Queued mail waits in the store with its one-time link, so the SQLite file is owner-only
(like the database) and Redis must be private to the servers.

A job that fails for good (its retries spent) is recorded in the store under `failed:<id>`,
with what an admin may see: the job's name, the recipient and subject of a message, the error
and when; `failures(app)` lists them.
"""

from __future__ import annotations

import email.policy
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey
from huey import signals as S
from huey.api import Huey, Task

from tracker import mail
from tracker.files import tighten_sqlite_files

FAILED = "failed:"
MESSAGE = "message:"  # a failed message's bytes, for a retry
logger = logging.getLogger(__name__)


class Queue:
    """One app's Huey and its tasks."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = _make_huey(app)
        config = app.config

        @self.huey.task(
            name="send_mail",
            retries=int(config["MAIL_RETRIES"]),
            retry_delay=int(config["MAIL_RETRY_DELAY"]),
            retry_backoff=2,
        )
        def send_mail(raw: bytes) -> None:
            where = mail.deliver(app.config, app.instance_path, raw)
            logger.info("Mail sent to %s", where)

        self.send_mail = send_mail
        self.huey.signal(S.SIGNAL_ERROR)(self._on_error)

    def _on_error(self, signal: str, task: Task, exc: BaseException | None = None) -> None:
        if task.retries:  # Huey tries it again
            return
        record: dict[str, Any] = {
            "id": task.id,
            "job": task.name,
            "error": f"{type(exc).__name__}: {exc}" if exc else "failed",
            "at": datetime.now(UTC).replace(tzinfo=None),
        }
        if task.name == "send_mail" and task.args:
            parsed = message_from_bytes(task.args[0])
            record["to"], record["subject"] = str(parsed["To"]), str(parsed["Subject"])
        self.huey.put(FAILED + task.id, record)
        if task.name == "send_mail" and task.args:  # kept apart, for a retry; never shown
            self.huey.put(MESSAGE + task.id, task.args[0])


def _make_huey(app: Flask) -> Huey:
    config = app.config
    name = str(config["JOBS_NAME"])
    if config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(name, immediate=True, results=False)
    if config.get("REDIS_URL"):
        return RedisHuey(name, url=config["REDIS_URL"], results=False)
    path = Path(app.instance_path) / str(config["JOBS_FILE"])
    huey = SqliteHuey(name, filename=str(path), results=False)  # creates its tables
    tighten_sqlite_files(path)
    return huey


def queue(app: Flask | None = None) -> Queue:
    """The app's queue (built on its first use, so tests may move the instance folder)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("tracker.jobs")
    if found is None:
        found = app.extensions["tracker.jobs"] = Queue(app)
    return found


def send_mail(message: EmailMessage) -> None:
    """Queue a message (built by tracker.mail.build). Raises QueueError when the job store
    cannot take it (Redis down): nothing was sent, the caller says so."""
    try:
        # SMTP's line endings (CRLF): a server reads a bare LF message as one overlong line.
        queue().send_mail(message.as_bytes(policy=email.policy.SMTP))
    except Exception as exc:  # the store's own errors: sqlite3, redis
        raise QueueError(f"The job queue did not take the message: {exc}") from exc


class QueueError(Exception):
    """The job store refused a job."""


def failures(app: Flask | None = None) -> list[dict[str, Any]]:
    """Jobs that failed for good, newest first."""
    huey = queue(app).huey
    items = huey.storage.result_items()
    found = []
    for key, value in items.items():
        key = key.decode() if isinstance(key, bytes) else key
        if key.startswith(FAILED):
            found.append(huey.serializer.deserialize(value))
    return sorted(found, key=lambda r: r["at"], reverse=True)


def failure(job_id: str, app: Flask | None = None) -> dict[str, Any] | None:
    """The failure record of job `job_id`, or None."""
    found = queue(app).huey.get(FAILED + job_id, peek=True)
    return found if isinstance(found, dict) else None


def dismiss(job_id: str, app: Flask | None = None) -> dict[str, Any] | None:
    """Forget a failed job (its record and message); returns the record, or None."""
    huey = queue(app).huey
    record = failure(job_id, app)
    huey.delete(FAILED + job_id)
    huey.delete(MESSAGE + job_id)
    return record


def retry(job_id: str, app: Flask | None = None) -> dict[str, Any] | None:
    """Queue a failed message again (with its retries anew) and forget the failure; returns
    the record, or None when there is nothing to retry."""
    huey = queue(app).huey
    record = failure(job_id, app)
    raw = huey.get(MESSAGE + job_id, peek=True)
    if record is None or not isinstance(raw, bytes):
        return None
    dismiss(job_id, app)
    try:
        queue(app).send_mail(raw)
    except Exception as exc:  # the store's own errors: sqlite3, redis
        raise QueueError(f"The job queue did not take the message: {exc}") from exc
    return record


def waiting(app: Flask | None = None) -> list[dict[str, Any]]:
    """Jobs waiting for their time (a retry after a failure), soonest first: name, when,
    tries left; never their arguments."""
    huey = queue(app).huey
    tasks = sorted(huey.scheduled(), key=lambda t: t.eta or datetime.min)
    return [{"id": t.id, "job": t.name, "eta": t.eta, "retries": t.retries} for t in tasks]


def pending_count(app: Flask | None = None) -> int:
    """Jobs waiting: queued now, or scheduled (a retry waiting for its time)."""
    huey = queue(app).huey
    return int(huey.pending_count() + huey.scheduled_count())


def consumer(app: Flask, workers: int = 1):
    """A Huey consumer (threads) for this app's queue: `run()` blocks, `start()` does not."""
    return queue(app).huey.create_consumer(workers=workers, worker_type="thread")


def register(group: click.Group, echo: Callable[[str], None] = click.echo) -> None:
    """The `tracker worker` command."""

    @group.command("worker")
    @click.option(
        "--workers",
        default=1,
        show_default=True,
        type=click.IntRange(1, 64),
        help="Threads running jobs in this process.",
    )
    def worker(workers: int) -> None:
        """Run the background jobs (sending mail) until stopped (Ctrl-C, or SIGINT/SIGTERM).

        Keep one running beside the web app: `make run` starts one with it. Without
        REDIS_URL the jobs wait in a SQLite file in the instance folder, and one worker
        process serves them. With REDIS_URL, start as many as needed, on any machines that
        reach the Redis server (docs/operations.md, "Mail and the worker")."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app.config.get("JOBS_IMMEDIATE"):
            raise click.ClickException("JOBS_IMMEDIATE is set: jobs run where they are queued.")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        store = "Redis" if app.config.get("REDIS_URL") else f"{queue(app).huey.storage.filename}"
        echo(f"Worker: {workers} thread(s), jobs from {store}.")
        echo(mail.describe(app))
        consumer(app, workers).run()
