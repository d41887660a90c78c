"""National scale on PostgreSQL (not part of the test suite): the engine's dispatch and three days of the
monitor, against the raw limit of the same sink measured in the same run.

    .venv/bin/python -m bench.pg_scale [--units 70000] [--url postgresql://postgres@127.0.0.1:5432/test] [--json]
                                       [--set NAME=VALUE ...]

A scratch database is created beside `--url`'s (and dropped at the end); the ephemeral Prefect API, the sink
in its own process, 4 SMTP connections (the engine's CASCADE_SMTP_CONNECTIONS; the bare sender uses as many).
Prints notices/s and their ratio to the raw limit, the same notices sent again with nothing rendered beside them
(bench.resend_run: resend_raw_ratio, the sending alone), then for each monitor day (due, parent, escalate) its
seconds, steps, emails sent, peak RSS and largest email, and the monitor's ratios to the bare sender sending one
of the due day's reminders per reminder of the due day, measured right after the day it is compared with:
monitor_due_ratio (the bare sender's seconds over the due day's, goal >= 0.8) and monitor_escalate_ratio (the
escalate day's seconds over the bare sender's, goal <= 0.15). With --json the last line is one JSON object of the
figures. `--set NAME=VALUE` (repeatable) adds a variable to the environment of the engine's runs (dispatch,
resend and monitor days) and of nothing else: a setting to try, such as CASCADE_SMTP_CONNECTIONS=8, or libpq's
PGOPTIONS."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.pg_monitor_days import monitor_days
from bench.pg_runs import DEFAULT_CONNECTIONS, bare, child_with_cpu, cpu_line, setting, vacuum
from bench.scale import PROJECT, _raw, child_env, sample_message_at
from bench.sink import CountingSink
from cascade.core.db import get_engine, normalise_url
from cascade.dev import topology
from cascade.dev.orggen import generate, shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=70_000, help="grassroots units of the tree")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test", help="a PostgreSQL database")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "pg-scale")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    parser.add_argument("--set", dest="settings", action="append", type=setting, default=[], metavar="NAME=VALUE",
                        help="a variable of the engine runs' environment (repeatable)")  # fmt: skip
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    org, directive = workdir / "org.yaml", workdir / "directive.yaml"
    generate(org, shape(opts.units), directive)
    admin = opts.url.replace("postgresql+psycopg://", "postgresql://")
    with topology.scratch_database(admin, f"bench_pg_scale_{os.getpid()}") as url:
        cli = str(Path(sys.executable).with_name("cascade"))
        started = time.perf_counter()
        subprocess.run([cli, "org", "import", str(org)], env={**os.environ, "CASCADE_DATABASE_URL": url}, check=True,
                       capture_output=True)  # fmt: skip
        print(f"bench.pg_scale on {os.cpu_count()} cores: {opts.units:,} grassroots units imported into PostgreSQL "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        settings = dict(opts.settings)
        figures = measure(url, directive, workdir, admin, settings)
        figures["units"], figures["settings"] = opts.units, settings
        if opts.json:
            print(json.dumps(figures))


def resend(
    env: dict[str, str],
    sink: CountingSink,
    message: bytes,
    workdir: Path,
    admin: str,
    url: str,
    notices: int,
    connections: int,
) -> dict[str, Any]:
    """The same notices sent again with nothing rendered beside them (bench.resend_run), against the bare sender
    right after: how far the sending alone is from the raw limit. The notices are marked owed again here, and the
    database vacuumed before and after, outside the measured run."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE outboxmessage SET status = 'pending', claimed_by = NULL, sent_at = NULL WHERE kind = 'notice'"
        )
    vacuum(url)
    resend_env = {**env, "PREFECT_HOME": str(workdir / "prefect-resend")}
    run, postgresql_cpu, sink_cpu = child_with_cpu("bench.resend_run", [], resend_env, sink, admin, url)
    sent = int(run["totals"]["other_messages"])
    if sent != notices:
        raise RuntimeError(f"the resend sent {sent:,} messages, not the dispatch's {notices:,} notices")
    raw_rate, raw_cpu = bare(sink, message, 20_000, connections)
    vacuum(url)
    rate = sent / run["seconds"]
    cpu = {"sender": run["cpu_seconds"], "prefect_server": run["server_cpu_seconds"], "postgresql": postgresql_cpu,
           "sink": sink_cpu}  # fmt: skip
    print(f"the same {sent:,} notices sent again, nothing rendered beside: {rate:8.0f}/s in {run['seconds']:.0f} s, "
          f"{rate / raw_rate:.2f} of the bare sender's {raw_rate:.0f}/s right after")  # fmt: skip
    cpu_line(cpu, sent, rate, "CPU per notice")
    cpu_line(raw_cpu, 20_000, raw_rate, "the bare sender's CPU per message")
    return {"resend_rate": rate, "resend_raw_rate": raw_rate, "resend_raw_ratio": rate / raw_rate,
            "resend_cpu_seconds": cpu, "resend_raw_cpu_seconds": raw_cpu}  # fmt: skip


def measure(url: str, directive: Path, workdir: Path, admin: str, settings: dict[str, str]) -> dict[str, Any]:
    with CountingSink() as sink:
        env = {**child_env(workdir / "unused.db", sink.port, workdir / "prefect-engine"), "CASCADE_DATABASE_URL": url,
               **settings}  # fmt: skip
        connections = int(settings.get("CASCADE_SMTP_CONNECTIONS", DEFAULT_CONNECTIONS))
        if settings:
            print("engine runs with " + ", ".join(f"{name}={value}" for name, value in settings.items()))
        engine, postgresql_cpu, sink_cpu = child_with_cpu("bench.engine_run", [str(directive)], env, sink, admin, url)
        sent = int(engine["totals"]["sent"])
        engine_cpu = {"dispatch": engine["cpu_seconds"], "prefect_server": engine["server_cpu_seconds"],
                      "postgresql": postgresql_cpu, "sink": sink_cpu}  # fmt: skip
        message = sample_message_at(normalise_url(url))
        get_engine(normalise_url(url)).dispose()  # no connection of this process stays open in the later runs
        asyncio.run(_raw(sink.port, message, 1000, connections))  # warm-up
        raw_rate, raw_cpu = bare(sink, message, 20_000, connections)
        rate = sent / engine["seconds"]
        print(f"raw limit (bare aiosmtplib, {len(message):,}-byte notice): {raw_rate:8.0f} msg/s")
        print(f"engine on PostgreSQL, {sent:,} notices: {rate:8.0f} notices/s in {engine['seconds']:.0f} s")
        print(f"  ratio to the raw limit {rate / raw_rate:.2f}; peak RSS {engine['peak_rss_mib']:.0f} MiB")
        cpu_line(engine_cpu, sent, rate, "CPU per notice, every process")
        cpu_line(raw_cpu, 20_000, raw_rate, "the bare sender's CPU per message")
        figures: dict[str, Any] = {
            "raw_rate": raw_rate,
            "engine_rate": rate,
            "engine_seconds": engine["seconds"],
            "notices": sent,
            "pg_raw_ratio": rate / raw_rate,
            "engine_cpu_seconds": engine_cpu,
            "raw_cpu_seconds": raw_cpu,
        }
        figures.update(resend(env, sink, message, workdir, admin, url, sent, connections))
        figures.update(monitor_days(env, sink, workdir, admin, url, connections))
        return figures


if __name__ == "__main__":
    main()
