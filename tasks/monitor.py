"""Tasks of the monitor-deadlines flow: take the ladder's steps, consolidate reports, emit events, publish."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

from cascade.consolidate import consolidate_due
from cascade.db import session_scope
from cascade.ladder import take_steps
from cascade.settings import get_settings
from cascade.workdays import work_calendar


@task(name="take-escalation-steps", retries=2, retry_delay_seconds=2)
def take_steps_task(now: datetime) -> list[dict[str, Any]]:
    """Every reminder/escalation step now due, once; their emails are queued in the outbox (one commit)."""
    settings = get_settings()
    with session_scope() as session:
        steps = take_steps(session, settings, now, work_calendar(settings))
    get_run_logger().info("%d escalation steps taken", len(steps))
    return steps


@task(name="consolidate-reports", retries=2, retry_delay_seconds=2)
def consolidate_task(now: datetime) -> list[dict[str, Any]]:
    with session_scope() as session:
        published = consolidate_due(session, now, work_calendar(get_settings()))
    get_run_logger().info("%d report cycles consolidated", len(published))
    return published


@task(name="emit-escalation-events", retries=2, retry_delay_seconds=2)
def emit_events_task(steps: list[dict[str, Any]]) -> int:
    for step in steps:
        emit_event(
            event=step["event"],
            resource={"prefect.resource.id": f"cascade.assignment.{step['assignment_id']}", "unit": step["unit"]},
            related=[
                {
                    "prefect.resource.id": f"cascade.directive.{step['directive_id']}",
                    "prefect.resource.role": "directive",
                    "prefect.resource.name": step["number"],
                }
            ],
            payload=step,
        )
    return len(steps)


@task(name="publish-consolidated-reports", retries=2, retry_delay_seconds=2)
def publish_reports_task(reports: list[dict[str, Any]]) -> int:
    for report in reports:
        create_markdown_artifact(markdown=report["markdown"], key=report["key"], description=report["description"])
    return len(reports)
