"""The `cascade-directive` flow: stores a directive (from a file) and dispatches it to its recipients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NotRequired, TypedDict, TypeVar

from prefect import Task, flow, get_run_logger
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner

from cascade.delivery.counts import SendCounts
from models.schema import init_db
from tasks.directive import (
    check_directive_task,
    find_directive_task,
    mark_dispatched_task,
    run_title,
    store_directive_task,
)
from tasks.dispatch import (
    create_assignments_task,
    create_task_items_task,
    dispatch_processes,
    plan_notice_batches_task,
    plan_send_batches_task,
    render_notices_task,
    send_batch_task,
)
from tasks.status import SendingProgress, publish_status_task, start_sending_progress_task

R = TypeVar("R")


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


# With CASCADE_DISPATCH_PROCESSES > 1, a directive of at least this many batches renders, then sends, them over a
# bounded pool of processes (for machines with cores to spare; see cascade/core/settings.py for why 1 is the
# default); fewer batches do not pay for the pool's start.
PARALLEL_FROM_BATCHES = 4


def run_batches(
    batch_task: Task[..., R],
    calls: list[dict[str, Any]],
    processes: int,
    on_result: Callable[[R], object] = lambda _: None,
) -> list[R]:
    """Run one task per batch: in order in this process, or over a bounded process pool when configured;
    `on_result` is called in this process with each batch's result as it is collected (the progress artifact)."""
    workers = min(len(calls), processes)
    results: list[R] = []
    if workers <= 1 or len(calls) < PARALLEL_FROM_BATCHES:
        for params in calls:
            results.append(batch_task(**params))
            on_result(results[-1])
        return results
    with ProcessPoolTaskRunner(max_workers=workers) as runner:
        futures = [runner.submit(batch_task, parameters=params) for params in calls]
        for future in futures:
            results.append(future.result())
            on_result(results[-1])
    return results


def render_and_send(
    directive_id: int, batches: list[list[int]], sent: SendCounts, progress: SendingProgress | None = None
) -> int:
    """Send each batch while the next one renders in a worker thread: rendering is CPU, sending waits on the
    mail server much of the time, and the two overlap in one process (measured: docs/benchmarks.md).

    Returns how many notices were rendered; the sends' counts are added to `sent`, and `progress` advances
    after each batch."""
    if not batches:
        return 0
    rendered = 0
    rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=batches[0])
    for following in [*batches[1:], None]:
        batch = rendering.result()
        if following is not None:
            rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=following)
        rendered += batch["added"]
        counts = send_batch_task(message_ids=batch["message_ids"]) if batch["message_ids"] else SendCounts()
        sent.add(counts)
        if progress is not None:
            progress.advance(rendered=batch["added"], counts=counts)
    return rendered


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
    log = get_run_logger()
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
    created = create_assignments_task(directive_id)
    create_task_items_task(directive_id)
    batches = plan_notice_batches_task(directive_id)
    progress = start_sending_progress_task(directive_id, sum(len(b) for b in batches))
    processes, sent = dispatch_processes(), SendCounts()
    if processes > 1 and len(batches) >= PARALLEL_FROM_BATCHES:
        rendered = sum(r["added"] for r in run_batches(render_notices_task, [
            {"directive_id": directive_id, "assignment_ids": b} for b in batches], processes,
            lambda r: progress.advance(rendered=r["added"])))  # fmt: skip
    else:
        rendered = render_and_send(directive_id, batches, sent, progress)
    # Whatever is still owed: all of it on a process pool, else a rerun's leftovers and bounce escalations.
    send_calls = [{"message_ids": b} for b in plan_send_batches_task(directive_id)]
    for counts in run_batches(send_batch_task, send_calls, processes, lambda c: progress.advance(counts=c)):
        sent.add(counts)
    mark_dispatched_task(directive_id)
    publish_status_task(directive_id)
    totals: DispatchTotals = {
        "assignments": created,
        "rendered": rendered,
        "sent": sent.sent,
        "bounced": sent.bounced,
        "failed": sent.failed,
    }
    log.info("directive %s: %s", directive_id, totals)
    return totals
