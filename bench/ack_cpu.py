"""CPU a POST costs the server, without sockets: the app's acknowledgement against the bare endpoint, in one process.

    .venv/bin/python -m bench.ack_cpu [--units 5000] [--acks 3000] [--json]

Both apps are driven through httpx's ASGI transport by 16 clients at once (the client's own CPU counts in both), so
the figures leave out uvicorn and the loopback, which bench.ack_load includes. Three runs, each on a fresh copy of
the database: the app, the app with `acknowledge` replaced by a constant answer (what the web side costs
around the recording), and the bare endpoint (bench.acks.bare_app). It prints CPU milliseconds per POST."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import httpx

from bench.ack_load import launched_tree
from bench.acks import bare_app
from bench.scale import PROJECT, ack_urls, child_env
from cascade.dev.links import forms_in

CLIENTS = 16


async def _drive(app: Any, urls: list[str], form_page: str | None) -> float:
    """CPU seconds (all threads) to POST every URL; every answer must be 200."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        fields = {"csrf_token": ""}
        if form_page is not None:
            page = await client.get(form_page)
            fields = dict(next(f for f in forms_in(page.text) if f["method"] == "post")["fields"])  # type: ignore[call-overload]
        queue = list(urls)

        async def one_client() -> None:
            while queue:
                answer = await client.post(queue.pop(), data=fields)
                if answer.status_code != 200:
                    raise RuntimeError(f"POST answered {answer.status_code}: {answer.text[:200]}")

        started = time.process_time()
        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
        return time.process_time() - started


def _app_cpu(pristine: Path, workdir: Path, count: int, constant: bool) -> float:
    """CPU ms per POST of the project's app on a fresh copy of the database."""
    from bench.ack_parts import replace_parts
    from cascade.core.settings import reset_settings
    from web.app import create_app

    # A file of its own per run: the engines (and the acknowledgements' writer) are kept per database URL.
    db = workdir / f"run-{'constant' if constant else 'app'}.db"
    shutil.copy(pristine, db)
    os.environ.update(child_env(db, 0, workdir / "prefect"), CASCADE_PASSON_DISPATCH="schedule")
    reset_settings()
    restore = replace_parts(["recording"] if constant else [])  # neither the recording nor its writer thread
    try:
        urls = ack_urls(db, "http://bench", count + 1)
        seconds = asyncio.run(_drive(create_app(), urls[1:], urls[0].removesuffix("/ack")))
    finally:
        restore()
    return seconds / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=5_000, help="grassroots units of the tree")
    parser.add_argument("--acks", type=int, default=3_000, help="POSTs per run")
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "ack-cpu")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    pristine, assignments = launched_tree(workdir, opts.units)
    count = min(opts.acks, assignments - 1)
    app_ms = _app_cpu(pristine, workdir, count, constant=False)
    web_ms = _app_cpu(pristine, workdir, count, constant=True)
    bare_ms = asyncio.run(_drive(bare_app(), [f"http://bench/u/t{i}/ack" for i in range(count)], None)) / count * 1000
    print(f"CPU per POST, {count:,} POSTs by {CLIENTS} clients, no sockets:")
    print(f"  the app: {app_ms:.2f} ms; with the recording a constant: {web_ms:.2f} ms")
    print(f"  the bare endpoint: {bare_ms:.2f} ms")
    if opts.json:
        print(json.dumps({"app_cpu_ms": round(app_ms, 3), "app_constant_cpu_ms": round(web_ms, 3),
                          "bare_cpu_ms": round(bare_ms, 3), "acks": count, "units": opts.units}))  # fmt: skip


if __name__ == "__main__":
    main()
