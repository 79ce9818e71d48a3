"""Migrations: one head, upgrade and downgrade on a fresh database, models and schema agree."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from tests.conftest import _postgres_schema_url
from tracker import create_app
from tracker.cli import alembic_config
from tracker.db import Base, make_engine


@pytest.fixture
def fresh_url(tmp_path):
    """An empty database of the engine under test."""
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


def _cfg(url):
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
    ctx = app.app_context()
    ctx.push()
    cfg = alembic_config()
    cfg.attributes["skip_logging"] = True
    return cfg, ctx


def test_single_head():
    cfg_app = create_app({"ENV_NAME": "testing", "DATABASE_URL": "sqlite://"})
    with cfg_app.app_context():
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1


def test_models_match_migrations(fresh_url):
    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "head")
    finally:
        ctx.pop()
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_up_again(fresh_url):
    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "base")
        engine = make_engine(fresh_url)
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        engine.dispose()
        assert tables == set()
        command.upgrade(cfg, "head")
    finally:
        ctx.pop()
    engine = make_engine(fresh_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
