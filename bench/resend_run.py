"""Child process of bench.pg_scale: the sending alone, on notices already rendered and stored.

`python -m bench.resend_run` (settings from CASCADE_* and PREFECT_*) marks every notice in the outbox owed again
(a bench's reset: the dispatch before it sent them), then runs the `dispatch-pending` flow, which sends what is
owed batch by batch over kept connections, as the dispatch does, with no rendering or storing beside it. Prints
JSON: seconds, the flow's totals, this process's CPU seconds and the ephemeral Prefect server's."""

from __future__ import annotations

import json
import time

from sqlalchemy import update
from sqlmodel import Session

from bench.engine_run import cpu_seconds, server_cpu_seconds, warm_up
from cascade.core.db import get_engine
from models import MailStatus, OutboxMessage


def main() -> None:
    from flows.dispatch_pending import dispatch_pending

    with Session(get_engine()) as session:
        reset = update(OutboxMessage).where(OutboxMessage.kind == "notice")  # type: ignore[arg-type]
        session.execute(reset.values(status=MailStatus.pending.value, claimed_by=None, sent_at=None))
        session.commit()
    warm_up()
    cpu, server = cpu_seconds(), server_cpu_seconds()
    started = time.perf_counter()
    totals = dispatch_pending()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "totals": totals, "cpu_seconds": cpu_seconds() - cpu,
                      "server_cpu_seconds": server_cpu_seconds() - server}))  # fmt: skip


if __name__ == "__main__":
    main()
