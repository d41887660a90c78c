"""Dispatch as plain functions (no Prefect): create assignments, render notices into the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from cascade.core.sqlutil import id_in, insert_selected
from cascade.core.workdays import WorkCalendar, work_calendar
from cascade.delivery.outbox_batch import OWED
from cascade.delivery.outbox_recovery import ABANDONABLE
from cascade.delivery.outbox_store import enqueue_mail
from cascade.directives import deadlines
from cascade.directives.reportplan import ensure_cycles
from cascade.dispatch import duties
from cascade.dispatch.links import report_link, unit_link
from cascade.dispatch.notice_document import chain_references, cover_values, ensure_mail_document, find_mail_document
from cascade.dispatch.notice_shapes import NoticeAssignment, NoticeUnit, ShapeRenderer
from cascade.documents.originals import document_chain
from cascade.rendering.render import outbox_row
from models import (
    Assignment,
    AuditEvent,
    Directive,
    DirectiveTask,
    OutboxMessage,
    Recipient,
    Status,
    Unit,
    Urgency,
    owes_report,
    record_audit,
    utcnow,
)

# The columns of NoticeAssignment, then of NoticeUnit.
NOTICE_COLUMNS: tuple[Any, ...] = (
    *(Assignment.id, Assignment.role, Assignment.ack_due, Assignment.report_due),
    *(Unit.code, Unit.kind, Unit.name, Unit.email),
)
URGENCY_LABELS = {Urgency.khan: "KHẨN", Urgency.thuong_khan: "THƯỢNG KHẨN", Urgency.hoa_toc: "HỎA TỐC"}
# Owed (new, or failed earlier), or left claimed/sending by a sender that died.
UNSENT = (*OWED, *ABANDONABLE)


def create_assignments(session: Session, directive: Directive, calendar: WorkCalendar) -> int:
    """One assignment per recipient, with its deadlines; recipients that already have one are skipped. What each
    role owes is cascade/dispatch/duties.py's: a report deadline only where a report is owed, and none at all
    for the department that drafted the directive."""
    assert directive.id is not None
    ack_due = deadlines.ack_due(directive.issued_on, directive.urgency, calendar)
    report_due = calendar.on_or_after(directive.report_due)
    table = Assignment.__table__.c  # type: ignore[attr-defined]
    now = sa.literal(utcnow(), table.created_at.type)
    reporting = duties.owes_report_clause(session, directive)
    # One INSERT … SELECT from the recipients: 100,000 assignments without a row of them in Python.
    rows = sa.select(
        sa.literal(directive.id),
        col(Recipient.unit_id),
        col(Recipient.role),
        sa.literal(Status.queued, table.status.type),
        sa.literal(ack_due, table.ack_due.type),
        sa.case((reporting, sa.literal(report_due, table.report_due.type)), else_=None),
        now,
        now,
    ).where(col(Recipient.directive_id) == directive.id)
    drafter = duties.drafting_department(session, directive)
    if drafter is not None:  # not asked to acknowledge the document it drafted
        rows = rows.where(col(Recipient.unit_id) != drafter.id)
    columns = ["directive_id", "unit_id", "role", "status", "ack_due", "report_due", "status_changed_at", "created_at"]
    created = insert_selected(session, Assignment, columns, rows, ["directive_id", "unit_id"])
    session.flush()
    return created


def notice_batches(session: Session, directive_id: int, batch_size: int) -> list[list[int]]:
    """Ids of the assignments that have no notice in the outbox yet, in batches."""
    owed = (
        select(Assignment.id)
        .outerjoin(
            OutboxMessage,
            (col(OutboxMessage.assignment_id) == col(Assignment.id)) & (col(OutboxMessage.kind) == "notice"),
        )
        .where(Assignment.directive_id == directive_id, col(OutboxMessage.id).is_(None))
        .order_by(col(Assignment.id))
    )
    ids = [i for i in session.exec(owed).all() if i is not None]
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


@dataclass
class NoticeContext:
    directive: Directive
    issuer: Unit
    tasks: list[DirectiveTask]
    report_to: str | None
    # The documents a notice carries: the directive, then those it implements up a chain of forward pass-ons.
    chain: list[Directive]
    # The shared document part of its notices (models.MailDocument), once they have been rendered.
    document_id: int | None = None
    # How a clerk names each document the directive implements ("Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của …").
    parent_references: list[str] = field(default_factory=list)
    # What every notice says of the document (computed for the first notice, not for each of 100,000).
    about_document: dict[str, Any] | None = None
    # The deadline of each report cycle, the last one final: the same for every unit that reports.
    cycle_dues: list[date] = field(default_factory=list)


def notice_context(session: Session, directive_id: int, calendar: WorkCalendar | None = None) -> NoticeContext:
    directive = session.get(Directive, directive_id)
    assert directive is not None
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None
    tasks = list(
        session.exec(
            select(DirectiveTask).where(DirectiveTask.directive_id == directive_id).order_by(col(DirectiveTask.seq))
        ).all()
    )
    report_to = issuer.name
    if directive.report_to:
        dept = session.exec(select(Unit).where(Unit.code == directive.report_to)).first()
        report_to = f"{issuer.name} (qua {dept.name})" if dept else directive.report_to
    chain = document_chain(session, directive)
    document_id = find_mail_document(session, directive_id)
    ctx = NoticeContext(directive, issuer, tasks, report_to, chain, document_id, chain_references(session, chain))
    ctx.cycle_dues = [c.due for c in ensure_cycles(session, directive, calendar or work_calendar())]
    return ctx


def report_cycles(ctx: NoticeContext, assignment: Assignment | NoticeAssignment) -> list[date]:
    """The deadlines a unit that reports reads cycle by cycle; none when there is one cycle (its deadline is
    the assignment's `report_due`) or no report is owed."""
    return ctx.cycle_dues if owes_report(assignment) and len(ctx.cycle_dues) > 1 else []


def unit_tasks(
    ctx: NoticeContext, assignment: Assignment | NoticeAssignment, unit: Unit | NoticeUnit
) -> list[DirectiveTask]:
    """The tasks of the directive addressed to this unit (by code or kind), for a unit that owes a report on them
    (cascade/dispatch/duties.py); an `info` or `superior` unit has none."""
    return [t for t in ctx.tasks if owes_report(assignment) and t.applies_to(unit.code, unit.kind)]


def notice_values(
    settings: Settings, ctx: NoticeContext, assignment: NoticeAssignment, unit: NoticeUnit
) -> dict[str, Any]:
    """What the notice templates of one unit are rendered with (links signed here)."""
    return {
        "directive_id": ctx.directive.id,
        "assignment_id": assignment.id,
        "directive": ctx.directive,
        "issuer": ctx.issuer,
        "unit": unit,
        "assignment": assignment,
        "tasks": unit_tasks(ctx, assignment, unit),
        "report_to": ctx.report_to,
        "cycle_dues": report_cycles(ctx, assignment),
        "link": unit_link(settings, assignment),
        "report_link": report_link(settings, assignment),
        "urgency_label": URGENCY_LABELS.get(ctx.directive.urgency),
        **about_document(settings, ctx),
    }


def about_document(settings: Settings, ctx: NoticeContext) -> dict[str, Any]:
    """What the covers of a directive's notices say of its document, the same in each."""
    if ctx.about_document is None:
        ctx.about_document = cover_values(settings.documents, ctx.chain, ctx.document_id, ctx.parent_references)
    return ctx.about_document


def mail_fields(ctx: NoticeContext) -> dict[str, Any]:
    """What a notice's outbox row carries besides its rendered text: its shared document, its sender's name."""
    return {"document_id": ctx.document_id, "from_name": ctx.issuer.name}


def render_notice(settings: Settings, ctx: NoticeContext, assignment: Assignment, unit: Unit) -> dict[str, Any]:
    """One notice, fully rendered (a single notice: a successor unit, a test's reference)."""
    light = NoticeAssignment(assignment.id, assignment.role, assignment.ack_due, assignment.report_due)
    values = notice_values(settings, ctx, light, NoticeUnit(unit.code, unit.kind, unit.name, unit.email))
    row = outbox_row(f"notice:{assignment.id}", "notice", (unit.name, unit.email), "notice", utcnow(), **values)
    return row | mail_fields(ctx)


def enqueue_notices(session: Session, settings: Settings, directive_id: int, assignment_ids: list[int]) -> int:
    """Render the notices of these assignments into the outbox; notices already there are kept as they are.

    The directive's document is rendered and stored once (models.MailDocument), not copied into each notice."""
    ctx = notice_context(session, directive_id, work_calendar(settings))
    ctx.document_id = ensure_mail_document(session, ctx.directive, settings.documents)
    shapes = ShapeRenderer()  # each shape of notice rendered once, then filled in per unit
    fields = mail_fields(ctx)
    query = (
        sa.select(*NOTICE_COLUMNS)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(id_in(session, col(Assignment.id), assignment_ids))
    )
    rows = [
        shapes.row(notice_values(settings, ctx, NoticeAssignment(*r[:4]), NoticeUnit(*r[4:]))) | fields
        for r in session.execute(query).all()
    ]
    added = len(enqueue_mail(session, rows))
    record_audit(session, AuditEvent.notices_enqueued, directive_id=directive_id, detail={"count": len(rows)})
    session.flush()
    return added


def owed_notices(session: Session, assignment_ids: list[int]) -> list[int]:
    """Outbox ids of these assignments' notices that are still to send (new, or failed earlier)."""
    # The status is tested here, not in SQL: given `status IN (…)`, SQLite's planner walks the status index
    # (every owed row of the outbox) instead of these assignments' rows.
    query = select(OutboxMessage.id, OutboxMessage.status).where(
        id_in(session, col(OutboxMessage.assignment_id), assignment_ids), OutboxMessage.kind == "notice"
    )
    return sorted(i for i, status in session.exec(query).all() if i is not None and status in OWED)


def outbox_batches(session: Session, directive_id: int | None, batch_size: int) -> Iterator[list[int]]:
    """Ids of outbox messages still owed (pending, temporarily failed, or left claimed/sending by a crash)."""
    query = select(OutboxMessage.id).where(col(OutboxMessage.status).in_(UNSENT))
    if directive_id is not None:
        query = query.where(OutboxMessage.directive_id == directive_id)
    ids = [i for i in session.exec(query.order_by(col(OutboxMessage.id))).all() if i is not None]
    for i in range(0, len(ids), batch_size):
        yield ids[i : i + batch_size]
