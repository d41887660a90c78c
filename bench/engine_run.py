"""Child process of bench.scale: runs one `cascade-directive` flow and prints seconds and peak RSS as JSON.

`python -m bench.engine_run DIRECTIVE_FILE` (settings from CASCADE_* and PREFECT_* in the environment). With
BENCH_PROFILE=FILE set, the run is profiled (cProfile) into FILE.dispatch, to read with `python -m pstats`."""

from __future__ import annotations

import cProfile
import json
import os
import resource
import sys
import time

from prefect import flow

from cascade.dev import topology


@flow(name="bench-warm-up")
def warm_up() -> int:
    """Starts the Prefect API before the timed run."""
    return 1


def main() -> None:
    from flows.cascade_directive import cascade_directive

    warm_up()
    cpu, written, server = cpu_seconds(), bytes_written(), server_cpu_seconds()
    profile = os.environ.get("BENCH_PROFILE")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    totals = cascade_directive(directive_file=sys.argv[1])
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.dispatch")
    cpu, written, server = cpu_seconds() - cpu, bytes_written() - written, server_cpu_seconds() - server
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "totals": totals, "peak_rss_mib": peak_mib, "cpu_seconds": cpu,
                      "written_mib": written / 2**20, "server_cpu_seconds": server}))  # fmt: skip


def cpu_seconds() -> float:
    """This process's CPU time, every thread (the Prefect server is a process of its own, not counted)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds() -> float:
    """CPU time of this process's children (Linux only): the ephemeral Prefect server it started, and any other.

    Those still running are read from /proc, those gone and waited for from getrusage; the /proc pass is read
    again if a child was waited for meanwhile, so a child that ends between two readings is counted once."""
    while True:
        reaped = _reaped_children_cpu()
        total = reaped + sum(topology.own_cpu_seconds(pid) for pid in topology.children(os.getpid()))
        if _reaped_children_cpu() == reaped:
            return total


def _reaped_children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bytes_written() -> int:
    """Bytes this process has handed to write(): the database, its WAL and the send journal (Linux only)."""
    try:
        with open("/proc/self/io") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))
    except OSError:
        return 0


if __name__ == "__main__":
    main()
