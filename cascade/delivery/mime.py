"""Builds the bytes of a notice so that Vietnamese subjects and names survive every hop, and fast.

Python's newer email API (EmailMessage with policy.SMTP) folds long non-ASCII subjects into encoded words
split at a space, and the space is lost on decoding ("tiếp nhận" arrives as "tiếpnhận"). The legacy API keeps
spaces inside the encoded words but costs about 3 ms a message in header folding and flattening, more than
the SMTP exchange itself at national scale. So the message is written here directly: RFC 2047 encoded words
that each hold whole characters (spaces included), base64 bodies (RFC 2045, 76-character lines), CRLF line
ends. The result parses with the standard library to the same headers and bodies (tests check it).

A notice also carries its directive's whole document (15–40 KB, the same in every notice) and its signed
original. Both are encoded once per send call, not once per message: a `SharedBody` is the document's base64,
and the unit's own text before it is padded (with spaces, before its last line end: invisible) to whole
57-byte base64 lines, so that the encoded cover, document and tail simply follow each other. Encoding Plan
252's notice and a 40 KB original anew took 0.4-0.7 ms a message, against 0.1-0.2 ms this way
(docs/benchmarks.md, bench.document_send)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate, parseaddr
from functools import lru_cache
from urllib.parse import quote

CRLF = "\r\n"
# 42 bytes of UTF-8 make a 68-character encoded word: within RFC 2047's 75, and "Subject: " plus one word
# stays within the 78 characters a header line should keep to.
_WORD_BYTES = 42
# Printable ASCII that cannot start an encoded word ("=?") or end a header: such a subject goes out unencoded.
_SAFE_ASCII = frozenset(" !#$%&'*+-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~.,:;[]()")
# base64.encodebytes writes 57 bytes of input per 76-character line.
_LINE_BYTES = 57


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


@lru_cache(maxsize=16)
def _addr_spec(value: str) -> str:
    # a batch's messages share their sender: parsed once, not once a message (a tenth of building one)
    return parseaddr(value)[1]


@lru_cache(maxsize=256)
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


class WireBytes(bytes):
    """Bytes fit for SMTP DATA as they are: CRLF line ends only, no line starting with a dot. Only this module
    makes them (base64, and header text it checked), so the sender need not scan each message again for what
    aiosmtplib's `data` would rewrite (cascade.delivery.smtp_wire)."""


def fits_wire(text: str) -> bool:
    """Header text that keeps a message WireBytes: every line end CRLF, no line that starts with a dot."""
    line_ends = text.count(CRLF)
    return text.count("\n") == line_ends == text.count("\r") and "\n." not in text and not text.startswith(".")


def _wire(parts: Sequence[bytes], header_text: str | None = None) -> bytes:
    """The parts joined: WireBytes when each is (the first, with `header_text`, when that text fits the wire)."""
    joined = b"".join(parts)
    rest = parts if header_text is None else parts[1:]
    ready = all(isinstance(p, WireBytes) for p in rest if p) and (header_text is None or fits_wire(header_text))
    return WireBytes(joined) if ready else joined


def _glue(text: str) -> WireBytes:
    """A line of this module's own (boundaries, part headers): CRLF line ends, no leading dot."""
    return WireBytes(text.encode())


def _base64(data: bytes) -> WireBytes:
    return WireBytes(base64.encodebytes(data).replace(b"\n", b"\r\n"))


@dataclass(frozen=True)
class SharedBody:
    """A document spliced into many bodies: its bytes padded to whole base64 lines, encoded once."""

    encoded: bytes

    @classmethod
    def of(cls, text: str) -> SharedBody:
        return cls(_base64(_pad(text.encode())))


def _pad(data: bytes) -> bytes:
    """`data` made a whole number of base64 lines long with spaces, put before its final line end if it has
    one (trailing spaces on a line are not seen in text, and whitespace between HTML tags is one space)."""
    missing = -len(data) % _LINE_BYTES
    if not missing:
        return data
    if data.endswith(b"\n"):
        return data[:-1] + b" " * missing + b"\n"
    return data + b" " * missing


def body_bytes(text: str, shared: SharedBody | None = None, marker: str = "") -> bytes:
    """The base64 of `text`, with `shared` standing where `marker` is (once); without it, `text` as it is."""
    if shared is None:
        return _base64(text.encode())
    head, found, tail = text.partition(marker)
    if not found:
        raise ValueError("a body that shares a document has no place marked for it")
    return _wire([_base64(_pad(head.encode())), shared.encoded, _base64(tail.encode()) if tail else b""])


def _part(content_type: str, body: bytes) -> list[bytes]:
    head = f'Content-Type: {content_type}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
    return [_glue(head + f"Content-Transfer-Encoding: base64{CRLF}{CRLF}"), body]


def attachment_part(name: str, mime: str, data: bytes) -> bytes:
    """A file as a MIME part (encoded once, reused by every message that carries it).

    Its name goes in twice: RFC 2231 (`filename*=utf-8''…`, split into continuations so no line passes 78
    characters) for the clients that read it, which is nearly all, and an RFC 2047 `name=` for older ones."""
    head = [
        f'Content-Type: {mime};{CRLF} name="{encoded_words(name)}"',
        f"Content-Disposition: attachment;{CRLF} {_rfc2231_filename(name)}",
        "Content-Transfer-Encoding: base64",
        "",
        "",
    ]
    text = CRLF.join(head)
    return _wire([text.encode(), _base64(data)], text)


def _rfc2231_filename(name: str) -> str:
    chunks = [""]
    for char in name:  # sections cut between characters, never inside one's UTF-8 escapes
        escaped = quote(char, safe="")
        if len(chunks[-1]) + len(escaped) > 48:
            chunks.append("")
        chunks[-1] += escaped
    if len(chunks) == 1:
        return f"filename*=utf-8''{chunks[0]}"
    first, *rest = chunks
    params = [f"filename*0*=utf-8''{first}", *(f"filename*{i}*={c}" for i, c in enumerate(rest, start=1))]
    return (";" + CRLF + " ").join(params)


def mime_bytes(
    *,
    sender: str,
    to_addr: str,
    to_name: str,
    subject: str,
    text: bytes | str,
    html: bytes | str,
    headers: dict[str, str],
    sender_name: str | None = None,
    attachments: Sequence[bytes] = (),
) -> bytes:
    """A multipart/alternative message (plain text and HTML) ready for SMTP DATA; with attachments (parts from
    attachment_part), a multipart/mixed holding it and them. `text` and `html` are the bodies, or their
    base64 as body_bytes writes it. `sender_name` replaces the display name of `sender` (its address stays).

    An internationalised address (allowed by the org file) goes out raw in UTF-8, which SMTPUTF8 permits."""
    alternative = f"=_cascade_{secrets.token_hex(12)}"
    from_value = address(sender) if not sender_name else address(_addr_spec(sender), sender_name)
    if attachments:
        mixed = f"=_cascade_{secrets.token_hex(12)}"
        top = f'Content-Type: multipart/mixed;{CRLF} boundary="{mixed}"'
    else:
        top = f'Content-Type: multipart/alternative;{CRLF} boundary="{alternative}"'
    lines = [
        top,
        "MIME-Version: 1.0",
        f"From: {from_value}",
        f"To: {address(to_addr, to_name or None)}",
        f"Subject: {encoded_words(subject)}",
        f"Date: {formatdate(usegmt=True)}",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    header_text = CRLF.join(lines) + CRLF  # the values in it come from rows and settings: checked by _wire
    out = [header_text.encode()]
    if attachments:
        nested = f'Content-Type: multipart/alternative;{CRLF} boundary="{alternative}"{CRLF}'
        out.append(_glue(f"{CRLF}--{mixed}{CRLF}{nested}"))
    out += [
        _glue(f"{CRLF}--{alternative}{CRLF}"),
        *_part("text/plain", text if isinstance(text, bytes) else body_bytes(text)),
        _glue(f"{CRLF}--{alternative}{CRLF}"),
        *_part("text/html", html if isinstance(html, bytes) else body_bytes(html)),
        _glue(f"{CRLF}--{alternative}--{CRLF}"),
    ]
    for part in attachments:
        out += [_glue(f"{CRLF}--{mixed}{CRLF}"), part]
    if attachments:
        out.append(_glue(f"{CRLF}--{mixed}--{CRLF}"))
    return _wire(out, header_text)
