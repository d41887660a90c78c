"""An amendment's tasks: the stored tasks take the new file's, seq by seq; a task dropped, or no longer addressed
to a unit, loses that unit's tracked item (the old version's tasks stay in directive_version)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.directives.directivefile import DirectiveSpec
from models import Assignment, Directive, DirectiveTask, TaskItem, Unit


def update_tasks(session: Session, directive: Directive, spec: DirectiveSpec) -> None:
    stored = {
        t.seq: t for t in session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive.id)).all()
    }
    for seq, task in enumerate(spec.tasks, start=1):
        row = stored.pop(seq, None)
        if row is None:
            session.add(DirectiveTask(directive_id=directive.id or 0, seq=seq, text=task.text, to_codes=task.to,
                                      to_kinds=task.to_kinds))  # fmt: skip
            continue
        readdressed = (row.to_codes, row.to_kinds) != (task.to, task.to_kinds)
        row.text, row.to_codes, row.to_kinds = task.text, list(task.to), list(task.to_kinds)
        session.add(row)
        if readdressed:
            _drop_items(session, row, keep=True)
    for row in stored.values():  # tasks the new version no longer has
        _drop_items(session, row, keep=False)
        session.delete(row)
    session.flush()


def _drop_items(session: Session, task: DirectiveTask, *, keep: bool) -> None:
    """The task's tracked items, or (keep) those of units it no longer names."""
    items = session.exec(
        select(TaskItem.id, Unit.code, Unit.kind)
        .join(Assignment, col(Assignment.id) == col(TaskItem.assignment_id))
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(TaskItem.task_id == task.id)
    ).all()
    gone = [i for i, code, kind in items if not (keep and task.applies_to(code, kind))]
    if gone:
        session.execute(sa.delete(TaskItem).where(col(TaskItem.id).in_(gone)))
