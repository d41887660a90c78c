"""What a send did to its messages: one result type from the outbox's groups up to the flows' totals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class SendCounts:
    """Messages sent, bounced (and of those, escalated to the unit above) and failed (still owed)."""

    sent: int = 0
    bounced: int = 0
    failed: int = 0
    escalated: int = 0
    # Rows a dead sender left behind, settled before the send (cascade.delivery.outbox_recovery).
    requeued: int = 0
    in_doubt_delivered: int = 0
    in_doubt_resent: int = 0

    def add(self, other: SendCounts) -> SendCounts:
        """Add another send's counts into these (in place); returns self."""
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
