"""What a send did to its messages: one result type from the outbox's groups up to the flows' totals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields


@dataclass
class SendCounts(Mapping[str, int]):
    """Messages sent, bounced (and of those, escalated to the unit above) and failed (still owed).

    Also a read-only mapping (`counts["sent"]`, `counts.get("failed", 0)`): the bench and tests read the result
    of send_outbox_batch that way, as they did when it was a dict."""

    sent: int = 0
    bounced: int = 0
    failed: int = 0
    escalated: int = 0
    # Rows a dead sender left behind, settled before the send (cascade.delivery.outbox_recovery).
    requeued: int = 0
    in_doubt_delivered: int = 0
    in_doubt_resent: int = 0

    def add(self, other: Mapping[str, int]) -> SendCounts:
        """Add another send's counts into these (in place); returns self."""
        for name in self:
            setattr(self, name, getattr(self, name) + other.get(name, 0))
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __getitem__(self, key: str) -> int:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return int(getattr(self, key))

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in fields(self))

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)
