"""The `cascade-directive` flow: stores a directive (from a file) and dispatches it to its recipients."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.directives.directivefile import check_units, parse_directive
from cascade.directives.store import store_directive
from cascade.replies.passon import mark_dispatched
from cascade.status.tree import find_directive
from models import Directive, Unit
from models.schema import init_db
from tasks.dispatch import (
    create_assignments_task,
    create_task_items_task,
    plan_notice_batches_task,
    plan_send_batches_task,
    render_notices_task,
    send_batch_task,
)
from tasks.status import publish_status_task

R = TypeVar("R")


def run_name() -> str:
    """'252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu': the run reads as the directive it carries."""
    params = flow_run.parameters or {}
    try:
        with session_scope() as session:
            if params.get("directive_id"):
                directive = session.get(Directive, params["directive_id"])
            elif params.get("number"):
                directive = find_directive(session, params["number"], params.get("issuer"))
            else:
                directive = None
            if directive is not None:
                issuer = session.get(Unit, directive.issuer_id)
                return f"{directive.number} · {issuer.name if issuer else ''}"
            if params.get("directive_file"):  # not stored yet: the number and issuer as the file gives them
                spec = parse_directive(Path(str(params["directive_file"])))
                unit = session.exec(select(Unit).where(Unit.code == spec.issuer)).first()
                return f"{spec.number} · {unit.name if unit else spec.issuer}"
    except Exception:  # noqa: BLE001 - a name is cosmetic; the flow reports real errors itself
        pass
    if params.get("directive_file"):
        return f"{Path(str(params['directive_file'])).name}"
    return "cascade-directive"


@task(name="store-directive")
def store_directive_task(directive_file: str) -> int:
    spec = parse_directive(Path(directive_file))
    with session_scope() as session:
        directive, created = store_directive(session, spec)
        get_run_logger().info("%s %s", "stored" if created else "resuming", directive.number)
        assert directive.id is not None
        return directive.id


@task(name="find-directive")
def find_directive_task(number: str, issuer: str | None) -> int:
    with session_scope() as session:
        directive = find_directive(session, number, issuer)
        assert directive.id is not None
        return directive.id


@task(name="check-directive")
def check_directive_task(directive_file: str) -> int:
    """Validate a directive file against the tree and publish its recipients; stores and sends nothing."""
    spec = parse_directive(Path(directive_file))
    with session_scope() as session:
        units = check_units(session, spec)
    lines = [f"| {code} | {units[code].name} | {role} |" for code, role in spec.recipients]
    create_markdown_artifact(
        key="dry-run",
        markdown=f"## {spec.number} (dry run)\n\n{spec.summary}\n\n| unit | name | role |\n|---|---|---|\n"
        + "\n".join(lines),
        description=f"{spec.number}: recipients, nothing sent",
    )
    return len(spec.recipients)


@task(name="mark-dispatched")
def mark_dispatched_task(directive_id: int) -> None:
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        if directive is not None:
            mark_dispatched(session, directive)


# CASCADE_DISPATCH_PROCESSES > 1 renders, then sends, the batches over a bounded pool of processes, for machines
# with cores to spare. On the 2-core machine it was measured on it did not pay (10,000 units: 180 notices/s in
# two processes, 333 in one, before the pipeline below), hence 1: one process, render and send overlapping.
PARALLEL_FROM_BATCHES = 4


def run_batches(batch_task: Task[..., R], calls: list[dict[str, Any]]) -> list[R]:
    """Run one task per batch: in order in this process, or over a bounded process pool when configured."""
    workers = min(len(calls), int(os.environ.get("CASCADE_DISPATCH_PROCESSES") or 1))
    if workers <= 1 or len(calls) < PARALLEL_FROM_BATCHES:
        return [batch_task(**params) for params in calls]
    with ProcessPoolTaskRunner(max_workers=workers) as runner:
        futures = [runner.submit(batch_task, parameters=params) for params in calls]
        return [future.result() for future in futures]


def render_and_send(directive_id: int, batches: list[list[int]], totals: dict[str, int]) -> None:
    """Send each batch while the next one renders in a worker thread: rendering is CPU, sending waits on the
    mail server much of the time, and the two overlap in one process (measured: see README, National scale)."""
    if not batches:
        return
    rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=batches[0])
    for following in [*batches[1:], None]:
        rendered = rendering.result()
        if following is not None:
            rendering = render_notices_task.submit(directive_id=directive_id, assignment_ids=following)
        totals["rendered"] += rendered["added"]
        if rendered["message_ids"]:
            add_counts(totals, send_batch_task(message_ids=rendered["message_ids"]))


def add_counts(totals: dict[str, int], counts: dict[str, int]) -> None:
    for key in ("sent", "bounced", "failed"):
        totals[key] += counts.get(key, 0)


@flow(name="cascade-directive", flow_run_name=run_name, log_prints=False)
def cascade_directive(
    directive_file: str | None = None,
    number: str | None = None,
    issuer: str | None = None,
    directive_id: int | None = None,
    dry_run: bool = False,
) -> dict[str, int]:
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
    totals = {"assignments": created, "rendered": 0, "sent": 0, "bounced": 0, "failed": 0}
    batches = plan_notice_batches_task(directive_id)
    if int(os.environ.get("CASCADE_DISPATCH_PROCESSES") or 1) > 1 and len(batches) >= PARALLEL_FROM_BATCHES:
        totals["rendered"] = sum(r["added"] for r in run_batches(render_notices_task, [
            {"directive_id": directive_id, "assignment_ids": b} for b in batches]))  # fmt: skip
    else:
        render_and_send(directive_id, batches, totals)
    # Whatever is still owed: all of it on a process pool, else a rerun's leftovers and bounce escalations.
    for counts in run_batches(send_batch_task, [{"message_ids": b} for b in plan_send_batches_task(directive_id)]):
        add_counts(totals, counts)
    mark_dispatched_task(directive_id)
    publish_status_task(directive_id)
    log.info("directive %s: %s", directive_id, totals)
    return totals
