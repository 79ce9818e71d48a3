"""Fixtures: a migrated database per test session (SQLite, or PostgreSQL with
TEST_DATABASE_URL), emptied after every test; an app and a client per test; factories."""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from flask.testing import FlaskClient, FlaskCliRunner
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker import create_app
from tracker.cli import alembic_config
from tracker.db import Base, get_engine, make_engine

PASSWORD = "quiet-ferry-lichen-orbit"

# The real SMTP server of the mail tests (its fixtures: smtp_server, mail_to_server, ...).
pytest_plugins = ["tests.mail_server"]


def _reuse_url_builders() -> None:
    """Every test builds its own app, and Werkzeug compiles two URL builder functions for
    each of its ~90 rules (generated Python, through `compile()`): three quarters of
    `create_app`'s time. A builder depends only on the rule's text and parsed parts (it reads
    the converters from the rule it is bound to), so one compiled builder serves every app's
    copy of the rule. Rules with defaults (whose values are baked into the builder) are
    compiled as usual."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, Any] = {}

    def reused(self: Rule, append_unknown: bool = True) -> Any:
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = reused  # type: ignore[method-assign]


_reuse_url_builders()


class Client(FlaskClient):
    """A test client whose `form()` posts with a valid CSRF token, as a browser would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        secret = self.application.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def form(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def open(self, *args, **kwargs):
        # The test's own session (the `db` fixture) ends its transaction before each request
        # and forgets what it loaded after it, so checks read what the request committed.
        session = self.application.extensions.get("tests.session")
        if session is not None:
            session.commit()
        try:
            return super().open(*args, **kwargs)
        finally:
            if session is not None:
                session.expire_all()


def _postgres_schema_url(base_url: str) -> tuple[str, str]:
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


@pytest.fixture
def fresh_url(tmp_path):
    """An empty, unmigrated database of the engine under test (migration tests)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / f'm-{uuid.uuid4().hex}.db'}"
        return
    url, schema = _postgres_schema_url(base)
    yield url
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A freshly migrated database for this test session."""
    base = os.environ.get("TEST_DATABASE_URL")
    schema = None
    if base:
        url, schema = _postgres_schema_url(base)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
        # The migrations' own rows (0015's built-in agenda templates) go too, so a worker's
        # first test starts like every other; tests that need them ask for them.
        _empty_all_tables(get_engine())
        get_engine().dispose()
    yield url
    if schema:
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _empty_all_tables(engine) -> None:
    """Empty every table the test left rows in, as a fresh migrated database has them.

    One query finds the tables with rows (most tests touch a handful of the ~40), which are
    deleted child first; on PostgreSQL every sequence that handed out a value restarts, as
    TRUNCATE ... RESTART IDENTITY did (a TRUNCATE of every table cost ~0.5 s a test there).
    data_version keeps its one row, as a migrated database has it (tracker/cache.py)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name != "data_version"]
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        filled = set(conn.execute(text(probe)).scalars())
        for t in tables:
            if t in filled:
                conn.execute(text(f'DELETE FROM "{t}"'))
        if postgres:
            used = conn.execute(
                text(
                    "SELECT sequencename FROM pg_sequences "
                    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            ).scalars()
            for sequence in used:
                conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(scope="session")
def _engines(database_url):
    """This worker's two engines (the app's, and the test's own deferred one), kept across its
    tests so that each SQL statement is compiled once per worker, not once per test."""
    engines = (make_engine(database_url), make_engine(database_url, deferred_only=True))
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.fixture
def app(database_url, _engines, tmp_path):
    """An app on the shared test database, emptied after the test."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": database_url,
            "SERVER_NAME": "tracker.test",
        }
    )
    # The worker's engine instead of the app's own (never connected): same URL, same
    # settings, a warm statement cache. Its pool is still emptied after every test.
    app.extensions["tracker.engine"] = _engines[0]
    app.extensions["tracker.sessionmaker"].configure(bind=_engines[0])
    app.test_client_class = Client
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        engine = get_engine()
        _empty_all_tables(engine)
        engine.dispose()


@pytest.fixture(autouse=True)
def _page_cache_minute(monkeypatch):
    """Pin the page cache's minute to the test's start: two requests of one test must not fall
    either side of a minute boundary on a slow machine (a test of the clock moves it itself)."""
    import tracker.cache

    start = tracker.cache.utcnow()
    monkeypatch.setattr(tracker.cache, "utcnow", lambda: start)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


class Runner(FlaskCliRunner):
    """A CLI runner that, like a separate process, sees what the test committed and lets the
    test see what the command committed."""

    def invoke(self, *args, **kwargs):
        session = self.app.extensions.get("tests.session")
        if session is not None:
            session.commit()
        try:
            return super().invoke(*args, **kwargs)
        finally:
            if session is not None:
                session.expire_all()


@pytest.fixture
def runner(app):
    app.test_cli_runner_class = Runner
    return app.test_cli_runner()


@pytest.fixture
def db(app, _engines):
    """The test's own session, for factories and checks (outside any request's context)."""
    engine = _engines[1]
    session = Session(engine, expire_on_commit=False)
    app.extensions["tests.session"] = session
    yield session
    app.extensions.pop("tests.session", None)
    session.close()
    engine.dispose()


@pytest.fixture
def make_user(app, db):
    """Create a user: make_user("lead", email=..., name=...)."""
    from tracker.auth.services import create_user

    def make(
        role: str = "engineer",
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
    ):
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        with app.app_context():  # password hashing reads the app's config
            user = create_user(db, email, name or email.split("@")[0].title(), role, password)
        db.commit()
        return user

    return make


@pytest.fixture
def make_team(db, make_user):
    """Create a team: make_team("Name", leads=[user]) (a new lead when none given)."""
    from tracker.team.models import Team

    def make(name: str | None = None, leads=None):
        team = Team(name=name or f"Team {uuid.uuid4().hex[:6]}", leads=leads or [make_user("lead")])
        db.add(team)
        db.commit()
        return team

    return make


@pytest.fixture
def make_member(db, make_user):
    """Create a member of `team`; account=True links a new engineer account."""
    from tracker.team.models import Member

    def make(team, name: str | None = None, level: str = "Mid", account: bool = False, **kwargs):
        email = kwargs.pop("email", None) or f"m-{uuid.uuid4().hex[:8]}@example.com"
        name = name or f"Member {email[2:8]}"
        user = make_user("engineer", email=email, name=name) if account else None
        member = Member(
            team_id=team.id,
            name=name,
            email=email,
            level=level,
            job_title=kwargs.pop("job_title", "ML Engineer"),
            start_date=kwargs.pop("start_date", date(2024, 1, 15)),
            user=user,
            **kwargs,
        )
        db.add(member)
        db.commit()
        return member

    return make


def login(client: Client, email: str, password: str = PASSWORD):
    """Log `client` in through the login form."""
    return client.form("/login", {"email": email, "password": password})


# The `org` fixture's people, by the role they stand for.
PERSONAS = {
    "admin": "admin@example.com",
    "lead": "lead@example.com",
    "engineer": "eve@example.com",
}


@pytest.fixture
def client_as(app) -> Callable[[Any], Client]:
    """A new test client logged in through the login form: client_as("lead"), ("engineer"),
    ("admin") for the `org` fixture's people, client_as(user) or client_as("x@example.com")."""

    def make(who: Any) -> Client:
        email = PERSONAS.get(who, who) if isinstance(who, str) else who.email
        client = app.test_client()
        response = login(client, email)
        assert response.status_code == 302, f"{email} could not log in"
        return client

    return make


@pytest.fixture
def org(make_user, make_team, make_member):
    """Two teams with their leads, members (some with accounts) and an admin."""
    admin = make_user("admin", email="admin@example.com", name="Ada Admin")
    lead = make_user("lead", email="lead@example.com", name="Lee Lead")
    other_lead = make_user("lead", email="other@example.com", name="Olu Other")
    team = make_team("ML Platform", leads=[lead])
    other_team = make_team("Data Platform", leads=[other_lead])
    eng = make_member(team, "Eve Engineer", level="Mid", account=True, email="eve@example.com")
    mate = make_member(team, "Max Mate", level="Senior", account=True, email="max@example.com")
    plain = make_member(team, "Pat Plain", level="Entry")
    stranger = make_member(
        other_team, "Sol Stranger", level="Senior", account=True, email="sol@example.com"
    )

    class Org:
        pass

    o = Org()
    o.__dict__.update(
        admin=admin,
        lead=lead,
        other_lead=other_lead,
        team=team,
        other_team=other_team,
        eng=eng,
        mate=mate,
        plain=plain,
        stranger=stranger,
    )
    return o


@contextmanager
def count_queries(app):
    """Count SQL statements run on the app's engine inside the block: `with ... as n: ...; n()`."""
    statements: list[str] = []
    engine = app.extensions["tracker.engine"]

    def _count(conn, cursor, statement, *args):
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", statement, re.I):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", _count)


@pytest.fixture(scope="session")
def default_framework_doc():
    """The shipped framework file, parsed once per worker (the document is immutable)."""
    from tracker.frameworks.io import DEFAULT_FRAMEWORK_FILE, parse_framework

    return parse_framework(DEFAULT_FRAMEWORK_FILE.read_bytes(), DEFAULT_FRAMEWORK_FILE.name)


@pytest.fixture
def framework(app, db, default_framework_doc):
    """The shipped default framework, imported (its current FrameworkVersion), as
    `ensure_default_framework` does on an empty database, without parsing the file again."""
    from tracker.competencies.models import Framework
    from tracker.frameworks.io import import_framework

    version = None
    with app.app_context():
        if db.scalar(select(Framework.id).limit(1)) is None:
            version = import_framework(db, default_framework_doc, make_default=True).version
    db.commit()
    return version


@pytest.fixture
def rate(app, db):
    """Record a rating directly: rate(member, key, value, kind="lead", rater=user, when=dt)."""
    from tracker.competencies.models import Competency, Rating

    def make(member, key, value, kind="lead", rater=None, when=None, note=""):
        comp = db.scalar(
            select(Competency).where(Competency.key == key).order_by(Competency.id.desc())
        )
        rating = Rating(
            member_id=member.id,
            competency_id=comp.id,
            kind=kind,
            value=value,
            rater_id=rater.id if rater else None,
            note=note,
        )
        if when is not None:
            rating.created_at = when
        db.add(rating)
        db.commit()
        return rating

    return make


@pytest.fixture
def make_session(db):
    """Log a session: make_session(member, mentor, held_at=..., shared=..., private=...)."""
    from datetime import datetime

    from tracker.mentoring.models import ActionItem, Meeting

    def make(
        member, mentor, held_at=None, kind="one_on_one", shared="", private="", agenda="", items=()
    ):
        s = Meeting(
            member_id=member.id,
            mentor_id=mentor.id,
            kind=kind,
            held_at=held_at or datetime(2026, 11, 2, 10),
            duration_minutes=30,
            agenda=agenda,
            shared_notes=shared,
            private_notes=private,
        )
        db.add(s)
        db.flush()
        for what, owner, due in items:
            db.add(
                ActionItem(
                    session_id=s.id, member_id=member.id, text=what, owner=owner, due_date=due
                )
            )
        db.commit()
        return s

    return make


@pytest.fixture
def plan(db, org, framework):
    """A growth plan for org.eng (Mid, aiming at Senior) with one goal in progress."""
    from tracker.plans.models import Goal, GrowthPlan

    p = GrowthPlan(
        member_id=org.eng.id,
        target_level="Senior",
        target_date=date(2027, 6, 30),
        summary="Grow into a Senior ML engineer.",
    )
    p.goals = [Goal(title="Own the feature store", status="in_progress", position=0)]
    db.add(p)
    db.commit()
    return p


@pytest.fixture
def one_on_one(org, make_session):
    """A 1:1 by org.lead with Eve (org.eng), with one mentee-owned open action item."""
    return make_session(
        org.eng,
        org.lead,
        shared="shared",
        private="private",
        items=[("Eve's item", "mentee", None)],
    )


@pytest.fixture
def agenda_template(org, db):
    """org.lead's own agenda template (only org.lead may see or change it)."""
    from tracker.mentoring.models import AgendaTemplate

    template = AgendaTemplate(
        owner_id=org.lead.id,
        name="Weekly check-in",
        body="## This week\n- Wins\n- Blockers",
        archived=False,
    )
    db.add(template)
    db.commit()
    return template


@pytest.fixture
def builtin_templates(app, db):
    """The built-in organisation agenda templates, as migration 0015 makes them, by key."""
    from sqlalchemy import select

    from tracker.mentoring.agenda_templates import ensure_builtin_templates
    from tracker.mentoring.models import AgendaTemplate

    ensure_builtin_templates(db)
    db.commit()
    built_in = select(AgendaTemplate).where(AgendaTemplate.key.is_not(None))
    return {t.key: t for t in db.scalars(built_in)}


# --- delivery: projects, sprints, milestones ---------------------------------------------


@pytest.fixture
def make_project(db):
    """Create a project of `team`: make_project(team, "Name", owner=member)."""
    from tracker.sprints.models import Project

    def make(team, name: str | None = None, **kwargs):
        project = Project(team_id=team.id, name=name or f"Project {uuid.uuid4().hex[:6]}", **kwargs)
        db.add(project)
        db.commit()
        return project

    return make


@pytest.fixture
def make_sprint(db):
    """Create a sprint of `team`: make_sprint(team, start, end=start+13, state="planned")."""
    from datetime import timedelta

    from tracker.sprints.models import Sprint

    def make(team, start: date, end: date | None = None, state: str = "planned", **kwargs):
        sprint = Sprint(
            team_id=team.id,
            name=kwargs.pop("name", None) or f"Sprint {start.isoformat()}",
            start_date=start,
            end_date=end or start + timedelta(days=13),
            state=state,
            **kwargs,
        )
        db.add(sprint)
        db.commit()
        return sprint

    return make


@pytest.fixture
def make_milestone(db):
    """Create a milestone of `project`: make_milestone(project, "Title", sprint=s, owner=m)."""
    from tracker.sprints.models import Milestone

    def make(project, title: str | None = None, sprint=None, owner=None, **kwargs):
        milestone = Milestone(
            project_id=project.id,
            title=title or f"Milestone {uuid.uuid4().hex[:6]}",
            sprint_id=sprint.id if sprint else None,
            owner_id=owner.id if owner else None,
            **kwargs,
        )
        db.add(milestone)
        db.commit()
        return milestone

    return make


@pytest.fixture
def delivery(org, make_project, make_sprint, make_milestone):
    """A project, an active sprint and a milestone (owned by Eve) for org.team, set on `org`
    as org.project, org.sprint and org.milestone (the route tests use their IDs)."""
    today = date.today()
    org.sprint = make_sprint(org.team, today - timedelta(days=3), state="active", name="Now")
    org.project = make_project(org.team, "Feature store", owner=org.mate)
    org.milestone = make_milestone(
        org.project, "Backfill", sprint=org.sprint, owner=org.eng, due_date=today
    )
    return org
