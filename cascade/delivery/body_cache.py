"""The bodies of the outbox rows this process has just written and committed, kept until it sends them.

A dispatch renders a batch of notices and sends it a moment later in the same process: reading each row's two
bodies (some kilobytes of text each) back cost about a twentieth of the dispatch process's CPU. A
row's bodies never change once written (cascade.delivery.outbox_store) and no outbox row is ever deleted, so a
copy taken when the transaction that wrote it committed is what the database holds. A transaction that ends
any other way (a rollback, a savepoint's included, or a close) forgets what it staged. At most MAX_ROWS rows
are kept, the older first (a monitor queues reminders faster than it sends them): any other row is read from the
database, which stays the source of truth; a row is handed out once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

# Two batches of the default CASCADE_BATCH_SIZE (1,000): the one being sent and the next one, rendered meanwhile.
MAX_ROWS = 2_000

# An outbox row as the database names it: the database's URL, the row's id, its unique key and when it was made
# (a process may use more than one database, or a database made anew: only the same row matches all four).
Key = tuple[str, int, str, datetime]
Bodies = tuple[str, str]  # its text and HTML bodies
# A row kept this long was sent by another process (a web app queues, a worker sends) or not at all: dropped.
STALE_SECONDS = 600.0

_STAGED = "cascade.outbox_bodies"
_kept: dict[Key, tuple[Bodies, float]] = {}  # and when it was kept (time.monotonic())
_lock = threading.Lock()


def database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def stage(session: Session, rows: Iterable[tuple[int, str, datetime, str, str]]) -> None:
    """(id, key, created_at, text, html) of rows written in the session's transaction: kept once it commits."""
    staged: dict[Key, Bodies] = session.info.setdefault(_STAGED, {})
    url = database(session)
    if len(_kept) >= MAX_ROWS:
        _drop_stale()
    for row_id, key, created_at, text, html in rows:
        if len(staged) + len(_kept) >= MAX_ROWS:
            return  # the rows kept are sent first (the older); these will be read from the database
        staged[(url, row_id, key, created_at)] = (text, html)


def take(url: str, row_id: int, key: str, created_at: datetime) -> Bodies | None:
    """The bodies of that committed row if this process kept them (then no longer kept), else None."""
    with _lock:
        kept = _kept.pop((url, row_id, key, created_at), None)
    return kept[0] if kept is not None else None


def _drop_stale() -> None:
    oldest = time.monotonic() - STALE_SECONDS
    with _lock:
        for key in [key for key, (_, at) in _kept.items() if at < oldest]:
            del _kept[key]


def clear() -> None:
    with _lock:
        _kept.clear()


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    root = session.get_transaction()
    if root is not None and root.is_active:
        return  # a savepoint released: the transaction around it may still roll back
    staged: dict[Key, Bodies] | None = session.info.pop(_STAGED, None)
    if not staged:
        return
    now = time.monotonic()
    with _lock:
        for key, bodies in staged.items():
            if len(_kept) >= MAX_ROWS:
                break
            _kept[key] = (bodies, now)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    session.info.pop(_STAGED, None)  # all of it, even what was staged before a savepoint: only a read saved


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # what a root transaction staged and did not commit
        session.info.pop(_STAGED, None)
