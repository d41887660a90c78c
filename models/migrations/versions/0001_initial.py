"""The schema before migrations: every table as the release without Alembic made it.

A database made by that release (init_db's create_all, and its outbox bodies moved to outbox_body) is at this
revision: models.schema stamps it so without running it.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("unit_name", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditlog_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditlog_directive_id"), ["directive_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditlog_event"), ["event"], unique=False)

    op.create_table(
        "unit",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_active"), ["active"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_unit_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_unit_parent_active", ["parent_id", "active"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "directive",
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("doc_type", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("basis", sa.String(length=100), nullable=True),
        sa.Column("basis_issued_on", sa.Date(), nullable=True),
        sa.Column("basis_issuer", sa.String(length=300), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("signer_on_behalf", sa.String(), nullable=True),
        sa.Column("signer_title", sa.String(), nullable=False),
        sa.Column("signer_name", sa.String(), nullable=False),
        sa.Column("report_due", sa.Date(), nullable=False),
        sa.Column("report_to", sa.String(), nullable=True),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("cascade_mode", sa.String(length=20), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("parent_directive_id", sa.Integer(), nullable=True),
        sa.Column("parent_assignment_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["unit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer_id", "year", "number", name="uq_directive_issuer_year_number"),
    )
    with op.batch_alter_table("directive", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directive_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_parent_assignment_id"), ["parent_assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_directive_parent_directive_id"), ["parent_directive_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ack_due", sa.Date(), nullable=False),
        sa.Column("report_due", sa.Date(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_reason", sa.String(), nullable=True),
        sa.Column("implementing_directive_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=20), nullable=True),
        sa.Column("pass_on_due", sa.Date(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.ForeignKeyConstraint(
            ["implementing_directive_id"],
            ["directive.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directive_id", "unit_id", name="uq_assignment_directive_unit"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_directive_status", ["directive_id", "status"], unique=False)
        batch_op.create_index("ix_assignment_status_ack_due", ["status", "ack_due"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "directivetask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("to_codes", sa.JSON(), nullable=False),
        sa.Column("to_kinds", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("directivetask", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directivetask_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directive_id", "unit_id", name="uq_recipient"),
    )
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipient_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "reportcycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("consolidated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directive_id", "seq", name="uq_report_cycle"),
    )
    with op.batch_alter_table("reportcycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reportcycle_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "reportingplan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("ladder", sa.JSON(), nullable=False),
        sa.Column("follow_up_name", sa.String(length=200), nullable=True),
        sa.Column("follow_up_email", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("directive_id"),
    )
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remote_addr", sa.String(length=100), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id"),
    )
    op.create_table(
        "escalationstep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "item", "step", name="uq_escalation_step"),
    )
    with op.batch_alter_table("escalationstep", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalationstep_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalationstep_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("to_addr", sa.String(length=320), nullable=False),
        sa.Column("to_name", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_status_id", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.Integer(), nullable=False),
        sa.Column("cycle_seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"],
            ["directive.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "cycle_seq", name="uq_report_assignment_cycle"),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_directive_id"), ["directive_id"], unique=False)

    op.create_table(
        "taskitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["directivetask.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assignment_id", "task_id", name="uq_task_item"),
    )
    with op.batch_alter_table("taskitem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taskitem_assignment_id"), ["assignment_id"], unique=False)

    op.create_table(
        "outbox_body",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("body_text", sa.String(), nullable=False),
        sa.Column("body_html", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outboxmessage.id"],
        ),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_table(
        "reportattachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
    )
    with op.batch_alter_table("reportattachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reportattachment_report_id"), ["report_id"], unique=False)

    op.create_table(
        "reportversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remote_addr", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "version", name="uq_report_version"),
    )
    with op.batch_alter_table("reportversion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reportversion_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reportversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reportversion_report_id"))

    op.drop_table("reportversion")
    with op.batch_alter_table("reportattachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reportattachment_report_id"))

    op.drop_table("reportattachment")
    op.drop_table("outbox_body")
    with op.batch_alter_table("taskitem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taskitem_assignment_id"))

    op.drop_table("taskitem")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_directive_id"))
        batch_op.drop_index(batch_op.f("ix_report_assignment_id"))

    op.drop_table("report")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxmessage_directive_id"))
        batch_op.drop_index(batch_op.f("ix_outboxmessage_assignment_id"))
        batch_op.drop_index("ix_outbox_status_id")

    op.drop_table("outboxmessage")
    with op.batch_alter_table("escalationstep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalationstep_directive_id"))
        batch_op.drop_index(batch_op.f("ix_escalationstep_assignment_id"))

    op.drop_table("escalationstep")
    op.drop_table("acknowledgement")
    op.drop_table("reportingplan")
    with op.batch_alter_table("reportcycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reportcycle_directive_id"))

    op.drop_table("reportcycle")
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipient_directive_id"))

    op.drop_table("recipient")
    with op.batch_alter_table("directivetask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directivetask_directive_id"))

    op.drop_table("directivetask")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_unit_id"))
        batch_op.drop_index("ix_assignment_status_ack_due")
        batch_op.drop_index("ix_assignment_directive_status")

    op.drop_table("assignment")
    with op.batch_alter_table("directive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directive_parent_directive_id"))
        batch_op.drop_index(batch_op.f("ix_directive_parent_assignment_id"))
        batch_op.drop_index(batch_op.f("ix_directive_number"))
        batch_op.drop_index(batch_op.f("ix_directive_issuer_id"))

    op.drop_table("directive")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))
        batch_op.drop_index("ix_unit_parent_active")
        batch_op.drop_index(batch_op.f("ix_unit_kind"))
        batch_op.drop_index(batch_op.f("ix_unit_code"))
        batch_op.drop_index(batch_op.f("ix_unit_active"))

    op.drop_table("unit")
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditlog_event"))
        batch_op.drop_index(batch_op.f("ix_auditlog_directive_id"))
        batch_op.drop_index(batch_op.f("ix_auditlog_assignment_id"))

    op.drop_table("auditlog")
