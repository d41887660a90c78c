"""Child process of bench.pg_scale: runs one `monitor-deadlines` flow on the day a ladder step falls due.

`python -m bench.monitor_run STEP` (before, due, parent or escalate; settings from CASCADE_* and PREFECT_*):
the day is that step's date for the stored directive with the latest acknowledgement deadline, at 10:00 in
Vietnam. Prints JSON: seconds, the flow's totals, peak RSS, its CPU seconds and the ephemeral Prefect server's,
and the largest email queued by kind. With BENCH_PROFILE=FILE set, the run is profiled (cProfile) into
FILE.STEP, to read with `python -m pstats FILE.STEP`."""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import time
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from bench.engine_run import cpu_seconds, server_cpu_seconds, warm_up
from cascade.chasing.ladder import triggers
from cascade.core.db import get_engine
from cascade.core.workdays import VN_TZ, work_calendar
from cascade.directives.reportplan import effective_plan, ladder_for
from models import Assignment, Directive, OutboxBody, OutboxMessage


def step_day(step: str) -> str:
    with Session(get_engine()) as session:
        latest = select(col(Assignment.directive_id), func.max(col(Assignment.ack_due)))
        by_directive = latest.group_by(col(Assignment.directive_id)).order_by(func.max(col(Assignment.ack_due)).desc())
        directive_id, due = session.execute(by_directive).first() or (None, None)
        directive = session.get(Directive, directive_id)
        assert directive is not None and due is not None, "no dispatched directive in the database"
        day = triggers(due, ladder_for(effective_plan(session, directive), directive.urgency), work_calendar())[step]
        assert day is not None, f"no {step} step in this directive's ladder"
        return datetime(day.year, day.month, day.day, 10, tzinfo=VN_TZ).isoformat()


def largest_by_kind() -> dict[str, int]:
    with Session(get_engine()) as session:
        rows = session.execute(
            select(col(OutboxMessage.kind), func.max(func.length(col(OutboxBody.body_html))))
            .join(OutboxBody, col(OutboxBody.message_id) == col(OutboxMessage.id))
            .group_by(col(OutboxMessage.kind))
        ).all()
        return {kind: int(size) for kind, size in rows}


def main() -> None:
    from flows.monitor import monitor_deadlines

    now = step_day(sys.argv[1])
    warm_up()
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    cpu, server = cpu_seconds(), server_cpu_seconds()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    totals = monitor_deadlines(now=now)
    seconds = time.perf_counter() - started
    cpu, server = cpu_seconds() - cpu, server_cpu_seconds() - server
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{sys.argv[1]}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"now": now, "seconds": seconds, "totals": totals, "peak_rss_mib": peak_mib, "cpu_seconds": cpu,
                      "server_cpu_seconds": server, "largest_html": largest_by_kind()}))  # fmt: skip


if __name__ == "__main__":
    main()
