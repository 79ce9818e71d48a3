"""The job runner: a real Huey consumer (threads) on the embedded SQLite store sends queued
mail through the real SMTP server; a refused connection is retried with back-off and then
recorded as failed; the worker command. When Redis answers on 127.0.0.1:6379 the consumer test
runs on it too (skipped otherwise, saying why)."""

from __future__ import annotations

import signal
import socket
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from huey import signals as S

from tracker import jobs

REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_worker(app):
    """A real consumer for the app's queue, in this process's threads, stopped at the end."""
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    consumer = jobs.consumer(app, workers=1)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():  # the consumer sets its own
            signal.signal(sig, handler)


@pytest.fixture(params=["sqlite", "redis"])
def store(request, app):
    """The app's queue on a real store: a SQLite file in the instance folder, or Redis."""
    app.config["JOBS_IMMEDIATE"] = False
    if request.param == "redis":
        if not _redis_answers():
            pytest.skip("no Redis answers on 127.0.0.1:6379 (the Redis run needs one)")
        app.config.update(REDIS_URL=REDIS, JOBS_NAME=f"tracker-test-{uuid.uuid4().hex[:8]}")
    yield request.param
    huey = jobs.queue(app).huey
    huey.flush()  # a Redis queue outlives the test


def test_a_real_worker_sends_the_queued_invitation(app, org, client_as, mail_to_server, store):
    r = client_as("lead").form(f"/members/{org.plain.id}/invite")
    assert r.status_code == 302  # queued, not sent in the request
    assert mail_to_server.messages == []
    assert jobs.pending_count(app) == 1
    with running_worker(app):
        [message] = mail_to_server.wait(1)
    assert message["To"] == org.plain.email
    assert jobs.pending_count(app) == 0 and jobs.failures(app) == []


def test_the_sqlite_store_is_in_the_instance_folder_and_owner_only(app, tmp_path):
    app.config["JOBS_IMMEDIATE"] = False
    huey = jobs.queue(app).huey
    assert huey.storage.filename == str(tmp_path / "jobs.db")
    assert (tmp_path / "jobs.db").stat().st_mode & 0o077 == 0


def test_a_refused_connection_is_retried_then_recorded_as_failed(app, org, client_as, closed_port):
    app.config.update(
        JOBS_IMMEDIATE=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=closed_port,
        MAIL_SECURITY="none",
        MAIL_FROM="t@tracker.test",
        MAIL_RETRIES=2,
        MAIL_RETRY_DELAY=0,  # at once: the test waits for attempts, never for a clock
    )
    huey = jobs.queue(app).huey
    attempts, failed = [], threading.Event()

    @huey.signal(S.SIGNAL_ERROR)
    def _count(signal_name, task, exc=None):
        attempts.append(task.retries)
        if not task.retries:
            failed.set()

    assert client_as("lead").form(f"/members/{org.plain.id}/invite").status_code == 302
    with running_worker(app):
        assert failed.wait(60), "the job never failed for good"
    assert attempts == [2, 1, 0]  # the first try and two retries
    [failure] = jobs.failures(app)
    assert failure["job"] == "send_mail" and failure["to"] == org.plain.email
    assert failure["subject"] == "Your invitation to Team Tracker"
    assert "ConnectionRefusedError" in failure["error"]
    assert "/welcome/" not in repr(failure)  # what an admin may see: never the link
    assert jobs.pending_count(app) == 0


def test_retries_back_off(app, org, client_as, closed_port):
    """Each retry waits twice as long as the one before (MAIL_RETRY_DELAY, then x2): read
    from the schedule that the store keeps, running the queue step by step."""
    app.config.update(
        JOBS_IMMEDIATE=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=closed_port,
        MAIL_SECURITY="none",
        MAIL_FROM="t@tracker.test",
        MAIL_RETRIES=3,
        MAIL_RETRY_DELAY=60,
    )
    huey = jobs.queue(app).huey
    assert client_as("lead").form(f"/members/{org.plain.id}/invite").status_code == 302
    task = huey.dequeue()
    waits = []
    for _ in range(3):
        before = datetime.utcnow()  # noqa: DTZ003 (Huey's schedule is naive UTC)
        huey.execute(task, timestamp=task.eta or before)  # its time has come
        [task] = huey.scheduled()
        waits.append(task.eta - before)
        huey.storage.flush_schedule()
    assert [round(w / timedelta(seconds=60)) for w in waits] == [1, 2, 4]
    huey.execute(task, timestamp=task.eta)  # the last retry fails: recorded
    assert [f["to"] for f in jobs.failures(app)] == [org.plain.email]


def test_the_worker_command_is_documented(runner):
    result = runner.invoke(args=["tracker", "worker", "--help"])
    assert result.exit_code == 0
    assert "REDIS_URL" in result.output and "--workers" in result.output


def test_the_worker_refuses_to_run_jobs_that_run_where_queued(runner):
    result = runner.invoke(args=["tracker", "worker"])  # the tests' JOBS_IMMEDIATE
    assert result.exit_code != 0 and "JOBS_IMMEDIATE" in result.output


def _fail_one_invitation(app, org, client_as, port):
    """An invitation whose message failed for good (no retries) on the SQLite store."""
    app.config.update(
        JOBS_IMMEDIATE=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_SECURITY="none",
        MAIL_FROM="t@tracker.test",
        MAIL_RETRIES=0,
    )
    huey = jobs.queue(app).huey
    assert client_as("lead").form(f"/members/{org.plain.id}/invite").status_code == 302
    huey.execute(huey.dequeue())
    [failure] = jobs.failures(app)
    return failure


def test_the_jobs_page_shows_a_failure_and_a_retry_sends_it(
    app, org, client_as, smtp_server, closed_port
):
    failure = _fail_one_invitation(app, org, client_as, closed_port)
    admin = client_as("admin")
    page = admin.get("/admin/jobs").data.decode()
    assert "Your invitation to Team Tracker · to " + org.plain.email in page
    assert "ConnectionRefusedError" in page and "/welcome/" not in page  # never the link
    for who in ("lead", "engineer"):
        assert client_as(who).get("/admin/jobs").status_code == 403
        assert client_as(who).form(f"/admin/jobs/{failure['id']}/retry").status_code == 403

    app.config["MAIL_PORT"] = smtp_server.port  # the server is back
    r = admin.form(f"/admin/jobs/{failure['id']}/retry", follow_redirects=True)
    assert b"Job retried: Your invitation to Team Tracker to " in r.data
    assert jobs.failures(app) == [] and jobs.pending_count(app) == 1
    huey = jobs.queue(app).huey
    huey.execute(huey.dequeue())
    [message] = smtp_server.wait(1)
    assert message["To"] == org.plain.email
    assert admin.form(f"/admin/jobs/{failure['id']}/retry").status_code == 404  # once
    audit = admin.get("/admin/audit").data.decode()
    assert "job retried" in audit


def test_a_failure_can_be_dismissed(app, org, client_as, closed_port):
    failure = _fail_one_invitation(app, org, client_as, closed_port)
    admin = client_as("admin")
    assert admin.form(f"/admin/jobs/{failure['id']}/dismiss").status_code == 302
    assert jobs.failures(app) == [] and jobs.pending_count(app) == 0
    assert b"No job has failed." in admin.get("/admin/jobs").data
