"""Acknowledgement POSTs alone, on a tree of any size, without sending a single email:

    .venv/bin/python -m bench.ack_load [--units 20000] [--acks 2000] [--code DIR ...]

The directive is stored and its assignments created with the plain functions (no Prefect, no SMTP); then
the app (from this checkout, or from each `--code DIR`, e.g. a `git worktree` of an older commit) and the
bare endpoint answer the same number of POSTs, each on a fresh copy of the database, one after the other:
on a shared machine only figures taken in the same run compare."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from sqlalchemy import text

from bench.acks import post_all, serve, server_args
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


def app_rate(pristine: Path, workdir: Path, code: Path, count: int) -> float:
    """POSTs per second answered 200 by the app run from `code`, on a fresh copy of the database."""
    db = workdir / "run.db"
    for stale in workdir.glob("run.db*"):
        stale.unlink()
    shutil.copy(pristine, db)
    env = {**child_env(db, 0, workdir / "prefect"), "PYTHONPATH": str(code)}
    args, port = server_args("app")
    here = Path.cwd()
    os.chdir(code)  # `python -m bench.acks` imports the app from the working directory first
    try:
        with serve(args, port, env) as base:
            urls = ack_urls(db, base, count + 1)
            seconds, ok = post_all(urls[1:], form_page=urls[0].removesuffix("/ack"))
    finally:
        os.chdir(here)
    print(f"  app from {code}: {ok / seconds:6.0f}/s ({ok} of {count} answered 200)")
    return ok / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=20_000, help="grassroots units of the tree")
    parser.add_argument("--acks", type=int, default=2_000, help="acknowledgement POSTs to time")
    parser.add_argument("--code", type=Path, action="append", help="checkouts to serve the app from (default: this)")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "acks")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    _, directive, pristine = prepare(workdir, "acks", opts.units)
    print(f"  {launch(pristine, directive):,} assignments")
    rates = {code: app_rate(pristine, workdir, code.resolve(), opts.acks) for code in opts.code or [PROJECT]}
    args, port = server_args("bare")
    with serve(args, port, child_env(pristine, 0, workdir / "prefect")) as base:
        seconds, ok = post_all([f"{base}/u/t{i}/ack" for i in range(opts.acks)])
    bare = ok / seconds
    print(f"  bare FastAPI endpoint: {bare:6.0f}/s")
    for code, rate in rates.items():
        print(f"app/bare from {code}: {rate / bare:.2f} (goal ≥ 0.3)")


if __name__ == "__main__":
    main()
