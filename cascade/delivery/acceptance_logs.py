"""The relay's own record of the messages it accepted, read back by Message-ID: what makes a resend exact.

A row left 'sending' by a dead sender may or may not be on the relay. The send journal knows what *this* side saw
accepted; only the relay's record can also say that a message was *not* accepted, and so make the resend exactly
once. `CASCADE_DELIVERY_LOG=KIND:PATH` names that record, in one of three formats:

- `maildir:DIR`: a directory of `.eml` files, or a Maildir (`new/`, `cur/`), one file per accepted message;
- `jsonl:FILE`: JSON lines, one `{"message_id": "<…>"}` per accepted message (other keys are ignored);
- `postfix:FILE`: Postfix's mail log (and `FILE.1`, its last rotation, when present). A message counts as
  accepted when its queue ID has both the `cleanup` line with its `message-id=<…>` and the `qmgr` line with
  `from=<…>`: the queue manager only sees a queue file once it is committed, i.e. once the 250 was due. A
  message cleanup saw but rejected (`milter-reject`, `reject`) or lost mid-DATA never gets that qmgr line.

Each adapter reads only what was appended since its last call (files by inode and offset, a Maildir by file
name), so asking again after a dropped connection costs little. A record that cannot be read, or a JSON line
that is not an object with a message_id, stops the send with an error naming the file and line: guessing
"not accepted" would resend."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import BinaryIO, Protocol

KINDS = ("maildir", "jsonl", "postfix")


class DeliveryLog(Protocol):
    def accepted(self, message_ids: set[str]) -> set[str]:
        """Which of these Message-IDs the mail server accepted."""
        ...


class DeliveryLogError(ValueError):
    """CASCADE_DELIVERY_LOG names no readable record in a known format, or the record has a bad line."""


def delivery_log_from(spec: str | None) -> DeliveryLog | None:
    """The adapter CASCADE_DELIVERY_LOG names (`maildir:DIR`, `jsonl:FILE`, `postfix:FILE`); None when unset."""
    if not spec:
        return None
    kind, sep, path_text = spec.partition(":")
    if not sep or kind not in KINDS or not path_text:
        raise DeliveryLogError(
            f"CASCADE_DELIVERY_LOG={spec!r}: give the relay's record as KIND:PATH, KIND one of {', '.join(KINDS)} "
            "(e.g. maildir:/srv/mail/accepted, jsonl:/var/log/relay/accepted.jsonl, postfix:/var/log/mail.log)"
        )
    path = Path(path_text)
    if kind == "maildir":
        if not path.is_dir():
            raise DeliveryLogError(f"CASCADE_DELIVERY_LOG={spec!r}: {path} is not a directory")
        return MaildirLog(path)
    if not path.is_file():
        raise DeliveryLogError(f"CASCADE_DELIVERY_LOG={spec!r}: {path} is not a file (create it empty if need be)")
    return JsonLinesLog(path) if kind == "jsonl" else PostfixLog(path)


class MaildirLog:
    """One file per accepted message: `*.eml` in the directory, or a Maildir's `new/` and `cur/` (not `tmp/`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ids: dict[Path, str | None] = {}  # each file's Message-ID, read once
        self._parser = BytesHeaderParser()

    def _files(self) -> Iterator[Path]:
        yield from self.path.glob("*.eml")
        for sub in ("new", "cur"):
            if (self.path / sub).is_dir():
                yield from (p for p in (self.path / sub).iterdir() if p.is_file())

    def accepted(self, message_ids: set[str]) -> set[str]:
        for eml in self._files():
            if eml in self._ids or eml.name.startswith("."):  # a dot file is one still being written
                continue
            try:
                with eml.open("rb") as fh:
                    value = self._parser.parsebytes(_header_block(fh))["Message-ID"]
            except FileNotFoundError:  # moved from new/ to cur/ meanwhile: found again under its new name
                continue
            self._ids[eml] = str(value).strip() if value else None
        return {mid for mid in self._ids.values() if mid in message_ids}


def _header_block(fh: BinaryIO) -> bytes:
    """A message's header lines, up to the empty line: not its body, which may carry an original of megabytes."""
    lines: list[bytes] = []
    for line in fh:
        if not line.strip():
            break
        lines.append(line)
    return b"".join(lines)


@dataclass
class _Cursor:
    """How far one file (by device and inode, so a rotated file keeps its place) has been read."""

    offset: int = 0
    lines: int = 0


@dataclass
class _AppendedLines:
    """The complete lines appended to a file since the last read; a last line without its newline is left for
    the next read (its writer is still writing it)."""

    cursors: dict[tuple[int, int], _Cursor] = field(default_factory=dict)

    def read(self, path: Path) -> Iterator[tuple[int, bytes]]:
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            return
        with fh:
            st = os.fstat(fh.fileno())
            cursor = self.cursors.setdefault((st.st_dev, st.st_ino), _Cursor())
            if st.st_size < cursor.offset:  # truncated in place (copytruncate): read it afresh
                cursor.offset = cursor.lines = 0
            fh.seek(cursor.offset)
            rest = b""
            while chunk := fh.read(1 << 20):  # a relay's log can be large: a mebibyte at a time
                data = rest + chunk
                end = data.rfind(b"\n") + 1
                for line in data[:end].splitlines():
                    cursor.lines += 1
                    yield cursor.lines, line
                cursor.offset += end
                rest = data[end:]


class JsonLinesLog:
    """`{"message_id": "<…>"}` per line, one line per accepted message; blank lines are skipped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._appended = _AppendedLines()
        self._ids: set[str] = set()

    def accepted(self, message_ids: set[str]) -> set[str]:
        for number, line in self._appended.read(self.path):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise DeliveryLogError(f"{self.path}:{number}: not a JSON line ({exc})") from exc
            value = record.get("message_id") if isinstance(record, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise DeliveryLogError(f"{self.path}:{number}: field message_id: expected a Message-ID string")
            self._ids.add(value.strip())
        return self._ids & message_ids


# `… postfix/cleanup[4711]: 4F9D8C3A12: message-id=<…>` and `… postfix/qmgr[789]: 4F9D8C3A12: from=<…>, …`;
# the service may be a second instance's (`postfix-out/cleanup`) or a named one's (`postfix/submission/…`),
# and the queue ID short (hex) or long (enable_long_queue_ids).
_POSTFIX = re.compile(
    rb"\spostfix[\w.-]*(?:/[\w.-]+)*/(?P<daemon>cleanup|qmgr)\[\d+\]: (?P<qid>[0-9A-Za-z]+): (?P<rest>.*)$"
)


class PostfixLog:
    """Postfix's mail log: a Message-ID is accepted once its queue ID's qmgr `from=` line follows its cleanup
    line. Reads `PATH.1` (the last rotation, uncompressed) first when present, then `PATH`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._appended = _AppendedLines()
        self._cleaned: dict[bytes, str] = {}  # queue ID -> Message-ID, waiting for the queue manager's line
        self._ids: set[str] = set()

    def accepted(self, message_ids: set[str]) -> set[str]:
        for path in (self.path.with_name(self.path.name + ".1"), self.path):
            for _, line in self._appended.read(path):
                self._take(line)
        return self._ids & message_ids

    def _take(self, line: bytes) -> None:
        found = _POSTFIX.search(line)
        if found is None:
            return
        qid, rest = found["qid"], found["rest"]
        if found["daemon"] == b"cleanup":
            if rest.startswith(b"message-id="):
                self._cleaned[qid] = rest[len(b"message-id=") :].strip().decode("utf-8", "replace")
            elif rest.startswith((b"milter-reject:", b"reject:")):
                self._cleaned.pop(qid, None)  # refused after DATA: not accepted
        elif rest.startswith(b"from=<") and qid in self._cleaned:
            self._ids.add(self._cleaned.pop(qid))
        elif rest.startswith(b"removed"):
            self._cleaned.pop(qid, None)  # queue IDs are reused: forget this one
