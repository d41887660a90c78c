"""A local SMTP sink (aiosmtpd) that keeps what it receives: the demo's mail server and the tests'."""

from __future__ import annotations

import email
import email.policy
import threading
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

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:  # noqa: N802
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), msg))
            if self.maildir is not None:
                self.maildir.mkdir(parents=True, exist_ok=True)
                (self.maildir / f"{len(self.messages):06d}.eml").write_bytes(data)
        return "250 Message accepted"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse.clear()

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


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
