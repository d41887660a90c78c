"""One message of a send call over an SMTP connection: its envelope and DATA, retried on a temporary failure,
and what each kind of refusal does to its row (cascade.delivery.replies reads the replies)."""

from __future__ import annotations

import asyncio

import aiosmtplib

from cascade.core.failpoints import failpoint
from cascade.delivery import smtp_wire
from cascade.delivery.mailmessage import Mail, build_email
from cascade.delivery.relay import RelayError
from cascade.delivery.replies import Fault, Reply, fault_of
from cascade.delivery.send_call import SendCall


async def deliver(sender: SendCall, mail: Mail, smtp: aiosmtplib.SMTP | None) -> tuple[bool, aiosmtplib.SMTP | None]:
    """Deliver one row of a 'sending' group, retrying temporary failures.

    Returns (accepted, connection to reuse); a refused or failed row is settled here, an accepted one by the
    caller with the rest of its group. A refusal that is the relay's fault on the last try stops the send."""
    data = sender.sign(build_email(sender.settings, mail, sender.documents.of(mail.document_id)))
    # Our own MIME, ASCII addresses: sent as it is (cascade.delivery.smtp_wire); else aiosmtplib's commands.
    plain = mail.to_addr.isascii() and sender.sender.isascii() and smtp_wire.wire_ready(data)
    error, unreachable = "not tried", False
    relay_fault: RelayError | None = None  # the last try's failure, when it was the relay refusing us
    for delay in [0.0, *sender.delivery.retry_delays]:
        if sender.halted:
            break
        if delay:
            await asyncio.sleep(delay)
        if sender.accepted_by_log(mail):
            return True, smtp  # the lost 250 was an acceptance after all
        stage, relay_fault = "connect", None
        try:
            if smtp is None or not smtp.is_connected:
                smtp = await sender.relay.connect()
            # An internationalised address (the org file allows one) needs SMTPUTF8 on the envelope. A relay
            # without it would refuse MAIL FROM, the relay's fault by the RFCs: that address bounces instead.
            if not mail.to_addr.isascii() and not smtp.supports_extension("smtputf8"):
                raise UnicodeError("the mail relay does not take internationalised addresses (no SMTPUTF8)")
            await sender.pacer.wait()
            stage = "mail"
            if plain:
                await smtp_wire.mail_from(smtp, sender.sender)
            else:
                await smtp.mail(sender.sender, options=[] if mail.to_addr.isascii() else ["SMTPUTF8"])
            stage = "rcpt"
            await (smtp_wire.rcpt_to(smtp, mail.to_addr) if plain else smtp.rcpt(mail.to_addr))
            failpoint("before-data")
            stage = "data"
            mail.data_tried = True  # from here the server may accept it
            await (smtp_wire.data(smtp, data) if plain else smtp.data(data))
            failpoint("after-accept")  # the one window left: accepted, not yet in the journal
            sender.journal.record(mail.message_id or "")
            failpoint("after-journal")
            return True, smtp
        except RelayError as exc:  # connecting: the login, the certificate, STARTTLS, a refused greeting
            error, relay_fault, smtp = str(exc), exc, None
            if not exc.temporary:
                break  # a setting must change: trying again changes nothing (and may lock the account)
        except aiosmtplib.SMTPResponseException as exc:
            reply = Reply(exc.code, exc.message, stage)
            error, unreachable = str(reply), False
            await reset(smtp)
            fault = fault_of(reply)
            if fault is Fault.recipient:
                sender.queue.extend(await sender.db(sender.rows.bounce, mail, error))
                return False, smtp
            if fault in (Fault.relay, Fault.relay_later):
                relay_fault = sender.relay.refused(reply)  # retried; refused on the last try too, the send stops
        except (UnicodeError, ValueError) as exc:  # an address this server cannot take: retrying won't help
            await reset(smtp)
            sender.queue.extend(await sender.db(sender.rows.bounce, mail, f"{type(exc).__name__}: {exc}"))
            return False, smtp
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # A lost connection during DATA may hide an acceptance: the next try asks the delivery log first.
            error = f"{type(exc).__name__}: {exc}"
            unreachable = isinstance(exc, aiosmtplib.SMTPConnectError | ConnectionRefusedError)
            if smtp is not None:
                smtp.close()
            smtp = None
    if relay_fault is not None:
        sender.stop(relay_fault)
    elif unreachable:
        sender.server_down = True  # even the last try could not connect: leave the rest for a rerun
    if sender.accepted_by_log(mail):
        return True, smtp
    await sender.db(sender.rows.settle_failed, [mail], sender.halted or error)
    return False, smtp


async def reset(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is not None and smtp.is_connected:
        try:
            await smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            smtp.close()
