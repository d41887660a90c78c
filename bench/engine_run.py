"""Child process of bench.scale: runs one `cascade-directive` flow and prints seconds and peak RSS as JSON.

`python -m bench.engine_run DIRECTIVE_FILE` (settings from CASCADE_* and PREFECT_* in the environment)."""

from __future__ import annotations

import json
import resource
import sys
import time

from prefect import flow


@flow(name="bench-warm-up")
def warm_up() -> int:
    """Starts the Prefect API before the timed run."""
    return 1


def main() -> None:
    from flows.cascade_directive import cascade_directive

    warm_up()
    cpu, written = cpu_seconds(), bytes_written()
    started = time.perf_counter()
    totals = cascade_directive(directive_file=sys.argv[1])
    seconds = time.perf_counter() - started
    cpu, written = cpu_seconds() - cpu, bytes_written() - written
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "totals": totals, "peak_rss_mib": peak_mib, "cpu_seconds": cpu,
                      "written_mib": written / 2**20}))  # fmt: skip


def cpu_seconds() -> float:
    """This process's CPU time, every thread (the Prefect server is a process of its own, not counted)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
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
