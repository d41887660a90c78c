"""Child process of bench.scale: the naive design, one Prefect task per unit (render, store and send its notice).

`python -m bench.naive DIRECTIVE_FILE` prints seconds and notices sent as JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from prefect import flow, task
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import get_settings
from cascade.core.workdays import WorkCalendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices
from models import Assignment, OutboxMessage
from models.schema import init_db


@task(name="notify-one-unit", retries=2)
def notify_one(directive_id: int, assignment_id: int) -> int:
    settings = get_settings()
    with session_scope() as session:
        enqueue_notices(session, settings, directive_id, [assignment_id])
        session.commit()
        query = select(OutboxMessage.id).where(OutboxMessage.assignment_id == assignment_id)
        message_id = session.exec(query).one()
        assert message_id is not None
        return send_outbox_batch(session, settings, [message_id]).sent


@flow(name="naive-cascade")
def naive_cascade(directive_file: str) -> int:
    """One task per unit: what the engine's batches replace."""
    init_db()
    with session_scope() as session:
        directive, _ = store_directive(session, parse_directive(Path(directive_file)))
        create_assignments(session, directive, WorkCalendar())
        directive_id = directive.id
        ids = list(session.exec(select(Assignment.id).where(Assignment.directive_id == directive_id)).all())
    assert directive_id is not None
    return sum(notify_one(directive_id, i) for i in sorted(col_id for col_id in ids if col_id is not None))


@flow(name="bench-warm-up")
def warm_up() -> int:
    """Starts the Prefect API before the timed run."""
    return 1


if __name__ == "__main__":
    warm_up()
    started = time.perf_counter()
    sent = naive_cascade(sys.argv[1])
    print(json.dumps({"seconds": time.perf_counter() - started, "sent": sent}))
