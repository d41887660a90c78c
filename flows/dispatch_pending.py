"""The `dispatch-pending` flow: sends the directives units have issued below them, and any mail still owed."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from sqlmodel import col, select

from cascade.core.db import session_scope
from flows.cascade_directive import cascade_directive
from models import Directive
from models.schema import init_db
from tasks.dispatch import plan_send_batches_task, send_batch_task


@task(name="find-pending-directives", retries=2, retry_delay_seconds=2)
def find_pending_directives_task() -> list[int]:
    """Directives stored but not dispatched yet (issued on acknowledgement, by a unit's form, or interrupted)."""
    with session_scope() as session:
        query = select(Directive.id).where(col(Directive.dispatched_at).is_(None)).order_by(col(Directive.id))
        return [i for i in session.exec(query).all() if i is not None]


@flow(name="dispatch-pending", log_prints=False)
def dispatch_pending() -> dict[str, int]:
    """Dispatch every pending directive (one flow run each), then send the other mail still owed."""
    log = get_run_logger()
    init_db()
    done = find_pending_directives_task()
    for directive_id in done:
        cascade_directive(directive_id=directive_id)
    sent = 0
    for batch in plan_send_batches_task(None):
        sent += send_batch_task(batch).get("sent", 0)
    log.info("dispatched %d directive(s), %d other message(s)", len(done), sent)
    return {"directives": len(done), "other_messages": sent}
