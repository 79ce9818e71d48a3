"""Migrations: one head, upgrade and downgrade on a fresh database, models and schema agree."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from tracker import create_app
from tracker.cli import alembic_config
from tracker.db import Base, make_engine


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


FOUNDATION_TABLES = ("user", "team", "team_lead", "member", "account_link")


def _columns(url, tables):
    engine = make_engine(url)
    cols = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in tables}
    engine.dispose()
    return cols


def _rows(url, columns):
    """Rows of each table, restricted to the given columns (those the first revision has)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = {
            t: sorted(
                map(
                    tuple,
                    conn.execute(
                        text(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}"')
                    ),
                )
            )
            for t, cols in columns.items()
        }
    engine.dispose()
    return rows


def test_every_migration_walks_down_and_up_with_data(fresh_url):
    """Seeded data survives each downgrade step to the first revision and the way back up."""
    from tracker.db import get_db, get_engine
    from tracker.seed.demo import seed

    cfg, ctx = _cfg(fresh_url)
    try:
        command.upgrade(cfg, "head")
        db = get_db()
        seed(db, "demo-passphrase-1")
        db.commit()
        db.close()
        get_engine().dispose()
        at_head = _columns(fresh_url, FOUNDATION_TABLES)
        head_rows = _rows(fresh_url, at_head)
        script = ScriptDirectory.from_config(cfg)
        steps = len(list(script.walk_revisions())) - 1
        snapshots = []
        for _ in range(steps):  # one revision at a time, each with data in its tables
            command.downgrade(cfg, "-1")
        first = _columns(fresh_url, FOUNDATION_TABLES)
        assert all(set(first[t]) <= set(at_head[t]) for t in FOUNDATION_TABLES)
        # The head's data, seen through the first revision's columns, is what must remain.
        snapshots.append(
            {
                t: sorted(tuple(r[at_head[t].index(c)] for c in first[t]) for r in head_rows[t])
                for t in FOUNDATION_TABLES
            }
        )
        snapshots.append(_rows(fresh_url, first))
        command.upgrade(cfg, "head")
        snapshots.append(_rows(fresh_url, first))
    finally:
        ctx.pop()
    assert len(snapshots[0]["member"]) >= 8
    assert snapshots[0] == snapshots[1] == snapshots[2]  # nothing lost down and back up
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == []
