"""Fault bench: a 1,000-unit cascade, killed at a dozen points, with 4xx, 5xx and dropped connections, run twice:
without an adapter (the relay offers no acceptance log) and with one (the relay's JSON-lines log, read back).

    .venv/bin/python -m bench.faults [--units 1000] [--workdir bench-out/faults] [--adapter none|jsonl|both]
                                     [--database-url postgresql://postgres@127.0.0.1:5432/bench] [--json]

Each run below is a fresh dispatching process over the same database; the SMTP server (aiosmtpd, its own
process) keeps running across the kills, except in the run where it is stopped (connection refused). Then it
reruns until nothing is owed. Delivered, duplicated and lost are counted from what the server kept (its maildir,
by Message-ID), which the sender never reads. The guarantee checked (docs/guarantees.md):

- every notice owed is received at least once (lost = 0), with or without an adapter;
- with an adapter, none is received twice (duplicated = 0);
- without one, duplicated ≤ the repeats allowed: for each run that died, at most one per connection among the
  rows it left 'sending' (a connection has one message in flight, which the server may have accepted before
  its journal line), plus one per message whose 250 the server dropped after keeping it (it is tried again).

Exit status 1 if that guarantee does not hold. `--json` prints one JSON line with both runs' figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

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
DONE, OWED = 0, 3  # bench.child's exit codes; anything else is a run that died (-9 killed, 1 aborted)


def run_scenario(scenario: Scenario, quiet: bool) -> dict[str, Any]:
    """The faulty runs, three dispatchers at once and reruns until nothing is owed; the tally and its bound."""

    def show(label: str, code: int, seconds: float | str = "") -> None:
        if not quiet:
            now = scenario.tally()
            secs = f"{seconds:.1f}" if isinstance(seconds, float) else seconds
            print(f"{label:<58} {code:>5} {secs:>5} {now['delivered']:>9} {now['duplicated']:>4}")

    started, interrupted, allowed, holders = time.monotonic(), 0, 0, set()

    def died(code: int) -> None:
        """A run that died: count it, and the repeats it can cause (one per connection with a row in doubt)."""
        nonlocal interrupted, allowed
        if code in (DONE, OWED):
            return
        interrupted += 1
        for holder, rows in scenario.in_doubt().items():
            if holder not in holders:
                holders.add(holder)
                allowed += min(scenario.connections, rows)

    if scenario.database_url.startswith("postgres"):
        _reset_postgres(scenario.database_url)
    scenario.prepare()
    scenario.start_sink()
    try:
        if not quiet:
            print(f"{'run':<58} {'exit':>5} {'secs':>5} {'delivered':>9} {'dup':>4}")
        for label, failpoints, kill_after, server_down in RUNS:
            if server_down:
                scenario.stop_sink()
            t0 = time.monotonic()
            code = scenario.run_child(failpoints, kill_after)
            died(code)
            if server_down:
                scenario.start_sink()
            show(label, code, time.monotonic() - t0)
        codes = scenario.run_side_by_side(3)
        show("three dispatchers at once", max(codes))
        if scenario.database_url.startswith("postgres"):
            for after in (3.0, 5.0):
                code = scenario.run_child(cut_db_after=after)
                died(code)
                show(f"PostgreSQL connections terminated after {after:.0f} s", code)
        for attempt in range(1, 6):
            code = scenario.run_child()
            show(f"rerun {attempt} without faults", code)
            if code == DONE:
                break
        tally: dict[str, Any] = scenario.tally()
    finally:
        scenario.stop_sink()
    dropped = tally["kept, 250 dropped by the server"]
    bound = 0 if scenario.adapter else allowed + dropped
    tally.update({"runs that died": interrupted, "of them, with rows in doubt": len(holders),
                  "duplicates allowed": bound, "seconds": round(time.monotonic() - started)})  # fmt: skip
    owed = max(1, tally["notices owed"])
    tally["duplicated / owed"], tally["lost / owed"] = tally["duplicated"] / owed, tally["lost"] / owed
    tally["holds"] = tally["lost"] == 0 and tally["duplicated"] <= bound
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-out/faults"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--adapter", choices=["none", "jsonl", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print one JSON line with both runs' figures")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    adapters = {"none": [""], "jsonl": ["jsonl"], "both": ["", "jsonl"]}[args.adapter]
    results: dict[str, dict[str, Any]] = {}
    for adapter in adapters:
        name = f"with adapter ({adapter})" if adapter else "without adapter"
        if not args.json:
            print(f"\n{args.units} units, {name}")
        scenario = Scenario(args.workdir / (adapter or "none"), units=args.units, database_url=args.database_url)
        scenario.adapter = adapter
        results[name] = run_scenario(scenario, quiet=args.json)
    if args.json:
        print(json.dumps({"units": args.units, "faulty runs": len(RUNS), "runs": results}, ensure_ascii=False))
    else:
        print(f"\n{args.units} units, {len(RUNS)} faulty runs each; counted from what the SMTP server kept")
        keys = list(next(iter(results.values())))
        print(f"  {'':<34}" + "".join(f"{name:>26}" for name in results))
        for key in keys:
            cells = "".join(f"{_cell(result[key]):>26}" for result in results.values())
            print(f"  {key:<34}{cells}")
    return 0 if all(r["holds"] for r in results.values()) else 1


def _cell(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _reset_postgres(url: str) -> None:
    from sqlmodel import SQLModel

    from cascade.core.db import get_engine
    from models.schema import init_db

    engine = init_db(get_engine(url))
    SQLModel.metadata.drop_all(engine)


if __name__ == "__main__":
    sys.exit(main())
