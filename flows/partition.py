"""The `dispatch-partition` flow, and how `cascade-directive` spreads one large directive over a work pool.

A directive dispatched as a deployment run, with more notices to render than CASCADE_PARTITION_SIZE, on a Prefect
server that has the `dispatch-partition` deployment (prefect.yaml), is cut into partitions of consecutive
assignments (tasks/partitions.py). Each is one child deployment run (`run_deployment(…, timeout=0,
as_subflow=True)`), so the pool's workers take them as they poll and run them at once; the parent waits, shows
the whole dispatch's progress from the outbox, and starts again a partition whose run failed, crashed, or stopped
making progress (a worker killed leaves its run `Running`: CASCADE_PARTITION_STALL_SECONDS). A try started again
renders only what the earlier ones did not, and the outbox's claims and the send journal keep it from sending what
they sent (cascade/delivery). Without the deployment, or run outside one, the directive is dispatched whole in its
own run, as before."""

from __future__ import annotations

import time
from typing import Any, TypedDict
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.runtime import deployment, flow_run

from cascade.core.settings import get_settings
from cascade.delivery.counts import SendCounts
from flows.sending import render_and_send
from models.schema import init_db
from tasks.directive import run_title
from tasks.partitions import Partition, PartitionFigures, partition_progress, plan_partition_batches_task
from tasks.status import SendingProgress, start_sending_progress_task
from web.launching import deployment_exists

DEPLOYMENT = "dispatch-partition/dispatch-partition"
TRIES = 3  # runs of one partition before the parent gives up (the next dispatch-pending run resumes it)
POLL_SECONDS = 2.0
READ_LIMIT = 200  # flow runs read a request at a time (the API refuses more)


class PartitionTotals(TypedDict):
    rendered: int
    sent: int
    bounced: int
    failed: int


def partition_run_name() -> str:
    """'252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu · phần 2/5'."""
    params = flow_run.parameters or {}
    return f"{run_title({'directive_id': params.get('directive_id')})} · phần {params.get('part')}/{params.get('of')}"


@flow(name="dispatch-partition", flow_run_name=partition_run_name, log_prints=False, retries=1, retry_delay_seconds=5)
def dispatch_partition(directive_id: int, first: int, last: int, part: int = 1, of: int = 1) -> PartitionTotals:
    """Render and send one partition of a large directive's notices (its assignments `first` to `last`).

    Args:
        directive_id: The database id of the directive being dispatched.
        first: The partition's first assignment id.
        last: Its last assignment id (inclusive).
        part: Which partition this is (for the run's name and its progress artifact).
        of: How many partitions the dispatch has.
    """
    init_db()
    batches = plan_partition_batches_task(directive_id, first, last)
    progress = start_sending_progress_task(directive_id, sum(len(b) for b in batches), part=f"{part}/{of}")
    # Render and send overlapped in this one process: the partitions are the dispatch's parallelism (a process pool
    # inside each, CASCADE_DISPATCH_PROCESSES, would only render).
    sent = SendCounts()
    rendered = render_and_send(directive_id, batches, sent, progress)
    get_run_logger().info("partition %d/%d of directive %s: %d rendered, %s", part, of, directive_id, rendered,
                          sent.as_dict())  # fmt: skip
    return {"rendered": rendered, "sent": sent.sent, "bounced": sent.bounced, "failed": sent.failed}


def partition_size(notices: int) -> int:
    """CASCADE_PARTITION_SIZE when this run should split its `notices`, else 0 (dispatch them whole here)."""
    size = get_settings().delivery.partition_size
    if not size or notices <= size or deployment.id is None:
        return 0
    return size if deployment_exists(DEPLOYMENT) else 0


class _Tracked:
    """One partition as the parent follows it: its current run, its tries, when it last moved."""

    def __init__(self, part: Partition, index: int) -> None:
        self.part, self.index, self.tries = part, index, 0
        self.run_id: UUID | None = None
        self.moved_at = time.monotonic()
        self.seen: tuple[int, int, int] = (-1, -1, -1)
        self.done = False


def dispatch_in_partitions(
    directive_id: int, parts: list[Partition], progress: SendingProgress
) -> tuple[int, SendCounts]:
    """Run the partitions on the pool and wait for them; (notices rendered, counts) read from the outbox."""
    log = get_run_logger()
    stall = stall_seconds()
    before = partition_progress(directive_id, parts)
    started_at = time.monotonic()
    warned = False
    tracked = [_Tracked(part, i) for i, part in enumerate(parts)]
    for t in tracked:
        _start(directive_id, t, len(parts))
    log.info("directive %s: %d partitions of about %d notices", directive_id, len(parts), parts[0]["notices"])
    while not all(t.done for t in tracked):
        time.sleep(POLL_SECONDS)
        figures = partition_progress(directive_id, parts)
        _show(progress, figures, before)
        states = _states([t.run_id for t in tracked if not t.done and t.run_id is not None])
        if (
            not warned
            and time.monotonic() - started_at > stall
            and not any(s.is_running() or s.is_completed() for s in states.values())
        ):
            # This run holds a worker's slot while it waits: a pool whose workers have no slot left for the
            # partitions (one worker with --limit 1, a pool concurrency limit of 1) never starts them.
            log.warning("no partition of directive %s has started after %.0f s: does the pool have a free slot "
                        "beside this run?", directive_id, stall)  # fmt: skip
            warned = True
        for t in tracked:
            if t.done or t.run_id is None:
                continue
            if t.run_id not in states:
                raise RuntimeError(f"partition {t.index + 1}/{len(parts)}: its flow run {t.run_id} is gone")
            state, now = states[t.run_id], time.monotonic()
            seen = (figures[t.index]["rendered"], figures[t.index]["sent"], figures[t.index]["bounced"])
            if seen != t.seen or not (state.is_running() or state.is_pending()):
                # The stall clock runs only while a worker holds the run (pending or running), not while it waits
                # for one: a busy pool is not a dead worker.
                t.seen, t.moved_at = seen, now
            if state.is_completed():
                t.done = True
            elif state.is_cancelled():  # someone stopped it on purpose: so does the parent
                raise RuntimeError(f"partition {t.index + 1}/{len(parts)} of directive {directive_id} was cancelled")
            elif state.is_final():
                log.warning("partition %d/%d ended %s: starting it again", t.index + 1, len(parts), state.name)
                _start(directive_id, t, len(parts))
            elif now - t.moved_at > stall:
                log.warning("partition %d/%d made no progress for %.0f s: its run %s is marked crashed and started "
                            "again", t.index + 1, len(parts), stall, t.run_id)  # fmt: skip
                _crash(t.run_id)
                _start(directive_id, t, len(parts))
    after = partition_progress(directive_id, parts)
    _show(progress, after, before)
    counts = SendCounts(
        sent=sum(a["sent"] - b["sent"] for a, b in zip(after, before, strict=True)),
        bounced=sum(a["bounced"] - b["bounced"] for a, b in zip(after, before, strict=True)),
    )
    return sum(a["rendered"] - b["rendered"] for a, b in zip(after, before, strict=True)), counts


def _start(directive_id: int, t: _Tracked, of: int) -> None:
    from prefect.deployments import run_deployment

    if t.tries >= TRIES:
        raise RuntimeError(f"partition {t.index + 1}/{of} of directive {directive_id} failed {TRIES} times")
    t.tries += 1
    first, last = t.part["first"], t.part["last"]
    params = {"directive_id": directive_id, "first": first, "last": last, "part": t.index + 1, "of": of}
    # The key names this parent run (and its attempt), the partition and the try: a second start of the same child
    # is the same run, while a later dispatch of the directive (its boundaries may be the same when a partition
    # rendered nothing) starts its own children rather than finding these, finished or failed.
    key = f"partition-{flow_run.id}-{flow_run.run_count}-{first}-{last}-try-{t.tries}"
    child: Any = run_deployment(DEPLOYMENT, parameters=params, timeout=0, as_subflow=True, idempotency_key=key)
    t.run_id, t.moved_at, t.seen = child.id, time.monotonic(), (-1, -1, -1)


def _states(run_ids: list[UUID]) -> dict[UUID, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    states: dict[UUID, Any] = {}
    with get_client(sync_client=True) as client:
        for start in range(0, len(run_ids), READ_LIMIT):
            chunk = run_ids[start : start + READ_LIMIT]
            flow_run_filter = FlowRunFilter(id=FlowRunFilterId(any_=chunk))
            runs = client.read_flow_runs(flow_run_filter=flow_run_filter, limit=len(chunk))
            states.update({run.id: run.state for run in runs if run.state is not None})
    return states


def _crash(run_id: UUID) -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run_id, Crashed(message="no progress: its worker is gone"), force=True)


def _show(progress: SendingProgress, figures: list[PartitionFigures], before: list[PartitionFigures]) -> None:
    """The figures since this run started, as its progress artifact planned them (to render, and owed)."""

    def since(key: str) -> int:
        return sum(f[key] - b[key] for f, b in zip(figures, before, strict=True))  # type: ignore[literal-required]

    progress.show(rendered=since("rendered"), sent=since("sent"), bounced=since("bounced"))


def stall_seconds() -> float:
    """CASCADE_PARTITION_STALL_SECONDS, and never less than three batches' time at CASCADE_RATE_PER_MINUTE: a
    partition kept slow on purpose is not a dead one."""
    delivery = get_settings().delivery
    paced = 3 * delivery.batch_size * 60 / delivery.rate_per_minute if delivery.rate_per_minute else 0.0
    return max(delivery.partition_stall_seconds, paced)
