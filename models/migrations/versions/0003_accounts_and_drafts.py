"""The console: accounts (user_account), their login sessions and API tokens, and directives uploaded and not yet
launched (directive_draft); a unit's national organ code (unit.organ_id) for edXML; and a directive's life after
launch: its versions (directive_version), recall, replacement and closing, and each unit's answer to a recall.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A unit's national organ code (QCVN 102:2016), the OrganId of the edXML packages it sends and receives.
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organ_id", sa.String(length=64), nullable=True))

    # A directive's life after launch (cascade/lifecycle): its version, recall, replacement, and the end of it.
    # Plain ADD COLUMNs (no table copy): the directive and assignment tables are the largest ones referenced.
    op.add_column("directive", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("directive", sa.Column("recalled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("directive", sa.Column("recall_reason", sa.String(), nullable=True))
    op.add_column("directive", sa.Column("replaced_by_id", sa.Integer(), nullable=True))
    op.add_column("directive", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("directive", sa.Column("closed_by_id", sa.Integer(), nullable=True))
    op.add_column("assignment", sa.Column("recall", sa.String(length=10), nullable=True))
    op.add_column("assignment", sa.Column("recall_answered_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("assignment", sa.Column("recall_refusal", sa.String(), nullable=True))
    op.add_column("assignment", sa.Column("resume_status", sa.String(length=20), nullable=True))
    op.create_table(
        "directive_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reacknowledge", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["directive_id"], ["directive.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directive_id", "version", name="uq_directive_version"),
    )
    op.create_index("ix_directive_version_directive_id", "directive_version", ["directive_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_email"), ["email"], unique=True)
        batch_op.create_index(batch_op.f("ix_user_account_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_secret_hash"), ["secret_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "directive_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_kind", sa.String(length=10), nullable=False),
        sa.Column("spec_yaml", sa.Text(), nullable=False),
        sa.Column("original_name", sa.String(length=300), nullable=True),
        sa.Column("original_sha256", sa.String(length=64), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("basis_directive_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("launched_by_id", sa.Integer(), nullable=True),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("flow_run_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["basis_directive_id"],
            ["directive.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["launched_by_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("directive_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directive_draft_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_draft_directive_id"), ["directive_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_draft_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_draft_state"), ["state"], unique=False)

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_secret_hash"), ["secret_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_session_secret_hash"))

    op.drop_table("login_session")
    with op.batch_alter_table("directive_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directive_draft_state"))
        batch_op.drop_index(batch_op.f("ix_directive_draft_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_directive_draft_directive_id"))
        batch_op.drop_index(batch_op.f("ix_directive_draft_created_by_id"))

    op.drop_table("directive_draft")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_api_token_secret_hash"))

    op.drop_table("api_token")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_unit_id"))
        batch_op.drop_index(batch_op.f("ix_user_account_email"))

    op.drop_table("user_account")
    op.drop_index("ix_directive_version_directive_id", table_name="directive_version")
    op.drop_table("directive_version")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        for name in ("resume_status", "recall_refusal", "recall_answered_at", "recall"):
            batch_op.drop_column(name)
    with op.batch_alter_table("directive", schema=None) as batch_op:
        for name in ("closed_by_id", "closed_at", "replaced_by_id", "recall_reason", "recalled_at", "version"):
            batch_op.drop_column(name)
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("organ_id")
