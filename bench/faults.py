"""Fault bench: a 1,000-unit cascade, killed at a dozen points, with 4xx, 5xx and dropped connections.

    .venv/bin/python -m bench.faults [--units 1000] [--workdir bench-out/faults] [--no-delivery-log]
                                     [--database-url postgresql://postgres@127.0.0.1:5432/bench]

Each run below is a fresh dispatching process over the same database; the SMTP server (aiosmtpd, its own
process) keeps running across the kills, except in the run where it is stopped (connection refused).
Then it reruns until nothing is owed and prints notices owed, delivered, duplicated, lost, bounced and
escalated. With --no-delivery-log the rows left in doubt are resent, which shows where duplicates would
come from without one. Exit status 1 if anything was duplicated or lost.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from bench.scenario import Scenario

# (label, CASCADE_FAILPOINTS, kill from outside after seconds, SMTP server stopped)
RUNS: list[tuple[str, str, float | None, bool]] = [
    ("killed after storing the directive", "after-store@1", None, False),
    ("killed after creating the assignments", "after-assignments@1", None, False),
    ("killed between two render batches", "after-render-batch@2", None, False),
    ("killed after claiming a batch, before MAIL FROM", "after-claim@1", None, False),
    ("killed after 'sending' is committed, before DATA", "before-data@40", None, False),
    ("killed after the 250, before its journal line", "after-accept@60", None, False),
    ("killed after the journal line, before the group's 'sent'", "after-journal@80", None, False),
    ("database lost after the 250 (commit of 'sent' fails)", "after-accept@30:raise", None, False),
    ("killed right after a 'sent' commit", "after-sent@150", None, False),
    ("killed right after a bounce and its escalation", "after-bounced@2", None, False),
    ("killed after a 4xx exhausted the retries", "after-failed@1", None, False),
    ("killed between two send batches", "after-send-batch@1", None, False),
    ("SMTP server down: connection refused", "", None, True),
    ("SIGKILL from outside after 1.5 s", "", 1.5, False),
    ("SIGKILL from outside after 2.5 s", "", 2.5, False),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-out/faults"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-delivery-log", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    scenario = Scenario(args.workdir, units=args.units, database_url=args.database_url)
    scenario.delivery_log = not args.no_delivery_log
    if args.database_url.startswith("postgres"):
        _reset_postgres(args.database_url)
    started = time.monotonic()
    scenario.prepare()
    scenario.start_sink()
    try:
        print(f"{'run':<56} {'exit':>5} {'secs':>5} {'delivered':>9} {'dup':>4}")
        for label, failpoints, kill_after, server_down in RUNS:
            if server_down:
                scenario.stop_sink()
            t0 = time.monotonic()
            code = scenario.run_child(failpoints, kill_after)
            if server_down:
                scenario.start_sink()
            now = scenario.tally()
            print(f"{label:<56} {code:>5} {time.monotonic() - t0:>5.1f} {now['delivered']:>9} {now['duplicated']:>4}")
        codes = scenario.run_side_by_side(3)
        now = scenario.tally()
        print(f"{'three dispatchers at once':<56} {max(codes):>5} {'':>5} {now['delivered']:>9} {now['duplicated']:>4}")
        if scenario.database_url.startswith("postgres"):
            for after in (3.0, 5.0):
                code = scenario.run_child(cut_db_after=after)
                print(f"{f'PostgreSQL connections terminated after {after:.0f} s':<56} {code:>5}")
        for attempt in range(1, 6):
            code = scenario.run_child()
            print(f"{f'rerun {attempt} without faults':<56} {code:>5}")
            if code == 0:
                break
        tally = scenario.tally()
    finally:
        scenario.stop_sink()
    print(f"\n{args.units} units, delivery log {'on' if scenario.delivery_log else 'off'}, "
          f"{len(RUNS)} faulty runs, {time.monotonic() - started:.0f} s in all")  # fmt: skip
    for key, value in tally.items():
        print(f"  {key:<30} {value}")
    return 1 if tally["duplicated"] or tally["lost"] else 0


def _reset_postgres(url: str) -> None:
    from sqlmodel import SQLModel

    from cascade.core.db import get_engine
    from models.schema import init_db

    engine = init_db(get_engine(url))
    SQLModel.metadata.drop_all(engine)


if __name__ == "__main__":
    sys.exit(main())
