"""Builds the MIME message of a notice so that Vietnamese subjects and names survive every hop.

Python's newer email API (EmailMessage with policy.SMTP) folds long non-ASCII subjects into encoded words
split at a space, and the space is lost on decoding ("tiếp nhận" arrives as "tiếpnhận"). The legacy API
with email.header.Header keeps spaces inside the encoded words, so it is used here."""

from __future__ import annotations

from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr


def address(value: str, name: str | None = None) -> str:
    """An address header value with its display name encoded as UTF-8 when needed."""
    display, addr = parseaddr(value) if name is None else (name, value)
    return formataddr((display, addr), charset="utf-8") if display else addr


def build_mime(
    *, sender: str, to_addr: str, to_name: str, subject: str, text: str, html: str, headers: dict[str, str]
) -> Message:
    msg = MIMEMultipart("alternative")
    msg["From"] = address(sender)
    msg["To"] = address(to_addr, to_name or None)
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # the legacy API takes a Header
    for key, value in headers.items():
        msg[key] = value
    msg.attach(MIMEText(text, "plain", "utf-8"))
    msg.attach(MIMEText(html, "html", "utf-8"))
    return msg
