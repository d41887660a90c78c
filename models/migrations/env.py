"""Alembic's environment: the project's tables (models) on the connection cascade.core.db gives it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import models.schema  # noqa: F401  (registers every table on the metadata)
from models.migrations.render import render_item

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite changes a table by copying it: batch mode does that for ALTER
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
