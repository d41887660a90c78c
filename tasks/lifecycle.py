"""Tasks of a directive's life after launch (cascade/lifecycle): recall, amend, replace, add recipients, each a
thin wrapper of the domain in one transaction, and the artifact of what was sent. The emails go out through
tasks/dispatch.py's send-batch, as every other."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from cascade.core.db import session_scope
from cascade.core.settings import get_settings
from cascade.core.workdays import local_date, work_calendar
from cascade.delivery.counts import SendCounts
from cascade.directives.recipients_file import parse_recipients_file
from cascade.directives.specfile import parse_directive_file
from cascade.lifecycle.add_recipients import add_recipients
from cascade.lifecycle.amend import apply_amendment, plan_amendment
from cascade.lifecycle.recall import recall
from cascade.lifecycle.replace import notify_replaced
from cascade.lifecycle.results import Outcome
from cascade.lifecycle.sent import TITLES, notice_ids, outcome_markdown, sent_rows
from models import utcnow
from tasks.directive import run_title
from tasks.dispatch import send_batch_task


def lifecycle_run_name(kind: str, params: Mapping[str, Any]) -> str:
    """ "Thu hồi văn bản · 31-KH/TU · Tỉnh ủy Lai Châu": the run reads as what it did to which directive."""
    return f"{TITLES[kind]} · {run_title(params)}"


def send_notices(message_ids: list[int]) -> SendCounts:
    """Send these notices, one send-batch task run per CASCADE_BATCH_SIZE of them (called inside a flow)."""
    size, sent = get_settings().delivery.batch_size, SendCounts()
    for start in range(0, len(message_ids), size):
        sent.add(send_batch_task(message_ids=message_ids[start : start + size]))
    return sent


def _log(outcome: Outcome) -> Outcome:
    get_run_logger().info(
        "%s %s: %d notice(s) to send", outcome["kind"], outcome["number"], len(outcome["message_ids"])
    )
    return outcome


@task(name="recall-directive")
def recall_task(number: str, issuer: str, reason: str, actor: str = "cli") -> Outcome:
    """Close the directive and its pass-ons, cancel their unsent mail, queue one recall notice per unit."""
    with session_scope() as session:
        return _log(recall(session, get_settings(), number=number, issuer=issuer, reason=reason, actor=actor))


@task(name="amend-directive")
def amend_task(directive_file: str, reacknowledge: bool, number: str | None, actor: str = "cli") -> Outcome:
    """Store the file as the directive's new version and queue one update notice per unit."""
    settings, calendar = get_settings(), work_calendar()
    spec = parse_directive_file(Path(directive_file))
    with session_scope() as session:
        now = utcnow()
        plan = plan_amendment(session, settings, spec, today=local_date(now), calendar=calendar, number=number,
                              reacknowledge=reacknowledge)  # fmt: skip
        return _log(apply_amendment(session, settings, plan, calendar=calendar, actor=actor, now=now))


@task(name="notify-replaced")
def notify_replaced_task(directive_id: int) -> Outcome:
    """Tell the units of the directive this one replaced (closed when it was stored) what replaced it."""
    with session_scope() as session:
        return _log(notify_replaced(session, get_settings(), directive_id))


@task(name="add-recipients")
def add_recipients_task(number: str, issuer: str, recipients_file: str, actor: str = "cli") -> Outcome:
    """Add the file's recipients (roles, tasks, deadlines from today) to a directive already sent."""
    spec = parse_recipients_file(Path(recipients_file))
    with session_scope() as session:
        return _log(add_recipients(session, number=number, issuer=issuer, spec=spec, calendar=work_calendar(),
                                   actor=actor))  # fmt: skip


@task(name="publish-lifecycle-artifact")
def publish_outcome_task(outcome: Outcome) -> int:
    """A table of every email it sent (unit, address, subject, what became of it) and a summary in words."""
    with session_scope() as session:
        ids = outcome["message_ids"] or notice_ids(session, outcome.get("assignment_ids", []))
        rows = sent_rows(session, ids)
    key = f"directive-{outcome['directive_id']}-{outcome['kind']}"
    title = f"{TITLES[outcome['kind']]} {outcome['number']}"
    if rows:
        create_table_artifact(table=rows, key=key, description=f"{title}: thư đã gửi")
    create_markdown_artifact(markdown=outcome_markdown(outcome, rows), key=f"{key}-summary", description=title)
    return len(rows)
