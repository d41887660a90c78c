"""Child process of bench.pg_scale: the sending alone, on notices already rendered and stored.

`python -m bench.resend_run` (settings from CASCADE_* and PREFECT_*), once bench.pg_scale has marked the
dispatch's notices owed again, runs the `dispatch-pending` flow, which sends what is owed batch by batch over kept
connections, as the dispatch does, with no rendering or storing beside it. Prints JSON: seconds, the flow's totals,
this process's CPU seconds and the ephemeral Prefect server's."""

from __future__ import annotations

import json
import time

from bench.engine_run import cpu_seconds, server_cpu_seconds, warm_up


def main() -> None:
    from flows.dispatch_pending import dispatch_pending

    warm_up()
    cpu, server = cpu_seconds(), server_cpu_seconds()
    started = time.perf_counter()
    totals = dispatch_pending()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "totals": totals, "cpu_seconds": cpu_seconds() - cpu,
                      "server_cpu_seconds": server_cpu_seconds() - server}))  # fmt: skip


if __name__ == "__main__":
    main()
