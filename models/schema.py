"""The schema on an engine: brought to the newest Alembic revision (models/migrations), whatever it was before.

Three kinds of database meet `upgrade_schema`: an empty one (every revision runs), one already under Alembic
(the revisions it lacks run), and one made by the release before migrations (no alembic_version table: its
outbox bodies are moved to outbox_body as that release's own upgrade did, it is stamped at revision 0001, the
schema that release made, and the later revisions run). On PostgreSQL an advisory lock makes processes that
start together (a web process, workers) upgrade one after the other."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from cascade.core.db import get_engine

# Importing the table modules registers every table on SQLModel.metadata.
from models import (  # noqa: F401
    account,
    assignment,
    audit,
    directive,
    draft,
    outbox,
    register,
    report,
    task_item,
    unit,
    version,
)

MIGRATIONS = Path(__file__).with_name("migrations")
BEFORE_MIGRATIONS = "0001"
_LOCK_ID = 0x63617363  # "casc": the advisory lock of schema upgrades


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine | None = None, revision: str = "head") -> Engine:
    """Bring the database to `revision` (idempotent: nothing runs when it is there already)."""
    engine = engine or get_engine()
    with engine.connect() as probe:
        if current_revision(probe) == head_revision() and revision == "head":
            return engine
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        config = alembic_config(connection)
        tables = set(inspect(connection).get_table_names())
        if tables and "alembic_version" not in tables:
            move_outbox_bodies(connection)
            command.stamp(config, BEFORE_MIGRATIONS)
        command.upgrade(config, revision)
    return engine


def init_db(engine: Engine | None = None) -> Engine:
    """The schema at the newest revision (what every entry point calls before touching the tables)."""
    return upgrade_schema(engine)


def move_outbox_bodies(connection: Connection) -> bool:
    """The release before migrations kept the outbox bodies on the outbox row, then moved them to outbox_body
    (models.OutboxBody): copy them there and drop the old columns. Returns whether there was anything to do."""
    if "body_text" not in {c["name"] for c in inspect(connection).get_columns("outboxmessage")}:
        return False
    connection.execute(
        text(
            "INSERT INTO outbox_body (message_id, body_text, body_html) SELECT id, body_text, body_html "
            "FROM outboxmessage WHERE id NOT IN (SELECT message_id FROM outbox_body)"
        )
    )
    connection.execute(text("ALTER TABLE outboxmessage DROP COLUMN body_text"))
    connection.execute(text("ALTER TABLE outboxmessage DROP COLUMN body_html"))
    return True
