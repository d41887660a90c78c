"""Creating the tables (and upgrading a database made by an older release) on an engine."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from cascade.core.db import get_engine

# Importing the table modules registers every table on SQLModel.metadata.
from models import assignment, audit, directive, outbox, register, report, task_item, unit  # noqa: F401


def init_db(engine: Engine | None = None) -> Engine:
    """Create the tables that do not exist yet (idempotent)."""
    engine = engine or get_engine()
    SQLModel.metadata.create_all(engine)
    move_outbox_bodies(engine)
    return engine


def move_outbox_bodies(engine: Engine) -> bool:
    """Upgrade a database made before the outbox bodies had a table of their own (models.OutboxBody):
    copy them there and drop the old columns, in one transaction. Returns whether there was anything to do."""
    if "body_text" not in {c["name"] for c in inspect(engine).get_columns("outboxmessage")}:
        return False
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO outbox_body (message_id, body_text, body_html) SELECT id, body_text, body_html "
                "FROM outboxmessage WHERE id NOT IN (SELECT message_id FROM outbox_body)"
            )
        )
        conn.execute(text("ALTER TABLE outboxmessage DROP COLUMN body_text"))
        conn.execute(text("ALTER TABLE outboxmessage DROP COLUMN body_html"))
    return True
