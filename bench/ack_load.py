"""Acknowledgement POSTs alone, on a tree of any size, without sending a single email:

    .venv/bin/python -m bench.ack_load [--units 20000] [--acks 2000] [--rounds 3] [--code DIR ...] [--without PARTS ...]
        [--passon-dispatch now] [--json]

The directive is stored and its assignments created with the plain functions (no Prefect, no SMTP); then
the app (from this checkout, or from each `--code DIR`, e.g. a `git worktree` of an older commit) and the
bare endpoint answer the same number of POSTs, each on a fresh copy of the database, one after the other, in
`--rounds` rounds: on a shared machine only figures taken in the same run compare, and the ratio printed is the
median of the rounds' ratios (bench.acks.paired_ratio). The app runs with CASCADE_PASSON_DISPATCH=schedule
unless `--passon-dispatch now` is given: with `now` the app process also dispatches, in the background, the
implementing directives of the forward-mode units among those acknowledging (about one in a hundred here).

The bare endpoint parses a form and answers a fixed page: it verifies no signature and writes nothing, where the
app checks the link's and the CSRF token's signatures and commits three rows (acknowledgement, status, audit)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
from pathlib import Path

from sqlalchemy import text

from bench.ack_parts import PARTS, check_parts
from bench.acks import bare_load, paired_ratio, post_all, serve, server_args, urls_for
from bench.scale import PROJECT, ack_urls, child_env, prepare


def launch(db: Path, directive_file: Path) -> int:
    """Store the directive and create its assignments; returns how many there are."""
    from cascade.core.db import get_engine, session_scope
    from cascade.core.workdays import WorkCalendar
    from cascade.directives.directivefile import parse_directive
    from cascade.directives.store import store_directive
    from cascade.dispatch.notices import create_assignments
    from models.schema import init_db

    engine = init_db(get_engine(f"sqlite:///{db}"))
    with session_scope(engine) as session:
        directive, _ = store_directive(session, parse_directive(directive_file))
        create_assignments(session, directive, WorkCalendar())
    with engine.connect() as conn:
        count: int = conn.execute(text("SELECT count(*) FROM assignment")).scalar_one()
    engine.dispose()
    return count


def launched_tree(workdir: Path, units: int) -> tuple[Path, int]:
    """A fresh `workdir` holding a tree of `units` grassroots units with the directive stored and its
    assignments created (the pristine database every run copies), and how many assignments there are."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    _, directive, pristine = prepare(workdir, "acks", units)
    return pristine, launch(pristine, directive)


def app_rate(
    pristine: Path, workdir: Path, code: Path, count: int, passon_dispatch: str = "schedule", without: str = ""
) -> float:
    """POSTs per second answered 200 by the app run from `code` (with the parts `without` names replaced,
    bench/ack_parts.py), on a fresh copy of the database."""
    db = workdir / "run.db"
    for stale in workdir.glob("run.db*"):
        stale.unlink()
    shutil.copy(pristine, db)
    env = {**child_env(db, 0, workdir / "prefect"), "PYTHONPATH": str(code), "CASCADE_PASSON_DISPATCH": passon_dispatch,
           "BENCH_ACK_WITHOUT": without}  # fmt: skip
    args, port = server_args("app")
    here = Path.cwd()
    os.chdir(code)  # `python -m bench.acks` imports the app from the working directory first
    try:
        with serve(args, port, env) as base:
            urls = ack_urls(db, base, urls_for(count) + 1)  # the first for the form page
            posted = post_all(urls[1:], form_page=urls[0].removesuffix("/ack"))
    finally:
        os.chdir(here)
    print(f"  app from {_label(code, without)}: {posted.rate:6.0f}/s ({posted.ok} of {posted.answers} answered 200;"
          f" wrk's CPU {posted.client_cpu:.0%} of a core)")  # fmt: skip
    return posted.rate


def _label(code: Path, without: str) -> str:
    return f"{code}" + (f" without {without}" if without else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=20_000, help="grassroots units of the tree")
    parser.add_argument("--acks", type=int, default=2_000, help="acknowledgement POSTs to time")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of app and bare POSTs (their median)")
    parser.add_argument("--code", type=Path, action="append", help="checkouts to serve the app from (default: this)")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "acks")
    parser.add_argument(
        "--passon-dispatch",
        choices=["schedule", "now"],
        default="schedule",
        help="CASCADE_PASSON_DISPATCH of the app (now: forward-mode pass-ons dispatched meanwhile)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        help=f"also serve this checkout's app with these parts replaced, comma-separated ({', '.join(PARTS)})",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    for parts in opts.without:
        try:
            check_parts(parts.split(","))
        except ValueError as exc:
            parser.error(f"--without {parts}: {exc}")
    workdir = opts.workdir.resolve()
    pristine, assignments = launched_tree(workdir, opts.units)
    print(f"  {assignments:,} assignments")
    variants = [(code.resolve(), "") for code in opts.code or [PROJECT]] + [(PROJECT, parts) for parts in opts.without]
    env = child_env(pristine, 0, workdir / "prefect")
    rates: dict[tuple[Path, str], list[float]] = {variant: [] for variant in variants}
    bares: list[float] = []
    for round_ in range(opts.rounds):
        print(f"round {round_ + 1} of {opts.rounds}")
        for code, without in variants:
            rates[code, without].append(app_rate(pristine, workdir, code, opts.acks, opts.passon_dispatch, without))
        bare = bare_load(env, opts.acks)
        bares.append(bare.rate)
        print(f"  bare FastAPI endpoint: {bare.rate:6.0f}/s (wrk's CPU {bare.client_cpu:.0%} of a core)")
    ratios = {variant: paired_ratio(rates[variant], bares) for variant in variants}
    for (code, without), ratio in ratios.items():
        seconds = 1000 / statistics.median(rates[code, without])
        label, runs = _label(code, without), opts.rounds
        print(f"app/bare from {label}: {ratio:.2f} (median of {runs} rounds; {seconds:.2f} ms a POST)")
    print(f"bare endpoint: {1000 / statistics.median(bares):.2f} ms a POST; goal app/bare ≥ 0.8")
    if opts.json:
        first = variants[0]
        figures = {
            "ack_ratio": round(ratios[first], 3),
            "app_rate": round(statistics.median(rates[first]), 1),
            "bare_rate": round(statistics.median(bares), 1),
        }
        extra = {"units": opts.units, "acks": opts.acks, "rounds": opts.rounds, "passon_dispatch": opts.passon_dispatch}
        print(json.dumps({**figures, **extra}))


if __name__ == "__main__":
    main()
