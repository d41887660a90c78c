"""Sending a directive's notices inside a flow run: render and send overlapped, or over a process pool.

Shared by `cascade-directive` (the whole directive) and `dispatch-partition` (one partition of a large one)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from prefect import Task
from prefect.futures import PrefectFuture
from prefect.task_runners import ProcessPoolTaskRunner

from cascade.delivery.counts import SendCounts
from cascade.delivery.kept_connections import keep_connections
from tasks.dispatch import dispatch_processes, plan_send_batches_task, render_notices_task, send_batch_task
from tasks.monitor import PagesCommitted
from tasks.status import SendingProgress

R = TypeVar("R")


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
    mail server much of the time, and the two overlap in one process (measured: docs/benchmarks.md). The
    batches' SMTP connections stay open from one batch to the next (cascade.delivery.kept_connections).

    Returns how many notices were rendered; the sends' counts are added to `sent`, and `progress` advances
    after each batch."""
    if not batches:
        return 0
    rendered = 0
    # The progress artifact is updated by one thread of its own, in order: its API call used to sit between
    # one batch's last message and the next batch's first.
    with keep_connections(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="progress") as publisher:
        rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=batches[0])
        for following in [*batches[1:], None]:
            batch = rendering.result()
            if following is not None:
                rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=following)
            rendered += batch["added"]
            counts = send_batch_task(message_ids=batch["message_ids"]) if batch["message_ids"] else SendCounts()
            sent.add(counts)
            if progress is not None:  # in this run's context (its logger), a copy per update
                publisher.submit(
                    contextvars.copy_context().run, progress.advance, rendered=batch["added"], counts=counts
                )
    return rendered


def send_notices(directive_id: int, batches: list[list[int]], progress: SendingProgress) -> tuple[int, SendCounts]:
    """Render and send the notices of these batches of assignments; (rendered, counts)."""
    processes, sent = dispatch_processes(), SendCounts()
    if processes > 1 and len(batches) >= PARALLEL_FROM_BATCHES:
        calls = [{"directive_id": directive_id, "assignment_ids": b} for b in batches]
        results = run_batches(render_notices_task, calls, processes, lambda r: progress.advance(rendered=r["added"]))
        rendered = sum(r["added"] for r in results)
    else:
        rendered = render_and_send(directive_id, batches, sent, progress)
    return rendered, sent


def send_owed(directive_id: int, sent: SendCounts, progress: SendingProgress) -> None:
    """Whatever of the directive's mail is still owed: all of it on a process pool, else a rerun's leftovers and
    bounce escalations."""
    send_calls = [{"message_ids": b} for b in plan_send_batches_task(directive_id)]
    with keep_connections():
        batches = run_batches(send_batch_task, send_calls, dispatch_processes(), lambda c: progress.advance(counts=c))
    for counts in batches:
        sent.add(counts)


def send_queued() -> SendCounts:
    """Every email queued and not yet sent, batch by batch over connections kept from one batch to the next."""
    counts = SendCounts()
    with keep_connections():
        for batch in plan_send_batches_task(None):
            counts.add(send_batch_task(batch))
    return counts


def send_while_running(running: PrefectFuture[Any], committed: PagesCommitted) -> tuple[SendCounts, Exception | None]:
    """What a task running in a thread of this run commits to the outbox as it goes, sent while it runs: each
    time it says a page is committed, every email owed is sent. Returns once the task has ended (the caller
    reads its result), with the counts and the error that stopped the sending, if one did: the caller finishes
    its own work (the events of the steps taken) before raising it."""
    # A page committed before this line is sent at the next page, or by the caller: nothing waits on a wake.
    counts, seen, ended = SendCounts(), committed.count, threading.Event()

    def on_end(_: object) -> None:
        ended.set()
        committed.wake()

    running.add_done_callback(on_end)
    try:
        while True:
            seen = committed.wait_beyond(seen)
            if ended.is_set():
                return counts, None
            counts.add(send_queued())
    except Exception as exc:  # the relay refused us, or kept failing: what is queued stays owed
        running.wait()
        return counts, exc


def send_other_mail() -> int:
    """The mail owed outside any directive's dispatch (refusal notices, successors' notices…); how many were sent."""
    return send_queued().sent
