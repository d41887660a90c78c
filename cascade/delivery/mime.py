"""Builds the bytes of a notice so that Vietnamese subjects and names survive every hop, and fast.

Python's newer email API (EmailMessage with policy.SMTP) folds long non-ASCII subjects into encoded words
split at a space, and the space is lost on decoding ("tiếp nhận" arrives as "tiếpnhận"). The legacy API keeps
spaces inside the encoded words but costs about 3 ms a message in header folding and flattening, more than
the SMTP exchange itself at national scale. So the message is written here directly: RFC 2047 encoded words
that each hold whole characters (spaces included), base64 bodies (RFC 2045, 76-character lines), CRLF line
ends. The result parses with the standard library to the same headers and bodies (tests check it)."""

from __future__ import annotations

import base64
import secrets
from email.utils import formatdate, parseaddr
from functools import lru_cache

CRLF = "\r\n"
# 42 bytes of UTF-8 make a 68-character encoded word: within RFC 2047's 75, and "Subject: " plus one word
# stays within the 78 characters a header line should keep to.
_WORD_BYTES = 42
# Printable ASCII that cannot start an encoded word ("=?") or end a header: such a subject goes out unencoded.
_SAFE_ASCII = frozenset(" !#$%&'*+-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~.,:;[]()")


def encoded_words(value: str) -> str:
    """`value` as RFC 2047 base64 encoded words, folded one per line; plain ASCII text stays as it is."""
    if len(value) <= 70 and all(c in _SAFE_ASCII for c in value):
        return value
    data, words, start = value.encode(), [], 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # never cut inside a character's UTF-8 bytes
            end -= 1
        words.append(data[start:end])
        start = end
    return (CRLF + " ").join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


@lru_cache(maxsize=64)
def address(value: str, name: str | None = None) -> str:
    """An address header value (`Name <addr>`), its display name encoded when it needs to be."""
    display, addr = parseaddr(value) if name is None else (name, value)
    if not display:
        return addr
    if display.isascii() and all(c.isalnum() or c in " .-'" for c in display):
        return f"{display} <{addr}>"
    # One encoded word, however long, as email.utils.formataddr writes it: parsers of address headers
    # (Python's among them) put a space between adjacent encoded words of a display name.
    return f"=?utf-8?b?{base64.b64encode(display.encode()).decode()}?={CRLF} <{addr}>"


def _part(content_type: str, body: str) -> str:
    encoded = base64.encodebytes(body.encode()).decode().replace("\n", CRLF)
    return (
        f'Content-Type: {content_type}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
        f"Content-Transfer-Encoding: base64{CRLF}{CRLF}{encoded}"
    )


def mime_bytes(
    *, sender: str, to_addr: str, to_name: str, subject: str, text: str, html: str, headers: dict[str, str]
) -> bytes:
    """A multipart/alternative message (plain text and HTML) ready for SMTP DATA.

    An internationalised address (allowed by the org file) goes out raw in UTF-8, which SMTPUTF8 permits."""
    boundary = f"=_cascade_{secrets.token_hex(12)}"
    lines = [
        f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"',
        "MIME-Version: 1.0",
        f"From: {address(sender)}",
        f"To: {address(to_addr, to_name or None)}",
        f"Subject: {encoded_words(subject)}",
        f"Date: {formatdate(usegmt=True)}",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    body = CRLF.join(
        [
            "",
            f"--{boundary}",
            _part("text/plain", text),
            f"--{boundary}",
            _part("text/html", html),
            f"--{boundary}--",
            "",
        ]
    )
    return (CRLF.join(lines) + CRLF + body).encode()
