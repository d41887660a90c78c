"""The dispatching process the fault bench kills: the cascade-directive flow's steps as plain functions.

It runs the same functions as the Prefect tasks (tasks/dispatch.py) in the same order, committing after
each step as the tasks do, with failpoints between the steps. Exit 0: nothing owed; 3: some still owed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session

from cascade.core.db import get_engine
from cascade.core.failpoints import FailpointError, failpoint
from cascade.core.settings import get_settings
from cascade.core.workdays import WorkCalendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches
from models.schema import init_db


def main(directive_file: Path) -> int:
    settings = get_settings()
    engine = init_db(get_engine(settings.database_url))
    with Session(engine, expire_on_commit=False) as session:
        directive, _ = store_directive(session, parse_directive(directive_file))
        session.commit()
        assert directive.id is not None
        failpoint("after-store")
        create_assignments(session, directive, WorkCalendar())
        session.commit()
        failpoint("after-assignments")
        for batch in notice_batches(session, directive.id, settings.delivery.batch_size):
            enqueue_notices(session, settings, directive.id, batch)
            session.commit()
            failpoint("after-render-batch")
        failed = 0
        for ids in list(outbox_batches(session, directive.id, settings.delivery.batch_size)):
            counts = send_outbox_batch(session, settings, ids)
            session.commit()
            failed += counts.failed
            failpoint("after-send-batch")
    return 3 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(Path(sys.argv[1])))
    except FailpointError as exc:  # the simulated lost database: the process dies with an error, not a kill
        print(f"dispatch aborted: {exc}", file=sys.stderr)
        sys.exit(1)
