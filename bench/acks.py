"""Acknowledgement load over HTTP on loopback: the real app's POST /u/<token>/ack against a bare endpoint.

`python -m bench.acks bare PORT` serves the bare FastAPI endpoint (the baseline of the same framework)."""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import httpx

from bench.sink import free_port
from cascade.dev.links import forms_in


async def _post_all(urls: list[str], concurrency: int, form_page: str | None) -> tuple[float, int]:
    """Seconds to POST every URL with `concurrency` clients at once, and how many answered 200.

    Like a person, the client first GETs one unit page (not timed) and posts its form's fields (CSRF token)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    ok = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal ok
        while not queue.empty():
            response = await client.post(queue.get_nowait(), data=fields)
            ok += response.status_code == 200

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        fields: dict[str, str] = {"csrf_token": ""}
        if form_page is not None:
            page = await client.get(form_page)
            form = next(f for f in forms_in(page.text) if f["method"] == "post")
            fields = dict(form["fields"])  # type: ignore[call-overload]
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        return time.perf_counter() - started, ok


def post_all(urls: list[str], form_page: str | None = None, concurrency: int = 16) -> tuple[float, int]:
    return asyncio.run(_post_all(urls, concurrency, form_page))


def bare_rate(env: dict[str, str], count: int) -> float:
    """POSTs per second answered 200 by the bare endpoint, served afresh."""
    args, port = server_args("bare")
    with serve(args, port, env) as base:
        seconds, ok = post_all([f"{base}/u/t{i}/ack" for i in range(count)])
    return ok / seconds


def paired_ratio(app_rates: list[float], bare_rates: list[float]) -> float:
    """The median over rounds of app ÷ bare, each round's two measured one right after the other: these machines'
    speed drifts within a minute, so a ratio of two rates taken apart, or of their means, moves with it."""
    return statistics.median(app / bare for app, bare in zip(app_rates, bare_rates, strict=True))


@contextmanager
def serve(args: list[str], port: int, env: dict[str, str]) -> Iterator[str]:
    """Run a server process until its /healthz (or /) answers; yields its base URL and stops it after."""
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"server {args} did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bare_app() -> object:
    from fastapi import FastAPI, Form
    from fastapi.responses import HTMLResponse

    app = FastAPI()
    page = "<!doctype html><html><body><p>Đã xác nhận đã nhận văn bản.</p></body></html>" * 20

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/u/{token}/ack", response_class=HTMLResponse)
    def ack(token: str, csrf_token: Annotated[str, Form()] = "") -> HTMLResponse:
        return HTMLResponse(page)

    return app


def server_args(kind: str) -> tuple[list[str], int]:
    """The command serving `kind` (app: the project's web app; bare: the bare endpoint) on a free port."""
    port = free_port()
    return [sys.executable, "-m", "bench.acks", kind, str(port)], port


if __name__ == "__main__":
    import uvicorn

    if sys.argv[1] == "app":
        import os

        # The POSTs alone, as the bare endpoint answers them: a forward-mode acknowledgement (one in a hundred
        # here) would otherwise have this process dispatch the units below it in the background (web/passon_trigger.py),
        # starting an embedded Prefect API and mailing a sink that is not there. bench.passon times that part.
        os.environ.setdefault("CASCADE_PASSON_DISPATCH", "schedule")
        from web.app import create_app

        application = create_app()
    else:
        application = bare_app()  # type: ignore[assignment]
    # The same server settings for both, access log off: the comparison is the handler, not the logging.
    uvicorn.run(application, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
