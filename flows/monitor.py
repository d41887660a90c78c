"""The `monitor-deadlines` flow: reminders, escalations and consolidated reports, run on a schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypedDict

from prefect import flow, get_run_logger

from cascade.delivery.kept_connections import keep_connections
from flows.sending import send_queued, send_while_running
from models import utcnow
from models.schema import init_db
from tasks.monitor import (
    PAGES_COMMITTED,
    consolidate_task,
    emit_events_task,
    publish_reports_task,
    take_steps_task,
)
from tasks.status import find_open_directives_task, republish_status_task


class MonitorTotals(TypedDict):
    """What a run did; `cascade monitor` and the bench read it as a dict."""

    steps: int
    consolidated: int
    republished: int  # open directives whose status artifacts got a new version
    sent: int
    bounced: int
    failed: int


def parse_now(now: str | None) -> datetime:
    """An ISO time (a naive one is taken as Vietnam's local time); none means the present."""
    if not now:
        return utcnow()
    moment = datetime.fromisoformat(now)
    if moment.tzinfo is None:
        from cascade.core.workdays import VN_TZ

        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(UTC)


@flow(name="monitor-deadlines", log_prints=False)
def monitor_deadlines(now: str | None = None) -> MonitorTotals:
    """Chase acknowledgements and reports due soon or overdue, consolidate finished cycles, send the emails,
    then republish the status artifacts of the open directives whose figures moved."""
    log = get_run_logger()
    init_db()
    at = parse_now(now)
    with keep_connections():  # the reminders sent as their pages are committed, then the rest, on one set
        taking = take_steps_task.submit(at)
        sent, failed = send_while_running(taking, PAGES_COMMITTED)
        taken = taking.result()
        reports = consolidate_task(at)
        emit_events_task(taken["events"])  # the steps are committed: their events go out even if sending failed
        publish_reports_task(reports)
        if failed is not None:
            raise failed
        sent.add(send_queued())
    # Last, so the figures include what this run sent (a bounce is a unit that will not confirm).
    republished = sum(republish_status_task(batch, at) for batch in find_open_directives_task(at))
    totals: MonitorTotals = {
        "steps": taken["steps"],
        "consolidated": len(reports),
        "republished": republished,
        "sent": sent.sent,
        "bounced": sent.bounced,
        "failed": sent.failed,
    }
    log.info("monitor at %s: %s", at.isoformat(), totals)
    return totals
