"""Parts of the acknowledgement POST a bench can replace, to see what each costs the server.

- `recording`: `acknowledge` answers a constant result (recorded now), and SQLite's writer thread is not used;
- `csrf`: the CSRF token's signature is not checked (the form is still parsed, as the bare endpoint parses it);
- `passon`: a unit that must pass the directive on only acknowledges it: no implementing directive issued or held
  for its signer, no pass-on deadline, no audit entry of either.

Only benches use this (bench.acks serves the app so with BENCH_ACK_WITHOUT=recording,csrf; bench.ack_cpu in its
own process): the app served so records nothing real and checks less."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

PARTS = ("recording", "csrf", "passon")


def check_parts(parts: list[str]) -> None:
    """Raise ValueError naming any part that is not one of PARTS."""
    if unknown := sorted(set(parts) - set(PARTS)):
        raise ValueError(f"unknown parts {unknown}: choose from {', '.join(PARTS)}")


def replace_parts(parts: list[str]) -> Callable[[], None]:
    """Replace the named parts in this process; returns what puts them back."""
    import cascade.replies.acknowledge
    import web.csrf
    import web.unit_pages
    from cascade.replies.acknowledge import AckResult

    check_parts(parts)
    kept: list[tuple[Any, str, Any]] = []

    def swap(owner: Any, name: str, value: Any) -> None:
        kept.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    if "recording" in parts:
        now = datetime.now(UTC)
        swap(web.unit_pages, "acknowledge", lambda *_a, **_k: AckResult(recorded=True, at=now, number="1/KH"))
        swap(web.unit_pages, "ack_writer", lambda _engine: None)
    if "csrf" in parts:
        swap(web.csrf, "check_csrf", lambda _request, _field: None)
    if "passon" in parts:
        swap(cascade.replies.acknowledge, "on_acknowledged", lambda *_a, **_k: None)

    def restore() -> None:
        for owner, name, value in reversed(kept):
            setattr(owner, name, value)

    return restore
