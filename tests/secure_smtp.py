"""Real mail servers as a provider or a provincial relay runs them, for the mail security tests: aiosmtpd with a
real certificate (trustme), STARTTLS required or implicit TLS, and AUTH required. Each keeps the raw bytes it
accepted, how the session was secured and who logged in: the tests' oracle is the server's own record."""

from __future__ import annotations

import ssl
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from cascade.dev.smtp_sink import SinkHandler, _free_port

USER, PASSWORD = "vanthu@laichau.example", "mật-khẩu đúng 2021"


@dataclass(frozen=True)
class Accepted:
    raw: bytes
    tls: bool
    login: str | None
    at: float  # time.monotonic() when the server accepted it


class RecordingHandler(SinkHandler):
    """The sink's handler (refusals and deferrals included), also keeping each message's raw bytes and session."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted: list[Accepted] = []
        self.rcpt_tries: Counter[str] = Counter()  # every RCPT TO, refused or not
        self.refuse_mail: str | None = None  # a reply to every MAIL FROM (the relay refusing the sender)
        self.mail_at: list[float] = []  # time.monotonic() of every MAIL FROM: a message's start

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.mail_at.append(time.monotonic())
        if self.refuse_mail:
            return self.refuse_mail
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.rcpt_tries[address.lower()] += 1
        return await super().handle_RCPT(server, session, envelope, address, options)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        if reply.startswith("250"):
            raw = envelope.original_content or b""
            login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
            # Implicit TLS (465) wraps the whole connection: aiosmtpd sets session.ssl only after STARTTLS.
            wrapped = server.transport is not None and server.transport.get_extra_info("ssl_object") is not None
            tls = session.ssl is not None or wrapped
            with self.lock:
                self.accepted.append(Accepted(bytes(raw), tls, login, time.monotonic()))
        return reply

    def message_ids(self) -> list[str]:
        return [m.message["Message-ID"] for m in self.messages]


def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login.decode() == USER and data.password.decode() == PASSWORD
    # handled=False: aiosmtpd answers "535 5.7.8 Authentication credentials invalid", as a real server does.
    return AuthResult(success=ok, handled=False, auth_data=data)


class Certificates:
    """A private CA and the relay's certificate for 127.0.0.1, the CA written where CASCADE_SMTP_CA_FILE can name it."""

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA(organization_name="LĐLĐ tỉnh Lai Châu (test CA)")
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = folder / "relay-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


@contextmanager
def relay(kind: str, certificates: Certificates | None = None) -> Iterator[tuple[Controller, RecordingHandler]]:
    """A running server: "starttls" (587: STARTTLS and AUTH required), "tls" (465: implicit TLS, AUTH required),
    "auth-no-starttls" (a plain server that requires AUTH but never offers TLS), "plain" (neither)."""
    handler = RecordingHandler()
    options: dict[str, Any] = {"decode_data": False, "enable_SMTPUTF8": True, "authenticator": authenticator}
    if kind == "starttls":
        assert certificates is not None
        options |= {"tls_context": certificates.server_context(), "require_starttls": True, "auth_required": True}
    elif kind == "tls":
        assert certificates is not None
        options |= {"ssl_context": certificates.server_context(), "auth_required": True, "auth_require_tls": False}
    elif kind == "auth-no-starttls":
        options |= {"auth_required": True, "auth_require_tls": False}
    elif kind == "plain":  # a trusted relay on the LAN: no TLS, no AUTH
        pass
    else:
        raise ValueError(kind)
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port("127.0.0.1"), **options)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()
