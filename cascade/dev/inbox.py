"""The local inbox: the .eml files the demo's SMTP sink keeps, read back with their links (like Mailpit)."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from cascade.core.workdays import VN_TZ

# The sink names files <time_ns>-<pid>-<counter>.eml (older ones <counter>.eml): digits and dashes only.
NAME = re.compile(r"^[0-9][0-9-]{0,80}\.eml$")
# A unit's signed links: /u/<token> (acknowledge, refuse) and /r/<token> (report).
LINK = re.compile(r"https?://[^\s<>\"')]+/[ur]/[A-Za-z0-9_\-.]+")


@dataclass(frozen=True)
class InboxMessage:
    name: str  # the file name
    to: str
    sender: str
    subject: str
    date: str
    text: str
    html: str
    links: tuple[str, ...]


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    if part is None:
        return ""
    content = part.get_content()  # type: ignore[attr-defined]
    return content if isinstance(content, str) else ""


def _header(raw: bytes, name: str) -> str:
    """A header decoded the RFC 2047 way (the modern parser keeps a space between mixed encoded words)."""
    value = email.message_from_bytes(raw, policy=email.policy.compat32)[name]
    return str(make_header(decode_header(value))) if value else ""


def read_message(path: Path) -> InboxMessage:
    raw = path.read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text = _body(message, "plain")
    html = _body(message, "html")
    links = tuple(dict.fromkeys(LINK.findall(text) or LINK.findall(html)))
    try:
        when = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        when = None
    # The sink writes no Date header of its own: the file's time is when it arrived.
    when = when or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return InboxMessage(
        name=path.name,
        to=_header(raw, "To"),
        sender=_header(raw, "From"),
        subject=_header(raw, "Subject"),
        date=when.astimezone(VN_TZ).strftime("%H:%M:%S %d/%m/%Y"),
        text=text,
        html=html,
        links=links,
    )


def list_messages(maildir: Path) -> list[InboxMessage]:
    """Every message of the maildir, in the order received (file names are a counter)."""
    if not maildir.is_dir():
        return []
    return [read_message(p) for p in sorted(maildir.iterdir()) if NAME.match(p.name)]


def find_message(maildir: Path, name: str) -> InboxMessage | None:
    """One message by file name; names are checked, so no path outside the maildir can be read."""
    if not NAME.match(name):
        return None
    path = maildir / name
    return read_message(path) if path.is_file() else None


def print_inbox(maildir: Path, out: Console) -> bool:
    """`cascade inbox`: one block per message with its recipient, subject and links; False when empty."""
    messages = list_messages(maildir)
    if not messages:
        out.print(f"No mail in {maildir}. Run `cascade demo` first (or pass --dir).")
        return False
    out.print(f"[bold]{len(messages)} message(s)[/] in {maildir}:")
    for index, m in enumerate(messages, start=1):
        out.print(f"[bold]{index:>3}.[/] {escape(m.to)}", highlight=False)
        out.print(f"     [dim]{m.date}[/] {escape(m.subject)}", highlight=False, overflow="ellipsis", no_wrap=True)
        for link in m.links:
            out.print(f"     [link={link}]{link}[/link]", highlight=False, soft_wrap=True)
    out.print(
        "Open a link in a browser to confirm receipt as that unit "
        "(the web app must be running: `cascade demo --serve`)."
    )
    return True
