"""What a page of steps writes: the steps themselves and their audit rows, each in one statement.

On PostgreSQL the audit rows go in as one array per column (`INSERT … SELECT unnest(…)`): an executemany of
2,000 rows was a round of conversions per row, a third of an escalation day's time at national scale."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from cascade.chasing.steps import Item, Taken
from cascade.core.sqlutil import insert_new
from models import audit_row, record_audits
from models.audit import AUDIT, AuditEvent
from models.report import EscalationStep

STEPS = ("before", "due", "parent", "escalate")
STEP_EVENTS = {step: AuditEvent.escalation(step) for step in STEPS}


def record_steps(session: Session, due: list[tuple[Item, str]], now: datetime) -> dict[tuple[int, str], int]:
    """Insert the steps in one statement; returns the ids of those inserted by (assignment, item): a step
    already taken (by a concurrent or repeated run) is not returned, so its emails are not queued twice."""
    rows = [
        {
            "directive_id": item.directive.id,
            "assignment_id": item.assignment.id,
            "item": item.item,
            "step": step,
            "rank": STEPS.index(step),
            "due": item.due,
            "at": now,
        }
        for item, step in due
    ]
    unique = ["assignment_id", "item", "step"]
    inserted = insert_new(session, EscalationStep, rows, unique, ("id", "assignment_id", "item"))
    return {(int(row.assignment_id), str(row.item)): int(row.id) for row in inserted}


def insert_audits(session: Session, rows: list[dict[str, Any]]) -> None:
    """models.record_audits, in one statement on PostgreSQL (rows of audit_row, every one with the same keys)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        record_audits(session, rows)
        return
    columns = list(rows[0])
    arrays: list[Any] = []
    for name in columns:
        column = AUDIT.c[name]
        if name == "detail":  # as text, cast in the database: an array of JSON is not one psycopg adapts
            texts = [json.dumps(row[name], ensure_ascii=False) for row in rows]
            array = sa.bindparam(f"c_{name}", texts, type_=postgresql.ARRAY(sa.Text))
            arrays.append(sa.cast(sa.func.unnest(array), column.type))
        else:
            array = sa.bindparam(f"c_{name}", [row[name] for row in rows], type_=postgresql.ARRAY(column.type))
            arrays.append(sa.func.unnest(array))
    session.connection().execute(sa.insert(AUDIT).from_select(columns, sa.select(*arrays)))


def audit_and_event(t: Taken, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The audit row of a step and the event that tells the same."""
    item = t.item
    to = [item.unit.email] if t.step != "escalate" else []
    if t.step == "parent" and t.supervisor:
        to.append(t.supervisor.email)
    if t.step == "escalate":
        to.append(t.officer[1])
    detail = {"item": item.item, "step": t.step, "due": item.due.isoformat(), "to": to}
    row = audit_row(
        STEP_EVENTS[t.step],
        unit=item.unit,
        actor="monitor",
        at=now,
        directive_id=item.directive.id,
        assignment_id=item.assignment.id,
        detail=detail,
    )
    event = {
        "event": f"cascade.escalation.{t.step}",
        "assignment_id": item.assignment.id,
        "directive_id": item.directive.id,
        "number": item.directive.number,
        "unit": item.unit.code,
        **detail,
    }
    return row, event
