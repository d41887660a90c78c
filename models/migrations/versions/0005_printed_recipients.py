"""A directive's Nơi nhận lines that name no unit of the tree ("Bộ Y tế (b/c)", "Chủ tịch, các PCT UBND tỉnh"):
printed on the document as written, never mailed (directive.printed, a JSON list; none for the directives
stored before).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default (no table copy): the directive table is referenced by the largest ones.
    op.add_column("directive", sa.Column("printed", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("directive", schema=None) as batch_op:
        batch_op.drop_column("printed")
