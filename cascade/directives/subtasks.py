"""Each task of a directive becomes a tracked item per responsible unit: one that owes a report on it (`act`, or
`coordinate` named by a task: cascade/dispatch/duties.py)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.sqlutil import insert_selected
from models import Assignment, DirectiveTask, TaskItem, TaskStatus, Unit, utcnow

# Codes per statement when a task names its units one by one: well under either database's parameter limit.
CODES_PER_STATEMENT = 1000


def create_task_items(session: Session, directive_id: int) -> int:
    """Items for every (assignment owing a report, task addressed to its unit by code or kind); existing ones are
    kept."""
    tasks = list(session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive_id)).all())
    now = sa.literal(utcnow(), TaskItem.__table__.c.updated_at.type)  # type: ignore[attr-defined]
    opened = sa.literal(TaskStatus.open, TaskItem.__table__.c.status.type)  # type: ignore[attr-defined]
    created = 0
    # INSERT … SELECT in the database, one statement per task (and per thousand codes it names): a unit
    # named by code and by kind matches twice, and the second insert skips it.
    for task in tasks:
        addressed = [col(Unit.code).in_(task.to_codes[i : i + CODES_PER_STATEMENT])
                     for i in range(0, len(task.to_codes), CODES_PER_STATEMENT)]  # fmt: skip
        if task.to_kinds:
            addressed.append(col(Unit.kind).in_(task.to_kinds))
        for matches in addressed:
            rows = (
                sa.select(col(Assignment.id), sa.literal(task.id), opened, now)
                .join(Unit, col(Unit.id) == col(Assignment.unit_id))
                .where(col(Assignment.directive_id) == directive_id, col(Assignment.report_due).is_not(None), matches)
            )
            columns = ["assignment_id", "task_id", "status", "updated_at"]
            created += insert_selected(session, TaskItem, columns, rows, ["assignment_id", "task_id"])
    session.flush()
    return created


def task_items_by_assignment(session: Session, assignment_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """{assignment id: [{seq, text, status}, ...]} for the status views."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not assignment_ids:
        return out
    query = (
        select(TaskItem, DirectiveTask)
        .join(DirectiveTask, col(DirectiveTask.id) == col(TaskItem.task_id))
        .where(col(TaskItem.assignment_id).in_(assignment_ids))
        .order_by(col(DirectiveTask.seq))
    )
    for item, task in session.exec(query).all():
        out[item.assignment_id].append({"seq": task.seq, "text": task.text, "status": item.status})
    return out
