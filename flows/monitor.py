"""The `monitor-deadlines` flow: reminders, escalations and consolidated reports, run on a schedule."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger

from models import utcnow
from models.schema import init_db
from tasks.dispatch import plan_send_batches_task, send_batch_task
from tasks.monitor import consolidate_task, emit_events_task, publish_reports_task, take_steps_task


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
def monitor_deadlines(now: str | None = None) -> dict[str, int]:
    """Chase acknowledgements and reports due soon or overdue, consolidate finished cycles, send the emails."""
    log = get_run_logger()
    init_db()
    at = parse_now(now)
    taken = take_steps_task(at)
    reports = consolidate_task(at)
    emit_events_task(taken["events"])
    publish_reports_task(reports)
    totals = {"steps": taken["steps"], "consolidated": len(reports), "sent": 0, "bounced": 0, "failed": 0}
    for batch in plan_send_batches_task(None):
        counts = send_batch_task(batch)
        for key in ("sent", "bounced", "failed"):
            totals[key] += counts.get(key, 0)
    log.info("monitor at %s: %s", at.isoformat(), totals)
    return totals
