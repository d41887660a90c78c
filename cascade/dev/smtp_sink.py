"""A local SMTP sink (aiosmtpd) that keeps what it receives: the demo's mail server, the tests' and the bench's.

It can inject faults: a fixed reply for chosen recipients (`refuse`, e.g. a 550), a number of 450 replies
before accepting (`defer`: that mailbox is busy, a recipient's temporary failure), and a dropped connection
every n-th message (`drop_every`), alternately before and after keeping the message, so a client sees no 250
either way (a message kept whose reply was dropped is named `…-reply-dropped.eml`). `python -m
cascade.dev.smtp_sink` runs it as its own process (the fault bench kills the sender, never the server). With
`acceptance_log` it also appends one JSON line per accepted message, `{"message_id": …}`, before replying: a
relay's acceptance log, for the sender's `jsonl:` adapter (cascade.delivery.acceptance_logs), kept apart from
the mailbox that tests and benches count from.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    peer: str = ""  # the client's address and port: which connection delivered it
    at: float = 0.0  # when it was received (time.time())

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""  # type: ignore[union-attr]

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""  # type: ignore[union-attr]


class SinkHandler:
    """Keeps every message; optionally refuses chosen recipients with a given reply (fault injection)."""

    def __init__(self, maildir: Path | None = None) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.maildir = maildir
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply such as "550 5.1.1 no such user"
        self.defer: dict[str, int] = {}  # recipient -> how many "450" replies it gets before being accepted
        self.drop_every = 0  # drop the connection at every n-th DATA (0: never)
        self.data_count = 0
        self.acceptance_log: Path | None = None  # JSON lines of accepted Message-IDs, written before the 250

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:  # noqa: N802
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        with self.lock:
            if self.defer.get(address.lower(), 0) > 0:
                self.defer[address.lower()] -= 1
                return "450 4.2.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.data_count += 1
            drop = bool(self.drop_every) and self.data_count % self.drop_every == 0
            if drop and self.data_count // self.drop_every % 2:
                _drop(server)  # dropped before keeping it: not delivered, and no reply
                return "451 4.4.2 Connection dropped"
            peer = ":".join(str(part) for part in session.peer[:2]) if session.peer else ""
            self.messages.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), msg, peer, time.time()))
            if self.maildir is not None:
                self._keep(data, reply_dropped=drop)
            if self.acceptance_log is not None:
                with self.acceptance_log.open("a", encoding="utf-8") as log:
                    log.write(json.dumps({"message_id": str(msg["Message-ID"] or "").strip()}) + "\n")
        if drop:
            _drop(server)  # dropped after keeping it: delivered, but the 250 never arrives
        return "250 Message accepted"

    def _keep(self, data: bytes, reply_dropped: bool = False) -> None:
        # Unique names (a restarted sink keeps counting) written atomically: a reader never sees half a file.
        assert self.maildir is not None
        self.maildir.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}-{len(self.messages):06d}{'-reply-dropped' if reply_dropped else ''}.eml"
        (self.maildir / f".{name}.tmp").write_bytes(data)
        os.replace(self.maildir / f".{name}.tmp", self.maildir / name)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse.clear()
            self.defer.clear()
            self.drop_every = self.data_count = 0
            self.acceptance_log = None

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]


class SmtpSink:
    """Starts an aiosmtpd server in a thread; `with SmtpSink(port=0) as sink:` picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8025, maildir: Path | None = None) -> None:
        self.handler = SinkHandler(maildir)
        self.host = host
        self.controller = Controller(
            self.handler,
            hostname=host,
            port=port or _free_port(host),
            decode_data=False,
            enable_SMTPUTF8=True,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


def _drop(server: SMTP) -> None:
    if server.transport is not None:
        server.transport.close()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def main() -> None:
    """Run the sink as a process until killed; faults come from a JSON file (refuse, defer, drop_every)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, required=True)
    parser.add_argument("--faults", type=Path, help="JSON: {refuse: {addr: reply}, defer: {addr: n}, drop_every: n}")
    parser.add_argument("--acceptance-log", type=Path, help='append {"message_id": …} per accepted message')
    args = parser.parse_args()
    sink = SmtpSink(args.host, args.port, args.maildir)
    if args.faults:
        faults = json.loads(args.faults.read_text(encoding="utf-8"))
        sink.handler.refuse.update({k.lower(): v for k, v in faults.get("refuse", {}).items()})
        sink.handler.defer.update({k.lower(): int(v) for k, v in faults.get("defer", {}).items()})
        sink.handler.drop_every = int(faults.get("drop_every", 0))
    if args.acceptance_log:
        args.acceptance_log.touch()
        sink.handler.acceptance_log = args.acceptance_log
    sink.start()
    print(f"listening on {args.host}:{sink.port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
