"""One call of send_outbox_batch as its connections share it: the rows' database side (one thread, one
session), the queue of row ids, the relay, the journal, and whether the call was told to stop."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr
from functools import partial
from typing import Any, TypeVar

from sqlmodel import Session

from cascade.core.settings import Settings
from cascade.delivery.dkim_sign import DkimKeyError, dkim_signer
from cascade.delivery.mailmessage import Mail
from cascade.delivery.outbox_batch import OutboxGroups
from cascade.delivery.outbox_recovery import HOST, delivery_log_from
from cascade.delivery.relay import Pacer, Relay, RelayError
from cascade.delivery.send_journal import JournalLog, SendJournal, journal_dir
from cascade.delivery.shared_documents import SharedDocuments

R = TypeVar("R")


class SendCall:
    """One call of send_outbox_batch: the rows' database side, the work queue and the SMTP settings."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.settings, self.delivery = settings, settings.delivery
        # A bad CA file, password file or DKIM key: an error before any row is claimed or journal opened.
        self.relay = Relay(self.delivery)
        try:
            self.sign = dkim_signer(self.delivery)
        except DkimKeyError as exc:
            raise RelayError(str(exc)) from None
        self.rows = OutboxGroups(session, settings, f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}")
        self.queue: deque[int] = deque()
        self.read: dict[int, Mail] = {}  # the claimed rows, read once when the call starts, until a group takes them
        self.group_size = self.delivery.send_group
        self.server_down = False
        self.sender = parseaddr(settings.delivery.mail_from)[1]
        self.log = delivery_log_from(self.delivery.delivery_log)
        self.journals = JournalLog(journal_dir(settings))
        self.journal = SendJournal(self.journals.directory, self.rows.owner)
        self.db_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self.documents = SharedDocuments(settings.documents)
        self.pacer = Pacer(self.delivery.rate_per_minute)
        self.stopped: RelayError | None = None  # the relay refused us: every connection stops, rows stay owed

    def stop(self, error: RelayError) -> None:
        self.stopped = self.stopped or error

    @property
    def halted(self) -> str | None:
        """Why no more messages are to be tried in this call, if they are not."""
        if self.stopped is not None:
            return str(self.stopped)
        return "mail server unreachable" if self.server_down else None

    async def db(self, work: Callable[..., R], *args: Any) -> R:
        """Run database work on this call's one database thread (one at a time: one session) and await it.

        The event loop is not blocked meanwhile: the other connections keep sending while SQLite waits for
        the render thread's write lock (its busy handler sleeps) or PostgreSQL answers a commit. Measured in
        the loop itself, those waits were about a tenth of a national dispatch, every connection idle."""
        return await asyncio.get_running_loop().run_in_executor(self.db_thread, partial(work, *args))

    def next_group(self) -> list[int]:
        return [self.queue.popleft() for _ in range(min(self.group_size, len(self.queue)))]

    def accepted_by_log(self, mail: Mail) -> bool:
        return bool(self.log and mail.data_tried and mail.message_id and self.log.accepted({mail.message_id}))
