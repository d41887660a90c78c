"""An SMTP sink in a process of its own (aiosmtpd) that only counts the messages it accepts."""

from __future__ import annotations

import multiprocessing as mp
import socket
import time
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class CountingHandler:
    def __init__(self, counter: Synchronized[int]) -> None:
        self.counter = counter

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def _serve(port: int, counter: Synchronized[int], stop: Any) -> None:
    controller = Controller(CountingHandler(counter), hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingSink:
    """`with CountingSink() as sink:` runs the sink in a child process; `sink.count` reads its counter."""

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.port = free_port()
        self.counter: Synchronized[int] = ctx.Value("q", 0)
        self.stop_event = ctx.Event()
        self.process = ctx.Process(target=_serve, args=(self.port, self.counter, self.stop_event), daemon=True)

    @property
    def count(self) -> int:
        return int(self.counter.value)

    def cpu_seconds(self) -> float:
        """The sink process's CPU seconds so far (Linux only)."""
        from cascade.dev.topology import cpu_seconds

        return cpu_seconds(self.process.pid or 0)

    def __enter__(self) -> CountingSink:
        self.process.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
