"""Lighter writes per notice: on PostgreSQL the outbox bodies are compressed with lz4 instead of pglz, and the
task items lose an index the unique (assignment_id, task_id) one already serves.

A notice's two bodies are 3–4 KB, over PostgreSQL's 2 KB threshold, so every body row is compressed as it is
written: lz4 takes about a third less of the database backend's CPU a row than pglz (`python -m
bench.body_compression`, docs/benchmarks.md). Only rows written from now on are compressed with lz4; PostgreSQL
reads both. The downgrade gives the columns back the server's default (default_toast_compression).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BODIES = ("body_text", "body_html")


def _compression_settable() -> bool:
    """PostgreSQL 14 and later: a column's compression method can be set."""
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and (bind.dialect.server_version_info or (0,)) >= (14,)


def _lz4_available() -> bool:
    """Built with lz4, as Debian's and the official images are."""
    query = sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    values: list[str] = op.get_bind().execute(query).scalar() or []
    return "lz4" in values


def _set_compression(method: str) -> None:
    columns = ", ".join(f"ALTER COLUMN {name} SET COMPRESSION {method}" for name in _BODIES)
    op.execute(f"ALTER TABLE outbox_body {columns}")


def upgrade() -> None:
    if _compression_settable() and _lz4_available():
        _set_compression("lz4")
    with op.batch_alter_table("taskitem", schema=None) as batch_op:
        batch_op.drop_index("ix_taskitem_assignment_id")


def downgrade() -> None:
    with op.batch_alter_table("taskitem", schema=None) as batch_op:
        batch_op.create_index("ix_taskitem_assignment_id", ["assignment_id"], unique=False)
    if _compression_settable():
        _set_compression("DEFAULT")  # as before: the server's default_toast_compression
