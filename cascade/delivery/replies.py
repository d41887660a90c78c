"""Whose fault a refusal is: an SMTP reply read as RFC 5321 and RFC 3463 (enhanced status codes) mean it.

Only the recipient's own failures bounce a message and tell the unit above that an address is bad: a mailbox
that does not exist or is disabled (X.1.x addressing, X.2.x mailbox status), or a plain 550/551/553 answered to
RCPT TO. Everything else is the relay's, or this system's, fault and no address is to blame: a login required
(530) or refused (535), a policy (X.7.x, "relaying denied"), the relay's own trouble (X.3.x, X.4.x, X.5.x), the
sender address refused (MAIL FROM, X.1.7/X.1.8), and any 4xx. Bouncing those as bad addresses is what turned a
relay that wanted a login into thousands of "bad address" notices (issue 19)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# RFC 3463 §2: class.subject.detail, the class agreeing with the basic code's first digit.
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
# Relays that refuse to relay without an enhanced code say so in words (Exim: "550 relay not permitted").
_RELAY_WORDS = re.compile(r"\brelay(ing)?\b.*\b(denied|not permitted|not allowed|prohibited|refused)\b", re.I)


class Fault(StrEnum):
    """What a refusal means for the message and for the send."""

    recipient = "recipient"  # the address is bad for good: bounce this message, tell the unit above
    recipient_later = "recipient_later"  # this mailbox cannot take it now (full, busy): owed, the others go on
    relay = "relay"  # the relay refuses us, whatever the recipient: stop the send, nothing bounces
    relay_later = "relay_later"  # the relay has trouble now: retry with backoff, then stop; nothing bounces


@dataclass(frozen=True)
class Reply:
    """One SMTP reply and the command it answered ("connect", "auth", "mail", "rcpt" or "data")."""

    code: int
    text: str
    stage: str

    @property
    def enhanced(self) -> tuple[int, int, int] | None:
        """The RFC 3463 code at the start of the text, when it agrees with the basic code's class."""
        found = _ENHANCED.match(self.text)
        if found is None or int(found[1]) != self.code // 100:
            return None
        return int(found[1]), int(found[2]), int(found[3])

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


def fault_of(reply: Reply) -> Fault:
    """Whose fault a 4xx or 5xx reply is (a 2xx or 3xx is not a refusal: asking is a mistake)."""
    if reply.code < 400:
        raise ValueError(f"{reply} is not a refusal")
    permanent = reply.code >= 500
    relay = Fault.relay if permanent else Fault.relay_later
    recipient = Fault.recipient if permanent else Fault.recipient_later
    if reply.stage not in ("rcpt", "data"):
        return relay  # the greeting, the login, MAIL FROM: refused whoever the message is for
    enhanced = reply.enhanced
    if enhanced is None:
        if _RELAY_WORDS.search(reply.text):
            return relay
        if reply.stage == "rcpt" and reply.code in (550, 551, 553):
            return Fault.recipient
        if reply.stage == "rcpt" and reply.code in (450, 552):
            return Fault.recipient_later  # 552 to RCPT TO is temporary (RFC 5321 §4.5.3.1.10)
        return relay  # 554 "transaction failed", 451, 452 …: nothing says the address is to blame
    _, subject, detail = enhanced
    if subject == 1 and detail not in (7, 8):  # X.1.7 and X.1.8 are about the sender's address
        return recipient
    if subject == 2 and detail != 3:  # X.2.3, message too long: the relay's limit, a setting to change
        return recipient
    if subject == 4 and permanent and reply.stage == "rcpt":
        return Fault.recipient  # no route to that address for good (5.4.4 unroutable domain, 5.4.1 rejected)
    return relay  # X.3 mail system, X.4 routing for now, X.5 protocol, X.6 content, X.7 security or policy
