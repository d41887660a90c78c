"""Messages sent as they are (cascade.delivery.smtp_wire) are exactly what aiosmtplib's own DATA would send."""

from __future__ import annotations

import asyncio

import aiosmtplib
import pytest
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

from cascade.delivery import smtp_wire
from cascade.delivery.mime import SharedBody, WireBytes, attachment_part, body_bytes, mime_bytes
from cascade.dev.smtp_sink import SmtpSink

MARK = "\x1fdoc\x1f"


def notice(key: str = "notice:7", **extra: str) -> bytes:
    shared = SharedBody.of(".Dòng bắt đầu bằng dấu chấm\n" * 30)
    text = body_bytes("Kính gửi: Công đoàn cơ sở\n" + MARK + "\n.\n", shared, MARK)
    return mime_bytes(
        sender="LĐLĐ tỉnh <no-reply@cascade.example>",
        to_addr="cdcs@laichau.example",
        to_name="Công đoàn cơ sở Trường THPT",
        subject="Kế hoạch số 252/KH-LĐLĐ",
        text=text,
        html="<p>.</p>\n.\n",
        headers={"Message-ID": "<notice-7.1@cascade.example>", "X-Cascade-Key": key, **extra},
        attachments=[attachment_part("Kế hoạch 252.pdf", "application/pdf", b"%PDF\n.\r\n" * 100)],
    )


def aiosmtplib_would_send(message: bytes) -> bytes:
    """The bytes aiosmtplib's DATA puts on the wire before its final dot (its own two rewrites)."""
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message))


def test_our_messages_need_no_rewriting() -> None:
    message = notice()
    assert isinstance(message, WireBytes) and smtp_wire.wire_ready(message)
    assert aiosmtplib_would_send(message) == message


@pytest.mark.parametrize(
    "raw",
    [b"Subject: x\n\r\nbody\r\n", b"Subject: x\r\n\r\n.body\r\n", b"Subject: x\r\n\r\nbody", b"S: x\r\n\rbody\r\n"],
)
def test_bytes_that_would_be_rewritten_are_not_ready(raw: bytes) -> None:
    assert aiosmtplib_would_send(raw if raw.endswith(b"\r\n") else raw + b"\r\n") != raw
    assert not smtp_wire.wire_ready(raw)


def test_a_header_value_with_a_bare_line_end_is_not_marked_ready() -> None:
    message = notice(**{"X-Odd": "a\n.b"})
    assert not isinstance(message, WireBytes) and not smtp_wire.wire_ready(message)


def test_the_server_receives_the_same_message_either_way(mailbox: SmtpSink) -> None:
    """One message through smtp_wire, one through aiosmtplib's commands: the sink holds them identical."""
    port, message = mailbox.port, notice()

    async def send_both() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        await smtp_wire.mail_from(smtp, "no-reply@cascade.example")
        await smtp_wire.rcpt_to(smtp, "cdcs@laichau.example")
        await smtp_wire.data(smtp, message)
        await smtp.sendmail("no-reply@cascade.example", ["cdcs@laichau.example"], bytes(message))
        await smtp.quit()

    asyncio.run(send_both())
    fast, slow = ((m.mail_from, m.rcpt_tos, m.message.as_bytes()) for m in mailbox.messages)
    assert fast == slow
