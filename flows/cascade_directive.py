"""The `cascade-directive` flow: stores a directive (from a file) and dispatches it to its recipients."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.partition import dispatch_in_partitions, partition_size
from flows.sending import send_notices, send_owed
from models.schema import init_db
from tasks.directive import (
    check_directive_task,
    find_directive_task,
    mark_dispatched_task,
    run_title,
    store_directive_task,
)
from tasks.dispatch import create_assignments_task, create_task_items_task, plan_notice_batches_task
from tasks.partitions import cut_partitions
from tasks.status import publish_status_task, start_sending_progress_task


class DispatchTotals(TypedDict):
    """What a run did; the CLI, the demo, the bench and the tests read it as a dict."""

    assignments: int
    rendered: int
    sent: int
    bounced: int
    failed: int
    recipients: NotRequired[int]  # a dry run's only figure


def run_name() -> str:
    """'252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu': the run reads as the directive it carries."""
    return run_title(flow_run.parameters or {})


@flow(name="cascade-directive", flow_run_name=run_name, log_prints=False)
def cascade_directive(
    directive_file: str | None = None,
    number: str | None = None,
    issuer: str | None = None,
    directive_id: int | None = None,
    dry_run: bool = False,
) -> DispatchTotals:
    """Dispatch a directive to its recipients: assignments, notices through the outbox, status artifact.

    Args:
        directive_file: Path of a directive file (YAML), absolute or relative to the project directory.
        number: Or the number of a directive already stored, e.g. 252/KH-LĐLĐ.
        issuer: With `number`: the issuer's unit code, when several issuers used that number.
        directive_id: Or the database id of a stored directive.
        dry_run: Only check the directive file against the organisation tree and list its recipients.
    """
    init_db()
    if dry_run:
        if not directive_file:
            raise ValueError("dry_run checks a directive file: give directive_file")
        return {"assignments": 0, "rendered": 0, "sent": 0, "bounced": 0, "failed": 0,
                "recipients": check_directive_task(directive_file)}  # fmt: skip
    if directive_file:
        directive_id = store_directive_task(directive_file)
    elif number:
        directive_id = find_directive_task(number, issuer)
    if directive_id is None:
        raise ValueError("give directive_file (a directive YAML file) or number (a stored directive's number)")
    return dispatch_stored(directive_id)


def dispatch_stored(directive_id: int) -> DispatchTotals:
    """The dispatch of a stored directive inside the current flow run (cascade-directive, pass-on): what is not
    done yet, split over the pool's workers when it is large (flows/partition.py)."""
    created = create_assignments_task(directive_id)
    create_task_items_task(directive_id)
    batches = plan_notice_batches_task(directive_id)
    notices = sum(len(b) for b in batches)
    progress = start_sending_progress_task(directive_id, notices)
    size = partition_size(notices)
    if size:
        rendered, sent = dispatch_in_partitions(directive_id, cut_partitions(batches, size), progress)
    else:
        rendered, sent = send_notices(directive_id, batches, progress)
    send_owed(directive_id, sent, progress)
    mark_dispatched_task(directive_id)
    publish_status_task(directive_id)
    totals: DispatchTotals = {
        "assignments": created,
        "rendered": rendered,
        "sent": sent.sent,
        "bounced": sent.bounced,
        "failed": sent.failed,
    }
    get_run_logger().info("directive %s: %s", directive_id, totals)
    return totals
