"""Tasks of the monitor-deadlines flow: take the ladder's steps, consolidate reports, emit events, publish."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypedDict

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

from cascade.chasing.consolidate import PublishedReport, consolidate_due
from cascade.chasing.escalation_events import EventSpec
from cascade.chasing.ladder import take_steps
from cascade.core.db import session_scope
from cascade.core.failpoints import failpoint
from cascade.core.settings import get_settings
from cascade.core.workdays import work_calendar


class StepsTaken(TypedDict):
    """How many steps were taken, and the events that tell of them."""

    steps: int
    events: list[EventSpec]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a loop that makes many short-lived objects and no cycles: in a
    worker that also holds Prefect's client (and, embedded, its server), each full collection walked a million
    objects, and a national day's 100,000 steps triggered hundreds of them. Reference counting frees each page."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PagesCommitted:
    """Wakes whoever sends the outbox in this process (the monitor flow, while take-escalation-steps runs in a
    thread of its run) each time a page of reminders is committed. Nothing depends on it being heard: what is
    committed is sent by the next look at the outbox, at the latest the one after the task."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def wake(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_beyond(self, seen: int) -> int:
        """Blocks until woken after `seen` wakes; returns the wakes so far."""
        with self._changed:
            self._changed.wait_for(lambda: self._count > seen)
            return self._count


PAGES_COMMITTED = PagesCommitted()


@task(name="take-escalation-steps", retries=2, retry_delay_seconds=2)
def take_steps_task(now: datetime) -> StepsTaken:
    """Every reminder/escalation step now due, once; their emails are queued in the outbox. Each page of plain
    reminders is committed on its own; the steps digests list are committed with their digests, last."""
    # The events, summarised above a few hundred, travel to the next task, not the steps themselves: those
    # (70,544 on a national due day) took seconds to pass from task to task. The events of pages a failed try
    # committed are not in a retry's (their audit rows are).
    settings = get_settings()
    with collector_paused(), session_scope() as session:

        def page_done() -> None:
            session.commit()
            PAGES_COMMITTED.wake()
            # The collector is off for the whole process, and the flow's thread sends meanwhile: its young
            # garbage is collected here (the older generations, a million objects, are left alone).
            gc.collect(1)
            failpoint("after-reminder-page")

        steps = take_steps(session, settings, now, work_calendar(settings), settings.delivery.monitor_page, page_done)
    get_run_logger().info("%d escalation steps taken", len(steps))
    return {"steps": len(steps), "events": steps.events()}


@task(name="consolidate-reports", retries=2, retry_delay_seconds=2)
def consolidate_task(now: datetime) -> list[PublishedReport]:
    """Consolidate every report cycle that is complete or past its deadline, once; the issuers get it by email."""
    with session_scope() as session:
        published = consolidate_due(session, now, work_calendar(get_settings()))
    get_run_logger().info("%d report cycles consolidated", len(published))
    return published


@task(name="emit-escalation-events", retries=2, retry_delay_seconds=2)
def emit_events_task(events: list[EventSpec]) -> int:
    """One event per step taken; one per directive and step when a run takes more than a few hundred."""
    for event in events:
        emit_event(**event)
    return len(events)


@task(name="publish-consolidated-reports", retries=2, retry_delay_seconds=2)
def publish_reports_task(reports: list[PublishedReport]) -> int:
    """One Markdown artifact per consolidated report."""
    for report in reports:
        create_markdown_artifact(markdown=report["markdown"], key=report["key"], description=report["description"])
    return len(reports)
