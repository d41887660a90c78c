"""DKIM signatures (RFC 6376) on the mail sent, with dkimpy, when a key is configured.

Receiving servers check the signature against the public key published at <selector>._domainkey.<domain>;
official notices from a new sender without one are the first to land in spam. The message is signed as the
relay gets it, once per message (its retries resend the same bytes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import dkim

from cascade.core.settings import DeliverySettings

# What a receiver must see unchanged. Auto-Submitted is signed where present and, where absent, signed as absent
# (RFC 6376 §5.4): nobody can add it on the way, or add a second From or Subject.
SIGNED_HEADERS = (
    b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type", b"auto-submitted",
)  # fmt: skip
# relaxed/relaxed: a relay that refolds a header or changes trailing whitespace does not break the signature.
CANONICALIZE = (b"relaxed", b"relaxed")


class DkimKeyError(ValueError):
    """The DKIM key file cannot be used; nothing was signed or sent."""


Signer = Callable[[bytes], bytes]


def dkim_signer(delivery: DeliverySettings) -> Signer:
    """A function that signs a message (returns it with its DKIM-Signature on top), or leaves it as it is when
    no key is configured. The key is read and tried once here, so a bad key stops a send before it starts."""
    if not delivery.dkim_key_file:
        return _unsigned
    assert delivery.dkim_selector and delivery.dkim_domain  # the settings require all three together
    key = _key(delivery.dkim_key_file)
    selector, domain = delivery.dkim_selector.encode(), delivery.dkim_domain.encode()

    def sign(message: bytes) -> bytes:
        signature = dkim.sign(
            message, selector, domain, key, canonicalize=CANONICALIZE, include_headers=list(SIGNED_HEADERS)
        )
        return signature + message

    try:
        sign(b"From: check@" + domain + b"\r\nSubject: key check\r\n\r\nkey check\r\n")
    except (dkim.DKIMException, ValueError) as exc:  # a bad PEM is a binascii.Error (a ValueError)
        raise DkimKeyError(f"CASCADE_DKIM_KEY_FILE={delivery.dkim_key_file}: not a usable private key ({exc})") from exc
    return sign


def _unsigned(message: bytes) -> bytes:
    return message


def _key(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DkimKeyError(f"CASCADE_DKIM_KEY_FILE={path}: cannot read it ({exc.strerror})") from exc
