"""National scale on PostgreSQL (not part of the test suite): the engine's dispatch and three days of the
monitor, against the raw limit of the same sink measured in the same run.

    .venv/bin/python -m bench.pg_scale [--units 70000] [--url postgresql://postgres@127.0.0.1:5432/test] [--json]
                                       [--set NAME=VALUE ...]

A scratch database is created beside `--url`'s (and dropped at the end); the ephemeral Prefect API, the sink
in its own process, 4 SMTP connections. Prints notices/s and their ratio to the raw limit, the same notices sent
again with nothing rendered beside them (bench.resend_run: resend_raw_ratio, the sending alone), then for each
monitor day (due, parent, escalate) its seconds, steps, emails sent, peak RSS and largest email, and the monitor's
ratios to the bare sender sending one of the due day's reminders per reminder of the due day, measured right after
the day it is compared with: monitor_due_ratio (the bare sender's seconds over the due day's, goal >= 0.8) and
monitor_escalate_ratio (the escalate day's seconds over the bare sender's, goal <= 0.15). With --json the last
line is one JSON object of the figures. `--set NAME=VALUE` (repeatable) adds a variable to the environment of the
engine's runs (dispatch, resend and monitor days) and of nothing else: a setting to try, such as
CASCADE_SMTP_CONNECTIONS=8, or libpq's PGOPTIONS."""

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
from sqlalchemy import text
from sqlmodel import Session

from bench.backend_cpu import BackendCpu
from bench.engine_run import cpu_seconds
from bench.scale import PROJECT, SECRET, _raw, child_env, run_child, sample_message_at
from bench.sink import CountingSink
from cascade.core.db import get_engine, normalise_url
from cascade.dev.orggen import generate, shape


def scratch_database(url: str) -> tuple[str, str]:
    """(admin URL, scratch database URL): a fresh database named after this process on the same server."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_pg_scale_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return plain, plain.rsplit("/", 1)[0] + "/" + name


def drop_database(admin: str, scratch: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch.rsplit("/", 1)[1]}" WITH (FORCE)')


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
    admin, url = scratch_database(opts.url)
    try:
        cli = str(Path(sys.executable).with_name("cascade"))
        started = time.perf_counter()
        subprocess.run([cli, "org", "import", str(org)], env={**os.environ, "CASCADE_DATABASE_URL": url}, check=True,
                       capture_output=True)  # fmt: skip
        print(f"bench.pg_scale on {os.cpu_count()} cores: {opts.units:,} grassroots units imported into PostgreSQL "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        figures = measure(url, directive, workdir, admin, dict(opts.settings))
        figures["units"], figures["settings"] = opts.units, dict(opts.settings)
        if opts.json:
            print(json.dumps(figures))
    finally:
        drop_database(admin, url)


def setting(text: str) -> tuple[str, str]:
    """`NAME=VALUE` of --set, NAME an environment variable's name."""
    name, equals, value = text.partition("=")
    if not equals or not name.replace("_", "a").isalnum() or name[0].isdigit():
        raise argparse.ArgumentTypeError(f"--set takes NAME=VALUE with NAME an environment variable, not {text!r}")
    return name, value


def bare(sink: CountingSink, message: bytes, count: int) -> tuple[float, dict[str, float]]:
    """The bare sender's rate over `count` copies of `message`, and its CPU seconds and the sink's meanwhile."""
    sender_cpu, sink_cpu = cpu_seconds(), sink.cpu_seconds()
    rate = count / asyncio.run(_raw(sink.port, message, count, 4))
    return rate, {"sender": cpu_seconds() - sender_cpu, "sink": sink.cpu_seconds() - sink_cpu}


def child_with_cpu(
    module: str, args: list[str], env: dict[str, str], sink: CountingSink, admin: str, url: str
) -> tuple[dict[str, Any], float, float]:
    """Run a bench child (bench.scale.run_child): its JSON, and the CPU seconds the scratch database's backends
    and the sink spent while it ran."""
    sink_cpu = sink.cpu_seconds()
    with BackendCpu(admin, url.rsplit("/", 1)[1]) as backends:
        run = run_child(module, args, env)
    return run, backends.seconds, sink.cpu_seconds() - sink_cpu


def vacuum(url: str) -> None:
    """VACUUM (ANALYZE) the scratch database between two measured runs, so that neither inherits the other's dead
    row versions nor pays for their autovacuum."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def resend(
    env: dict[str, str], sink: CountingSink, message: bytes, workdir: Path, admin: str, url: str, notices: int
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
    raw_rate, raw_cpu = bare(sink, message, 20_000)
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


def cpu_line(cpu: dict[str, float], messages: int, rate: float, what: str) -> float:
    """Print a run's CPU milliseconds per message by process, in all, and the cores it kept busy; returns the
    milliseconds in all."""
    in_all = 1000 * sum(cpu.values()) / messages
    parts = ", ".join(f"{part} {1000 * seconds / messages:.2f}" for part, seconds in cpu.items())
    print(f"  {what}: {parts}; {in_all:.2f} ms in all, {rate * in_all / 1000:.2f} cores busy")
    return in_all


def first_reminder(url: str) -> bytes:
    """One of the due day's reminders as the sender sends it: the bare sender's message on the monitor's days."""
    from cascade.core.settings import Settings, WebSettings
    from cascade.delivery.shared_documents import stored_email

    with Session(get_engine(url)) as session:
        first = session.execute(text("SELECT min(id) FROM outboxmessage WHERE kind = 'reminder'")).scalar_one()
        return stored_email(session, Settings(web=WebSettings(secret_key=SECRET)), first)


def reminders_of(days: dict[str, dict[str, Any]]) -> int:
    """How many reminders the due day sent: the bare sender sends as many after each day it is compared with."""
    return max(1, int(days["due"]["totals"]["sent"]))


def measure(url: str, directive: Path, workdir: Path, admin: str, settings: dict[str, str]) -> dict[str, Any]:
    with CountingSink() as sink:
        env = {**child_env(workdir / "unused.db", sink.port, workdir / "prefect-engine"), "CASCADE_DATABASE_URL": url,
               **settings}  # fmt: skip
        if settings:
            print("engine runs with " + ", ".join(f"{name}={value}" for name, value in settings.items()))
        engine, postgresql_cpu, sink_cpu = child_with_cpu("bench.engine_run", [str(directive)], env, sink, admin, url)
        sent = int(engine["totals"]["sent"])
        engine_cpu = {"dispatch": engine["cpu_seconds"], "prefect_server": engine["server_cpu_seconds"],
                      "postgresql": postgresql_cpu, "sink": sink_cpu}  # fmt: skip
        message = sample_message_at(normalise_url(url))
        get_engine(normalise_url(url)).dispose()  # no connection of this process stays open in the later runs
        asyncio.run(_raw(sink.port, message, 1000, 4))  # warm-up
        raw_rate, raw_cpu = bare(sink, message, 20_000)
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
        figures.update(resend(env, sink, message, workdir, admin, url, sent))
        days: dict[str, dict[str, Any]] = {}
        raw_after: dict[str, float] = {}  # the bare sender right after a day: these machines' speed drifts
        reminder = b""
        for step in ("due", "parent", "escalate"):
            day_env = {**env, "PREFECT_HOME": str(workdir / f"prefect-{step}")}
            day, postgresql_cpu, sink_cpu = child_with_cpu("bench.monitor_run", [step], day_env, sink, admin, url)
            days[step] = day
            totals = day["totals"]
            largest = ", ".join(f"{kind} {size / 1024:.0f} KiB" for kind, size in sorted(day["largest_html"].items()))
            print(f"monitor, {step} day ({day['now'][:10]}): {day['seconds']:.0f} s, {totals['steps']:,} steps, "
                  f"{totals['sent']:,} emails sent, {totals['bounced']} bounced, peak RSS "
                  f"{day['peak_rss_mib']:.0f} MiB; largest HTML body by kind: {largest}")  # fmt: skip
            figures[f"monitor_{step}_seconds"] = day["seconds"]
            figures[f"monitor_{step}_sent"] = totals["sent"]
            figures[f"monitor_{step}_peak_rss_mib"] = day["peak_rss_mib"]
            emails = max(1, totals["sent"])
            cpu = {"monitor": day["cpu_seconds"], "prefect_server": day["server_cpu_seconds"],
                   "postgresql": postgresql_cpu, "sink": sink_cpu}  # fmt: skip
            print("  CPU per email sent: " + ", ".join(f"{part} {1000 * s / emails:.2f} ms" for part, s in cpu.items()))
            figures[f"monitor_{step}_cpu_seconds"] = cpu
            if step in ("due", "escalate"):
                reminder = reminder or first_reminder(normalise_url(url))
                get_engine(normalise_url(url)).dispose()
                bare_rate, bare_cpu = bare(sink, reminder, reminders_of(days))
                raw_after[step] = reminders_of(days) / bare_rate  # seconds
                print(f"  bare sender after it: {raw_after[step]:.1f} s; CPU per email: sender "
                      f"{1000 * bare_cpu['sender'] / reminders_of(days):.2f} ms, sink "
                      f"{1000 * bare_cpu['sink'] / reminders_of(days):.2f}")  # fmt: skip
                figures[f"bare_after_{step}_cpu_seconds"] = bare_cpu
        reminders = days["due"]["totals"]["sent"]
        due_ratio = raw_after["due"] / days["due"]["seconds"]
        escalate_ratio = days["escalate"]["seconds"] / raw_after["escalate"]
        peak = max(day["peak_rss_mib"] for day in days.values())
        print(f"bare sender, {reminders:,} reminders of {len(reminder):,} bytes: {raw_after['due']:.1f} s after the "
              f"due day, {raw_after['escalate']:.1f} s after the escalate day")  # fmt: skip
        print(f"monitor: due day {due_ratio:.2f} of the bare sender's rate (goal >= 0.8), escalate day "
              f"{escalate_ratio:.2f} of its time (goal <= 0.15), peak RSS {peak:.0f} MiB (goal <= 300)")  # fmt: skip
        figures.update(
            monitor_raw_seconds=raw_after["due"],
            monitor_raw_seconds_after_escalate=raw_after["escalate"],
            monitor_due_ratio=due_ratio,
            monitor_escalate_ratio=escalate_ratio,
            monitor_peak_rss_mib=peak,
        )
        return figures


if __name__ == "__main__":
    main()
