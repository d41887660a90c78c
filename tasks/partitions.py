"""Tasks of a partitioned dispatch: cutting a directive's notices into partitions, planning one partition's
batches, and reading every partition's progress from the outbox (the database, not the runs, says what is done)."""

from __future__ import annotations

from typing import TypedDict

import sqlalchemy as sa
from prefect import task

from cascade.core.db import session_scope
from cascade.core.settings import get_settings
from models import Assignment, MailStatus, OutboxMessage


class Partition(TypedDict):
    """A run of consecutive assignments of one directive: their ids follow the recipients' order (the Nơi nhận
    and the tree's), so a partition holds whole subtrees of a generated or imported tree but at its edges."""

    first: int  # first and last assignment id, inclusive
    last: int
    notices: int  # notices it has to render at the start


def cut_partitions(batches: list[list[int]], size: int) -> list[Partition]:
    """Consecutive batches grouped into partitions of about `size` notices (whole batches: a batch is never split
    between two runs); the last partition takes a remainder under half a partition rather than running alone."""
    parts: list[list[int]] = []
    for batch in batches:
        if parts and len(parts[-1]) < size:
            parts[-1].extend(batch)
        else:
            parts.append(list(batch))
    if len(parts) > 1 and len(parts[-1]) < size // 2:
        parts[-2].extend(parts.pop())
    return [{"first": min(p), "last": max(p), "notices": len(p)} for p in parts]


@task(name="plan-partition-batches", retries=2, retry_delay_seconds=2)
def plan_partition_batches_task(directive_id: int, first: int, last: int) -> list[list[int]]:
    """The partition's assignments whose notices are still to render, in batches of CASCADE_BATCH_SIZE: a
    partition run started again renders only what its first try did not."""
    size = get_settings().delivery.batch_size
    assignment = Assignment.__table__  # type: ignore[attr-defined]
    message = OutboxMessage.__table__  # type: ignore[attr-defined]
    # notice_batches' question (cascade/dispatch/notices.py), asked of the partition's range only
    query = (
        sa.select(assignment.c.id)
        .outerjoin(message, (message.c.assignment_id == assignment.c.id) & (message.c.kind == "notice"))
        .where(
            assignment.c.directive_id == directive_id,
            assignment.c.id.between(first, last),
            message.c.id.is_(None),
        )
        .order_by(assignment.c.id)
    )
    with session_scope() as session:
        owed = [int(i) for i in session.execute(query).scalars()]
    return [owed[i : i + size] for i in range(0, len(owed), size)]


class PartitionFigures(TypedDict):
    rendered: int  # its notices in the outbox
    sent: int  # taken by the mail server
    bounced: int  # refused for good


def partition_progress(directive_id: int, parts: list[Partition]) -> list[PartitionFigures]:
    """What the outbox holds of each partition's notices: read by the parent run, whatever run (or try) made it."""
    message = OutboxMessage.__table__  # type: ignore[attr-defined]

    def having(status: MailStatus) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((message.c.status == status.value, 1), else_=0)), 0)

    figures: list[PartitionFigures] = []
    with session_scope() as session:
        for part in parts:
            query = sa.select(sa.func.count(), having(MailStatus.sent), having(MailStatus.bounced)).where(
                message.c.directive_id == directive_id,
                message.c.kind == "notice",
                message.c.assignment_id.between(part["first"], part["last"]),
            )
            rendered, sent, bounced = session.execute(query).one()
            figures.append({"rendered": int(rendered), "sent": int(sent), "bounced": int(bounced)})
    return figures
