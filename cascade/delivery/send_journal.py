"""A sender's own record of the messages the mail server accepted, written the moment each 250 arrives.

'sent' is committed once per group of messages (two commits per group, not per message), so between a 250
and its group's commit a crash would leave an accepted message 'sending', in doubt. The journal closes most
of that gap: one unbuffered append per acceptance, a write() the kernel keeps when the process dies. Recovery
on the same machine reads the journals of dead senders like a delivery log. What it does not cover, said
plainly: a crash of the machine itself (nothing is fsynced, so the journal lives in the temporary directory),
and a dead sender on another machine (its journal is not here: the lease decides and its group is resent).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path


def journal_dir(database_url: str, configured: str | None = None) -> Path:
    """Where the journals of one database live (one directory per database, so two never mix)."""
    if configured:
        return Path(configured)
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "cascade-send-journal" / digest


class SendJournal:
    """The journal of one send call: its owner on the first line, then one accepted Message-ID per line."""

    def __init__(self, directory: Path, owner: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{hashlib.sha256(owner.encode()).hexdigest()[:24]}.log"
        self._file = self.path.open("ab", buffering=0)
        self._file.write(owner.encode() + b"\n")

    def record(self, message_id: str) -> None:
        self._file.write(message_id.encode() + b"\n")

    def close(self, *, settled: bool) -> None:
        """Closed after every call; removed only when every acceptance it holds was committed 'sent'."""
        self._file.close()
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
