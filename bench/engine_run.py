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
    started = time.perf_counter()
    totals = cascade_directive(directive_file=sys.argv[1])
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "totals": totals, "peak_rss_mib": peak_kib / 1024}))


if __name__ == "__main__":
    main()
