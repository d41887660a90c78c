"""Tasks of a directive's dispatch; each works on a batch, never on a single unit."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypedDict

from prefect import get_run_logger, task
from prefect.concurrency.sync import concurrency
from prefect.states import State

from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings
from cascade.core.workdays import work_calendar
from cascade.delivery.counts import SendCounts
from cascade.delivery.mailer import send_outbox_batch
from cascade.delivery.relay import RelayError
from cascade.directives.subtasks import create_task_items
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches, owed_notices
from models import Directive


class RenderedBatch(TypedDict):
    added: int
    message_ids: list[int]


@task(name="create-assignments", retries=2, retry_delay_seconds=2)
def create_assignments_task(directive_id: int) -> int:
    """One assignment per recipient not yet assigned, with its deadlines; returns how many were created."""
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        return create_assignments(session, directive, work_calendar())


@task(name="create-task-items", retries=2, retry_delay_seconds=2)
def create_task_items_task(directive_id: int) -> int:
    """Subtasks: one tracked item per act unit and task addressed to it."""
    with session_scope() as session:
        return create_task_items(session, directive_id)


@task(name="plan-notice-batches", retries=2, retry_delay_seconds=2)
def plan_notice_batches_task(directive_id: int) -> list[list[int]]:
    """The assignments whose notices are still to render, in batches of CASCADE_BATCH_SIZE."""
    with session_scope() as session:
        return notice_batches(session, directive_id, get_settings().delivery.batch_size)


@task(name="render-notices", retries=2, retry_delay_seconds=2)
def render_notices_task(directive_id: int, assignment_ids: list[int]) -> RenderedBatch:
    """Render a batch's notices into the outbox; returns how many were added and the ids now owed. A directive
    recalled or replaced while its dispatch runs renders nothing more (its unsent rows were cancelled)."""
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        if directive is not None and directive.closed_at is not None:
            return {"added": 0, "message_ids": []}
        added = enqueue_notices(session, get_settings(), directive_id, assignment_ids)
        return {"added": added, "message_ids": owed_notices(session, assignment_ids)}


@task(name="plan-send-batches", retries=2, retry_delay_seconds=2)
def plan_send_batches_task(directive_id: int | None) -> list[list[int]]:
    """The outbox rows still owed (of a directive, or all of them), in batches of CASCADE_BATCH_SIZE."""
    with session_scope() as session:
        return list(outbox_batches(session, directive_id, get_settings().delivery.batch_size))


def relay_turn(settings: Settings) -> AbstractContextManager[object]:
    """A slot of the Prefect global concurrency limit CASCADE_SMTP_RELAY_LIMIT names, held for the whole send.

    The sender keeps to CASCADE_RATE_PER_MINUTE and CASCADE_SMTP_CONNECTIONS itself, in every process (the CLI,
    a bench, a task). Senders in several workers or processes at once would each keep to them; with a limit of
    1 slot they take turns, so the rate and the connection cap hold for the relay. One API call a batch, not
    one a message. Unset: no limit asked for."""
    name = settings.delivery.smtp_relay_limit
    return concurrency(name, occupy=1, strict=True) if name else nullcontext()


def _worth_retrying(task: object, task_run: object, state: State[Any]) -> bool:
    """A relay that refused us for a setting (the login, TLS, a policy) refuses us again in 2 s: the send stops
    at once with its error. A temporary refusal or outage is retried."""
    try:
        state.result()
    except RelayError as exc:
        return exc.temporary
    except Exception:  # any other failure is retried, as before
        return True
    return True


@task(name="send-batch", retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_worth_retrying)
def send_batch_task(message_ids: list[int]) -> SendCounts:
    """Send one batch over several SMTP connections; a temporary failure stays owed for the next run."""
    settings = get_settings()
    with relay_turn(settings), session_scope() as session:
        counts = send_outbox_batch(session, settings, message_ids)
    get_run_logger().info("batch of %d: %s", len(message_ids), counts.as_dict())
    if counts.failed:
        # Outcomes are committed above; raising makes Prefect retry the batch, which resends only what failed.
        raise TemporaryMailFailure(f"{counts.failed} of {len(message_ids)} messages failed temporarily")
    return counts


def dispatch_processes() -> int:
    """Processes to render and send a directive's batches over (CASCADE_DISPATCH_PROCESSES, default 1)."""
    return get_settings().delivery.dispatch_processes


class TemporaryMailFailure(RuntimeError):
    """Some messages of a batch got a temporary failure (4xx, connection lost)."""
