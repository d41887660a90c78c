"""SMTP connections kept open from one send call to the next inside `keep_connections()` (a dispatch's batches).

A call of send_outbox_batch runs its connections on an event loop; on a loop of its own (asyncio.run) they
close with it, so a national dispatch opened and closed four connections per batch of 1,000 (greeting, EHLO,
TLS and login each time). Inside `keep_connections()` every call runs on one long-lived loop in a thread of
its own, and a connection that finished its call cleanly (queue done, no refusal, no error) waits there for
the next call to the same relay. The rows' guarantees do not depend on the connection: each message is still
claimed, marked 'sending', journalled and settled by its call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import aiosmtplib

from cascade.core.settings import DeliverySettings

R = TypeVar("R")
RelayKey = tuple[Any, ...]


def relay_key(delivery: DeliverySettings) -> RelayKey:
    """What a kept connection must share with a call to be reused by it: the relay and how we reach it."""
    return (delivery.smtp_host, delivery.smtp_port, delivery.smtp_security, delivery.smtp_username,
            delivery.smtp_ca_file)  # fmt: skip


class KeptConnections:
    """One event loop in a thread, and the idle connections on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="smtp-connections", daemon=True)
        self.thread.start()
        self.idle: list[tuple[RelayKey, aiosmtplib.SMTP]] = []

    def run(self, work: Coroutine[Any, Any, R]) -> R:
        """Run a send call's coroutine on the kept loop and wait for it (it raises what the call raised)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def take(self, key: RelayKey) -> aiosmtplib.SMTP | None:
        """An idle connection to this relay that is still open, if one is kept (called on the kept loop)."""
        while self.idle:
            kept_key, smtp = self.idle.pop()
            if kept_key == key and smtp.is_connected:
                return smtp
            smtp.close()
        return None

    def give(self, key: RelayKey, smtp: aiosmtplib.SMTP) -> None:
        self.idle.append((key, smtp))

    def close(self) -> None:
        """QUIT every idle connection, then stop the loop and its thread."""
        self.run(self._quit_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _quit_all(self) -> None:
        idle, self.idle = self.idle, []
        for _, smtp in idle:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


_current: KeptConnections | None = None
_users = 0  # blocks open: the last one out closes the loop (a web process may dispatch on several threads)
_lock = threading.Lock()


def current() -> KeptConnections | None:
    """The kept connections of the `keep_connections()` blocks running, if any."""
    return _current


@contextmanager
def keep_connections() -> Iterator[None]:
    """Send calls inside this block (in this process) share one loop and reuse each other's connections.

    Blocks open at once (nested, or on other threads) share one loop, closed when the last of them ends;
    outside any, each call opens and closes its own connections."""
    global _current, _users
    with _lock:
        if _current is None:
            _current = KeptConnections()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            kept = _current if _users == 0 else None
            if kept is not None:
                _current = None
        if kept is not None:
            kept.close()
