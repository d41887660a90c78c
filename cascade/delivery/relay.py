"""The connection to the mail relay: TLS (STARTTLS on 587, implicit on 465, none for a trusted relay on 25),
the certificate verified, the login, and the pace the sender keeps to.

Whatever stops the relay from taking mail from this system, whoever the mail is for, is a RelayError naming its
cause and the setting that fixes it. The sender stops on it and leaves every message owed: nothing bounces, and
after the fix the next send delivers them."""

from __future__ import annotations

import asyncio
import ssl
import time
from pathlib import Path

import aiosmtplib

from cascade.core.settings import DeliverySettings
from cascade.delivery.replies import Fault, Reply, fault_of


class RelayError(RuntimeError):
    """The relay does not take mail from us. `temporary`: it may later (a 4xx, an outage), and a retry of the
    whole send may succeed; otherwise a setting must change first (the login, the TLS mode, the CA file)."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary

    def __reduce__(self) -> tuple[type[RelayError], tuple[str], dict[str, bool]]:
        # Kept whole when it crosses from a process-pool task (CASCADE_DISPATCH_PROCESSES > 1) to its flow.
        return type(self), (str(self),), {"temporary": self.temporary}


class Relay:
    """How one send call reaches the relay: its address, TLS context and login, checked before anything is sent."""

    def __init__(self, delivery: DeliverySettings) -> None:
        self.delivery = delivery
        self.where = (
            f"the mail relay {delivery.smtp_host}:{delivery.smtp_port} (CASCADE_SMTP_SECURITY={delivery.smtp_security})"
        )
        if delivery.smtp_port == 465 and delivery.smtp_security != "tls":
            # Port 465 speaks TLS from its first byte: a plain greeting never comes, and each try would wait for
            # CASCADE_SMTP_TIMEOUT before failing.
            raise RelayError(f"{self.where}: port 465 is implicit TLS; set CASCADE_SMTP_SECURITY=tls")
        self.login = _login(delivery)
        self.tls: ssl.SSLContext | None = None
        if delivery.smtp_security != "none":
            try:
                # Verification on, hostname checked; a CA file replaces the system's CAs (a private CA).
                self.tls = ssl.create_default_context(cafile=delivery.smtp_ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise RelayError(
                    f"CASCADE_SMTP_CA_FILE={delivery.smtp_ca_file}: not a readable PEM file ({exc})"
                ) from None

    async def connect(self) -> aiosmtplib.SMTP:
        """A connection ready for MAIL FROM: greeted, encrypted as configured, logged in.

        Raises RelayError when the relay refuses us; an unreachable relay (refused, timed out) raises what
        aiosmtplib raises, for the caller's retries."""
        d = self.delivery
        smtp = aiosmtplib.SMTP(
            hostname=d.smtp_host,
            port=d.smtp_port,
            timeout=d.smtp_timeout,
            use_tls=d.smtp_security == "tls",
            start_tls=d.smtp_security == "starttls",
            tls_context=self.tls,
        )
        try:
            await smtp.connect()
            if self.login is not None:
                await smtp.login(*self.login)
        except BaseException as exc:
            smtp.close()
            if (error := self._refusal(exc)) is not None:
                raise error from exc
            raise
        return smtp

    def _refusal(self, exc: BaseException) -> RelayError | None:
        """The RelayError that `exc`, raised while connecting, means; None for a relay that cannot be reached."""
        cause = exc if isinstance(exc, ssl.SSLError) else exc.__cause__
        if isinstance(cause, ssl.SSLCertVerificationError):
            return RelayError(
                f"{self.where}: its TLS certificate is not trusted ({cause.verify_message}). A relay with a "
                "certificate from a private CA needs that CA in CASCADE_SMTP_CA_FILE."
            )
        if isinstance(cause, ssl.SSLError):
            return RelayError(
                f"{self.where}: the TLS handshake failed ({cause.reason or cause}). Port 465 speaks TLS from the "
                "start (CASCADE_SMTP_SECURITY=tls); 587 and 25 start in plain text (starttls, none)."
            )
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
            user = self.login[0] if self.login else ""
            return RelayError(
                f"{self.where} refused the login of {user!r}: {exc.code} {exc.message}. Check CASCADE_SMTP_USERNAME "
                "and CASCADE_SMTP_PASSWORD (or _FILE). Not retried: failed logins can lock the account."
            )
        if isinstance(exc, aiosmtplib.SMTPResponseException):  # the greeting or EHLO refused
            reply = Reply(exc.code, exc.message, "connect")
            return RelayError(f"{self.where} refused the connection: {reply}", temporary=fault_of(reply) != Fault.relay)
        message = str(exc)
        if type(exc) is aiosmtplib.SMTPException and "STARTTLS extension not supported" in message:
            return RelayError(
                f"{self.where} does not offer STARTTLS, and mail is not sent unencrypted unless told to. A relay "
                "on port 465 needs CASCADE_SMTP_SECURITY=tls; only a trusted relay on your own network, none."
            )
        if type(exc) is aiosmtplib.SMTPException and "AUTH extension is not supported" in message:
            return RelayError(
                f"{self.where} offers no login (AUTH) on this connection, and CASCADE_SMTP_USERNAME is set. "
                "Most relays offer it only after STARTTLS (CASCADE_SMTP_SECURITY=starttls or tls)."
            )
        return None

    def refused(self, reply: Reply) -> RelayError:
        """The error that stops a send on a reply that is the relay's fault (fault_of: relay or relay_later)."""
        temporary = fault_of(reply) == Fault.relay_later
        said = "kept answering" if temporary else "answered"
        message = f"{self.where} {said} {reply} to {reply.stage.upper()}; nothing was bounced."
        return RelayError(f"{message} {_hint(reply, self.login is not None)}".rstrip(), temporary=temporary)


def _hint(reply: Reply, logged_in: bool) -> str:
    """What to change, when the reply says it."""
    text = reply.text.lower()
    if reply.code == 530 and "starttls" in text:
        return "It wants STARTTLS first: set CASCADE_SMTP_SECURITY=starttls."
    if reply.code == 530 or (reply.enhanced or (0, 0, 0))[1:] == (7, 0) and "auth" in text:
        return "It wants a login: set CASCADE_SMTP_USERNAME and CASCADE_SMTP_PASSWORD (or _FILE)."
    if "relay" in text:
        if logged_in:
            return "It does not relay for this login or for CASCADE_MAIL_FROM's address."
        return "It does not relay for this machine: log in (CASCADE_SMTP_USERNAME), or have the relay allow it."
    if reply.code < 500:
        return "Run the send again later (cascade dispatch); the messages are still owed."
    return ""


def _login(delivery: DeliverySettings) -> tuple[str, str] | None:
    """The user and password to log in to the relay with, or None when no user is set (no AUTH).

    The password file is read when mail is sent, not when any command starts: a command that sends nothing
    does not need it."""
    if delivery.smtp_password is not None and delivery.smtp_password_file:
        raise RelayError("set CASCADE_SMTP_PASSWORD or CASCADE_SMTP_PASSWORD_FILE, not both")
    if delivery.smtp_password_file:
        try:
            password = Path(delivery.smtp_password_file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc
            raise RelayError(
                f"CASCADE_SMTP_PASSWORD_FILE={delivery.smtp_password_file}: cannot read it ({reason})"
            ) from None
    else:
        password = delivery.smtp_password.get_secret_value() if delivery.smtp_password is not None else ""
    if not delivery.smtp_username:
        if password:
            raise RelayError("a password is set for the relay but no CASCADE_SMTP_USERNAME to log in with")
        return None
    if not password:
        raise RelayError(f"CASCADE_SMTP_USERNAME={delivery.smtp_username} is set but no password: set "
                         "CASCADE_SMTP_PASSWORD or CASCADE_SMTP_PASSWORD_FILE")  # fmt: skip
    return delivery.smtp_username, password


class Pacer:
    """Spaces the messages of one send call at least 60/rate seconds apart, over all its connections.

    Every connection asks before each message; the slots are handed out in turn on the one event loop, so no
    lock is needed and the rate holds whether the call runs in a Prefect task, the CLI or a bench."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.next_slot = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
