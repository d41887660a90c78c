"""Acknowledgement load over HTTP on loopback: the real app's POST /u/<token>/ack against a bare endpoint.

`python -m bench.acks bare PORT` serves the bare FastAPI endpoint (the baseline of the same framework)."""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode, urlsplit

import httpx

from bench.sink import free_port
from cascade.dev.links import forms_in

WRK_SCRIPT = Path(__file__).with_name("wrk_post.lua")
CONNECTIONS = 16  # POSTs in flight at once


def urls_for(count: int) -> int:
    """How many URLs a load of `count` timed answers takes (post_all: the tail in flight, wrk's check)."""
    return count + CONNECTIONS + 1


@dataclass(frozen=True)
class Posted:
    """One load's outcome: `answers` POSTs answered in `seconds`, `ok` of them with 200; the load generator's
    CPU over those seconds (a fraction of one core: near 1, it and not the server would set the pace)."""

    seconds: float
    answers: int
    ok: int
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds


def post_all(urls: list[str], form_page: str | None = None, concurrency: int = CONNECTIONS) -> Posted:
    """POST the URLs in order, each once, over `concurrency` kept connections, and time the answers of all but the
    last `concurrency` + 1 (the requests still in flight when the load stops, and the one wrk asks for to check
    its script, take URLs of their own). Raises if the server stops answering.

    The load generator is wrk (Debian's package), one thread: written in C, it spends 3–10% of a core where an
    HTTP client in Python spent a whole one at the bare endpoint's pace, so the server sets the pace, for the bare
    endpoint as for the app (`Posted.client_cpu` shows it). Like a person, the client first GETs one unit page (not
    timed) and posts its form's fields (the CSRF token) with its cookie."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: `make system` installs it (Debian's package wrk)")
    count = len(urls) - concurrency - 1
    if count < 1:
        raise ValueError(f"{len(urls)} URLs for {concurrency} connections: give more URLs than connections")
    fields, cookie = {"csrf_token": ""}, ""
    if form_page is not None:
        page = httpx.get(form_page, timeout=60)
        form = next(f for f in forms_in(page.text) if f["method"] == "post")
        fields = dict(form["fields"])  # type: ignore[call-overload]
        cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
    base = urlsplit(urls[0])
    with tempfile.NamedTemporaryFile("w", suffix=".paths", encoding="utf-8") as paths:
        paths.write("".join(urlsplit(url).path + "\n" for url in urls))
        paths.flush()
        env = {**os.environ, "WRK_PATHS": paths.name, "WRK_BODY": urlencode(fields), "WRK_COOKIE": cookie,
               "WRK_COUNT": str(count)}  # fmt: skip
        # A bound on the load's time (20 POSTs/s, far below either server's pace): a server that stops answering
        # ends wrk with its error counts rather than hanging the bench.
        limit = 60 + count // 20
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        args = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{limit}s",
            "-s",
            str(WRK_SCRIPT),
            f"{base.scheme}://{base.netloc}",
        ]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=limit + 60, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = (done.stdout.strip().splitlines() or [""])[-1].split()
    try:
        answers, ok, seconds = int(figures[0]), int(figures[1]), float(figures[2])
    except (IndexError, ValueError):
        raise RuntimeError(f"wrk ended without its figures: {done.stdout[-600:]} {done.stderr[-400:]}") from None
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Posted(seconds, answers, ok, cpu / seconds)


def bare_load(env: dict[str, str], count: int) -> Posted:
    """`count` POSTs timed against the bare endpoint, served afresh."""
    args, port = server_args("bare")
    with serve(args, port, env) as base:
        return post_all([f"{base}/u/t{i}/ack" for i in range(urls_for(count))])


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
        from bench.ack_parts import replace_parts
        from web.app import create_app

        replace_parts([part for part in os.environ.get("BENCH_ACK_WITHOUT", "").split(",") if part])

        application = create_app()
    else:
        application = bare_app()  # type: ignore[assignment]
    # The same server settings for both, access log off: the comparison is the handler, not the logging.
    uvicorn.run(application, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
