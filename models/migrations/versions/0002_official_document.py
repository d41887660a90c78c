"""The official document: signed originals, the archive line, units' heading, place and signer, document
registers, and the document shared by a directive's notices (mail_document).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.String(), nullable=False),
        sa.Column("body_html", sa.String(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "document_register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "year", name="uq_register_unit_year"),
    )
    op.create_index("ix_document_register_unit_id", "document_register", ["unit_id"], unique=False)
    for name, length in (("archive", 200), ("original_name", 255), ("original_sha256", 64), ("original_mime", 100)):
        op.add_column("directive", sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column("directive", sa.Column("original_size", sa.Integer(), nullable=True))
    # Rows queued before this revision name no sender: the address's own display name, as before.
    op.add_column("outboxmessage", sa.Column("from_name", sa.String(length=300), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place (no copy of the outbox table, which
        # outbox_body's rows point at), but cannot add a constraint afterwards.
        op.execute("ALTER TABLE outboxmessage ADD COLUMN document_id INTEGER REFERENCES mail_document (id)")
    else:
        op.add_column("outboxmessage", sa.Column("document_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_outboxmessage_document_id", "outboxmessage", "mail_document", ["document_id"], ["id"])
    for name in ("header", "place", "signer_on_behalf", "signer_title", "signer_name"):
        op.add_column("unit", sa.Column(name, sa.String(length=300 if name == "header" else 200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        for name in ("signer_name", "signer_title", "signer_on_behalf", "place", "header"):
            batch.drop_column(name)
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("document_id")
        batch.drop_column("from_name")
    with op.batch_alter_table("directive") as batch:
        for name in ("original_size", "original_mime", "original_sha256", "original_name", "archive"):
            batch.drop_column(name)
    op.drop_index("ix_document_register_unit_id", table_name="document_register")
    op.drop_table("document_register")
    op.drop_table("mail_document")
