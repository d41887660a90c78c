"""The monitor's plain reminders are committed a page at a time and sent while the rest is still being taken.

A take-escalation-steps that fails after its second page (a failpoint that raises, as a lost database
connection would): Prefect retries it two seconds later. What the oracle reads is the mail server's arrivals
and the state history Prefect's API kept of the task run, not the monitor's own account."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlalchemy import func
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.smtp_sink import SmtpSink
from flows.monitor import monitor_deadlines
from models.report import EscalationStep
from tests.test_monitor_streaming import ACKNOWLEDGED, UNITS, day_of, sent_and_partly_acknowledged

PAGE = 4


def retry_started(flow_run_id: object) -> datetime:
    """When Prefect ran take-escalation-steps the second time, by the state history its API kept."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        (take,) = [run for run in runs if run.name.startswith("take-escalation-steps")]
        assert take.run_count == 2
        running = [s for s in client.read_task_run_states(take.id) if s.type.value == "RUNNING"]
    assert len(running) == 2
    return running[1].timestamp


def test_a_page_of_reminders_is_sent_before_the_steps_are_all_taken_and_a_retry_repeats_none(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    due_day = day_of("due", sent_and_partly_acknowledged(settings, tmp_path))
    mailbox.handler.clear()
    monkeypatch.setenv("CASCADE_MONITOR_PAGE", str(PAGE))
    monkeypatch.setenv("CASCADE_FAILPOINTS", "after-reminder-page@2:raise")
    reset_settings()
    state = monitor_deadlines(now=due_day.isoformat(), return_state=True)
    assert state.is_completed()
    chased = sorted(f"u{i}@t.example" for i in range(UNITS) if f"U{i:02d}" not in ACKNOWLEDGED)
    reminders = [m for m in mailbox.messages if str(m.message["X-Cascade-Key"]).startswith("remind:")]
    # Every unit owing its acknowledgement reminded once: the pages the failed try committed were not retaken.
    assert Counter(to for m in reminders for to in m.rcpt_tos) == Counter(chased)
    with session_scope() as session:
        steps = session.exec(select(func.count()).select_from(EscalationStep)).one()
        per_item = session.exec(
            select(func.count())
            .select_from(EscalationStep)
            .group_by(col(EscalationStep.assignment_id), col(EscalationStep.item))
        ).all()
    assert steps == len(chased) and set(per_item) == {1}
    # The failed try's two pages reached the server while the task waited for its retry; the rest after it.
    retry = retry_started(state.state_details.flow_run_id).timestamp()
    assert sorted(m.at < retry for m in reminders) == [False] * (len(chased) - 2 * PAGE) + [True] * (2 * PAGE)
