"""Each task of a directive becomes a tracked item per responsible (`act`) unit."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, col, select

from cascade.sqlutil import insert_ignoring_conflicts
from models import Assignment, DirectiveTask, Role, TaskItem, Unit, utcnow


def create_task_items(session: Session, directive_id: int) -> int:
    """Items for every (act assignment, task addressed to its unit by code or kind); existing ones are kept."""
    tasks = list(session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive_id)).all())
    if not tasks:
        return 0
    now = utcnow()
    query = (
        select(Assignment.id, Unit.code, Unit.kind)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.directive_id == directive_id, Assignment.role == Role.act.value)
    )
    rows: list[dict[str, Any]] = [
        {"assignment_id": assignment_id, "task_id": task.id, "status": "open", "updated_at": now}
        for assignment_id, code, kind in session.exec(query).all()
        for task in tasks
        if task.applies_to(code, kind)
    ]
    created = insert_ignoring_conflicts(session, TaskItem, rows, ["assignment_id", "task_id"])
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
