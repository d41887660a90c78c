"""The `dispatch-pending` flow: sends the directives units have issued below them, and any mail still owed."""

from __future__ import annotations

from typing import TypedDict

from prefect import flow, get_run_logger

from flows.cascade_directive import cascade_directive
from flows.sending import send_other_mail
from models.schema import init_db
from tasks.directive import find_pending_directives_task


class PendingTotals(TypedDict):
    """What a run did; `cascade dispatch` and the demo read it as a dict."""

    directives: int
    other_messages: int


@flow(name="dispatch-pending", log_prints=False)
def dispatch_pending() -> PendingTotals:
    """Dispatch every pending directive (one flow run each), then send the other mail still owed."""
    log = get_run_logger()
    init_db()
    done = find_pending_directives_task()
    for directive_id in done:
        cascade_directive(directive_id=directive_id)
    others = send_other_mail()
    log.info("dispatched %d directive(s), %d other message(s)", len(done), others)
    return {"directives": len(done), "other_messages": others}
