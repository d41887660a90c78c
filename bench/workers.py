"""One directive over one worker, then over two, in the production topology; the CPU each part of it costs.

    .venv/bin/python -m bench.workers [--units 100000] [--partition-size 20000] [--slots 1] [--json]

`prefect server` on a scratch PostgreSQL database, `prefect deploy --all` of prefect.yaml, the national shape
(cascade.dev.orggen, as bench.pg_scale) imported into a scratch project database, the counting SMTP sink in its
own process, and a `cascade-directive` deployment run of the confederation's directive to every unit, cut into
partitions of `--partition-size` recipients. Once with one process worker, then (a fresh project database, the
its own server) with two. A worker stands for one machine that sends `--slots` partitions at a time: the worker that
takes the parent run has one more slot, for the parent, which only waits. Rate = notices sent / seconds of the
parent run; workers_ratio = two_worker_rate / one_worker_rate.

CPU seconds per notice, for a model of N workers: each worker's process tree (the worker and the flow-run
processes it started), the Prefect server's process tree, and the PostgreSQL backends of the project's database
(sampled while the run lasts). With --json the last line is one JSON object of the figures."""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.backend_cpu import BackendCpu
from bench.sink import CountingSink
from cascade.dev import topology
from cascade.dev.orggen import generate, shape

PROJECT = topology.PROJECT
DIRECTIVE_RUN = "cascade-directive/cascade-directive"


def parent_run(api: str, earlier: int, state: str) -> dict[str, Any] | None:
    """The cascade-directive run after the `earlier` ones, once in `state` (None before)."""
    runs = topology.flow_runs(api, "cascade-directive")[earlier:]
    if runs and runs[-1]["state_type"] in ("FAILED", "CRASHED", "CANCELLED"):
        raise RuntimeError(f"the cascade-directive run ended {runs[-1]['state_type']}")
    return runs[-1] if runs and runs[-1]["state_type"] == state else None


def dispatch(opts: argparse.Namespace, server: topology.PrefectServer, workdir: Path, workers: int,
             sink: CountingSink) -> dict[str, Any]:  # fmt: skip
    """Import the tree into a fresh project database and dispatch its directive with `workers` workers."""
    org, directive = workdir / "org.yaml", workdir / "directive.yaml"
    name = f"bench_workers_project_{workers}"
    logs = workdir / f"{workers}-worker"
    logs.mkdir()
    with topology.scratch_database(opts.url, name) as url:
        more = {"CASCADE_PARTITION_SIZE": str(opts.partition_size)}
        cascade = topology.cascade_settings(url, sink.port, topology.free_port(), logs / "data", **more)
        procs = server.processes(logs, **cascade)
        try:
            procs.run(topology.CASCADE, "org", "import", str(org), timeout=1800)
            first = server.start_workers(procs, ["w-1"], "--limit", str(opts.slots + 1))  # the parent's slot too
            before, server_before = sink.count, topology.cpu_seconds(server.pid)
            with BackendCpu(opts.url, name) as backends:
                run = (topology.PREFECT, "deployment", "run", DIRECTIVE_RUN, "--param", f"directive_file={directive}")
                earlier = len(topology.flow_runs(server.api, "cascade-directive"))
                procs.run(*run)
                # The parent first, on w-1: then the second worker, if any, takes only partitions.
                topology.wait_until(lambda: parent_run(server.api, earlier, "RUNNING"), "the parent run", 120)
                others = [server.start_workers(procs, [f"w-{n}"], "--limit", str(opts.slots))[0]
                          for n in range(2, workers + 1)]  # fmt: skip
                ended = topology.wait_until(lambda: parent_run(server.api, earlier, "COMPLETED"), "its end", 7200)
                time.sleep(1)  # the flow-run processes reaped, their CPU time in their worker's
                cpu = [topology.cpu_seconds(w.pid) for w in [*first, *others]]
            server_cpu = topology.cpu_seconds(server.pid) - server_before
        finally:
            procs.stop()
    runs_on = {log.stem: log.read_text(errors="replace").count("submitting flow run") for log in logs.glob("w-*.log")}
    seconds = (datetime.fromisoformat(ended["end_time"]) - datetime.fromisoformat(ended["start_time"])).total_seconds()
    sent = sink.count - before
    return {"sent": sent, "seconds": seconds, "rate": sent / seconds, "worker_cpu_s": cpu,
            "server_cpu_s": server_cpu, "db_cpu_s": backends.seconds,
            "runs_by_worker": runs_on}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100_000, help="grassroots units of the national shape")
    parser.add_argument("--partition-size", type=int, default=20_000, help="recipients per partition")
    parser.add_argument("--slots", type=int, default=1, help="partitions a worker runs at a time")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test", help="a PostgreSQL database")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "workers")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    generate(workdir / "org.yaml", shape(opts.units), workdir / "directive.yaml")
    runs: dict[int, dict[str, Any]] = {}
    with CountingSink() as sink:
        for workers in (1, 2):
            # A Prefect server of its own each time: the partitions' idempotency keys (directive id, assignment ids)
            # of the fresh project database are those of the last one's, which the server would answer with.
            with (
                topology.scratch_database(opts.url, f"bench_workers_prefect_{workers}") as prefect_url,
                topology.prefect_server(prefect_url, workdir / f"prefect-{workers}") as server,
            ):
                runs[workers] = r = dispatch(opts, server, workdir, workers, sink)
            print(f"{workers} worker(s): {r['sent']:,} notices in {r['seconds']:.1f} s = {r['rate']:.0f}/s; CPU s: "
                  f"workers {', '.join(f'{c:.1f}' for c in r['worker_cpu_s'])}, Prefect server "
                  f"{r['server_cpu_s']:.1f}, PostgreSQL backends {r['db_cpu_s']:.1f}; flow runs by worker "
                  f"{r['runs_by_worker']}", flush=True)  # fmt: skip
    one, two = runs[1], runs[2]
    both = one["sent"] + two["sent"]
    figures = {
        "units": opts.units,
        "partition_size": opts.partition_size,
        "one_worker_rate": one["rate"],
        "two_worker_rate": two["rate"],
        "workers_ratio": two["rate"] / one["rate"],
        "notices": two["sent"],
        "one_worker_seconds": one["seconds"],
        "two_worker_seconds": two["seconds"],
        "one_worker_cpu_s": one["worker_cpu_s"],
        "two_worker_cpu_s": two["worker_cpu_s"],
        "server_cpu_s": [one["server_cpu_s"], two["server_cpu_s"]],
        "db_cpu_s": [one["db_cpu_s"], two["db_cpu_s"]],
        # per notice, over both runs: the model's inputs
        "worker_cpu_ms_per_notice": 1000 * (sum(one["worker_cpu_s"]) + sum(two["worker_cpu_s"])) / both,
        "server_cpu_ms_per_notice": 1000 * (one["server_cpu_s"] + two["server_cpu_s"]) / both,
        "db_cpu_ms_per_notice": 1000 * (one["db_cpu_s"] + two["db_cpu_s"]) / both,
    }  # fmt: skip
    print(f"bench.workers, {opts.units:,} units, partitions of {opts.partition_size:,}, {date.today()}: one worker "
          f"{figures['one_worker_rate']:.0f} notices/s, two workers {figures['two_worker_rate']:.0f} notices/s, "
          f"workers_ratio {figures['workers_ratio']:.2f}; CPU ms a notice: dispatch "
          f"{figures['worker_cpu_ms_per_notice']:.2f}, PostgreSQL {figures['db_cpu_ms_per_notice']:.2f}, Prefect "
          f"server {figures['server_cpu_ms_per_notice']:.2f}")  # fmt: skip
    if opts.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
