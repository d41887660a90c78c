"""Acknowledgements recorded together on SQLite: one thread commits those waiting at that moment as one transaction.

SQLite lets one writer in at a time and makes the others sleep in its busy handler (1, 2, 5 … 100 ms between
tries), so requests writing each on their own leave its write lock free while they sleep. Taking turns at a lock
of the process's own avoids that, but every call into SQLite lets go of the interpreter's lock, which a request
thread must then win back from the others and from the event loop: so recorded, an acknowledgement costs about
three times the CPU it costs alone (docs/benchmarks.md).

Here the request hands its acknowledgement to the process's one writer thread and waits. The writer takes every
acknowledgement queued meanwhile (up to `MAX_BATCH`), records them in one transaction, commits once and answers
each: a request is answered only after the commit that holds its acknowledgement. Other processes (a dispatch,
the monitor) still meet SQLite's busy timeout.

If the shared transaction fails, nothing of it is kept: the writer rolls it back and records each acknowledgement
of it again in a transaction of its own, so that one failing acknowledgement fails its own request only (as it
did when each request wrote alone). PostgreSQL takes concurrent writers: each request records its own there."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from cascade.replies.acknowledge import AckResult, acknowledge

MAX_BATCH = 64  # a bound on one transaction's length: the first request of a batch waits for all of it


@dataclass
class _Ack:
    assignment_id: int
    remote_addr: str | None
    user_agent: str | None
    answer: Future[AckResult | None] = field(default_factory=Future)

    def record(self, session: Session) -> AckResult | None:
        return acknowledge(session, self.assignment_id, remote_addr=self.remote_addr, user_agent=self.user_agent)


class AckWriter:
    """The one thread of a process that records its acknowledgements on one SQLite database."""

    def __init__(self, engine: Engine, record: Callable[[_Ack, Session], AckResult | None] = _Ack.record) -> None:
        self.engine = engine
        self._record = record
        self._queue: queue.SimpleQueue[_Ack] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="ack-writer", daemon=True)
        self._thread.start()

    def acknowledge(self, assignment_id: int, *, remote_addr: str | None, user_agent: str | None) -> AckResult | None:
        """Record it (committed when this returns); None: there is no such assignment. Raises what recording it
        alone raised."""
        ack = _Ack(assignment_id, remote_addr, user_agent)
        self._queue.put(ack)
        return ack.answer.result()

    def waiting(self) -> int:
        """How many acknowledgements are queued and not yet taken by the writer."""
        return self._queue.qsize()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except BaseException as exc:  # noqa: BLE001 - the thread lives on: a request waits for no dead writer
                for ack in batch:
                    if not ack.answer.done():
                        ack.answer.set_exception(exc)

    def _write(self, batch: list[_Ack]) -> None:
        try:
            with Session(self.engine) as session:
                results = [self._record(ack, session) for ack in batch]
                session.commit()
        except Exception as exc:  # noqa: BLE001 - rolled back; each is recorded again alone, its error its own
            if len(batch) == 1:
                batch[0].answer.set_exception(exc)
                return
            for ack in batch:
                self._alone(ack)
            return
        for ack, result in zip(batch, results, strict=True):
            ack.answer.set_result(result)

    def _alone(self, ack: _Ack) -> None:
        try:
            with Session(self.engine) as session:
                result = self._record(ack, session)
                session.commit()
        except Exception as exc:  # noqa: BLE001 - the request that handed it over raises it
            ack.answer.set_exception(exc)
            return
        ack.answer.set_result(result)


_WRITERS: dict[Engine, AckWriter] = {}  # engines are made once per URL (cascade/core/db.py)
_MADE = threading.Lock()


def ack_writer(engine: Engine) -> AckWriter | None:
    """The writer of a SQLite engine (made on first use), or None: on PostgreSQL each request records its own."""
    if engine.dialect.name != "sqlite":
        return None
    with _MADE:
        writer = _WRITERS.get(engine)
        if writer is None:
            writer = _WRITERS[engine] = AckWriter(engine)
        return writer
