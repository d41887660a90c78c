"""A sender's own record of the messages the mail server accepted, written the moment each 250 arrives.

'sent' is committed once per group of messages (one commit per group, not two per message), so between a 250
and its group's commit a crash would leave an accepted message 'sending', in doubt. The journal closes most
of that gap: one write() per acceptance, which the kernel keeps if the process dies, and one fdatasync per
group before the group's 'sent' commit, so that a machine crash (power, kernel) loses only the lines of groups
not yet committed. Recovery reads the journals of dead senders like a delivery log.

A sync per line instead would shrink what a machine crash loses to one line per connection, but it holds up
every connection for each sync: measured with bench.journal_cost (docs/benchmarks.md), too dear for what it buys.
What the journal cannot cover, said plainly: the moment between the server's 250 and its line (one message per
connection at most), and a dead sender whose journal is not readable where recovery runs (another machine
without a shared data folder: the lease decides and its group is resent). The journals live in the data folder
(CASCADE_DATA_DIR/send-journal/<hash of the database URL>), not in a temporary directory a reboot may empty.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from sqlalchemy.engine import make_url

from cascade.core.db import normalise_url
from cascade.core.settings import Settings

_datasync = getattr(os, "fdatasync", os.fsync)  # the data and the size, not the times: all recovery reads


def journal_dir(settings: Settings) -> Path:
    """Where the journals of one database live: CASCADE_SEND_JOURNAL, or one directory per database under the
    data folder, so two never mix. The password is left out of the hash: rotating it must not hide a journal."""
    if settings.delivery.send_journal:
        return Path(settings.delivery.send_journal)
    url = make_url(normalise_url(settings.database_url)).set(password=None).render_as_string(hide_password=False)
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(settings.documents.data_dir) / "send-journal" / digest


def _sync_directory(directory: Path) -> None:
    """A new file's name is durable only once its directory is synced (else a machine crash can drop it)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SendJournal:
    """The journal of one send call: its owner on the first line, then one accepted Message-ID per line.

    Lines reach the disk at `sync`, which the sender calls before each group's 'sent' commit; `sync_each_line`
    makes every `record` sync as well (bench.journal_cost measures both ways)."""

    sync_each_line: ClassVar[bool] = False

    def __init__(self, directory: Path, owner: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{hashlib.sha256(owner.encode()).hexdigest()[:24]}.log"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(self._fd, owner.encode() + b"\n")
        _datasync(self._fd)
        _sync_directory(directory)
        # Lines written and lines known on disk: `record` runs on the event loop, `sync` on the database thread.
        self._written = self._synced = 0

    def record(self, message_id: str) -> None:
        os.write(self._fd, message_id.encode() + b"\n")  # one write(): whole or absent, never interleaved
        self._written += 1
        if self.sync_each_line:
            self.sync()

    def sync(self) -> None:
        """Every line recorded so far on disk: the group's acceptances, before its 'sent' commit."""
        written = self._written  # a line recorded during the sync may be missed: the next sync takes it
        if written > self._synced:
            _datasync(self._fd)
            self._synced = written

    def close(self, *, settled: bool) -> None:
        """Closed after every call; removed only when every acceptance it holds was committed 'sent', else
        synced and kept for the next run's recovery."""
        if not settled:
            self.sync()
        os.close(self._fd)
        if settled:
            self.path.unlink(missing_ok=True)


class JournalLog:
    """The journals left in a directory, read as a delivery log (the DeliveryLog protocol)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _journals(self) -> list[tuple[Path, list[str]]]:
        found = []
        for path in sorted(self.directory.glob("*.log")) if self.directory.is_dir() else []:
            try:
                found.append((path, path.read_text(encoding="utf-8", errors="replace").splitlines()))
            except FileNotFoundError:  # its sender finished meanwhile
                continue
        return found

    def accepted(self, message_ids: set[str]) -> set[str]:
        return {line for _, lines in self._journals() for line in lines[1:] if line in message_ids}

    def prune(self, holder_is_gone: Callable[[str, timedelta], bool]) -> int:
        """Remove the journals of senders that are gone (call after their rows were recovered and committed)."""
        removed = 0
        for path, lines in self._journals():
            age = timedelta(seconds=max(0.0, time.time() - path.stat().st_mtime)) if path.exists() else timedelta()
            if lines and holder_is_gone(lines[0], age):
                path.unlink(missing_ok=True)
                removed += 1
        return removed
