"""The runs bench.pg_scale measures, each with the CPU every process spent: a bench child (engine_run,
resend_run, monitor_run) with the scratch database's backends and the sink, and the bare sender with the sink."""

from __future__ import annotations

import argparse
import asyncio
import re
from typing import Any

import psycopg

from bench.backend_cpu import BackendCpu
from bench.engine_run import cpu_seconds
from bench.scale import _raw, run_child
from bench.sink import CountingSink

DEFAULT_CONNECTIONS = "4"  # CASCADE_SMTP_CONNECTIONS's default: the bare sender uses as many as the engine


def setting(text: str) -> tuple[str, str]:
    """`NAME=VALUE` of --set, NAME an environment variable's name."""
    name, equals, value = text.partition("=")
    if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise argparse.ArgumentTypeError(f"--set takes NAME=VALUE with NAME an environment variable, not {text!r}")
    return name, value


def bare(sink: CountingSink, message: bytes, count: int, connections: int) -> tuple[float, dict[str, float]]:
    """The bare sender's rate over `count` copies of `message`, on as many connections as the engine's runs, and
    its CPU seconds and the sink's meanwhile."""
    sender_cpu, sink_cpu = cpu_seconds(), sink.cpu_seconds()
    rate = count / asyncio.run(_raw(sink.port, message, count, connections))
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


def cpu_line(cpu: dict[str, float], messages: int, rate: float, what: str) -> float:
    """Print a run's CPU milliseconds per message by process, in all, and the cores it kept busy; returns the
    milliseconds in all."""
    in_all = 1000 * sum(cpu.values()) / messages
    parts = ", ".join(f"{part} {1000 * seconds / messages:.2f}" for part, seconds in cpu.items())
    print(f"  {what}: {parts}; {in_all:.2f} ms in all, {rate * in_all / 1000:.2f} cores busy")
    return in_all
