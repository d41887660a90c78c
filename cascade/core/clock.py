"""The current instant, with the replay clock of `Settings.calendar.clock_start` (CASCADE_CLOCK_START)."""

from __future__ import annotations

from datetime import UTC, datetime

from cascade.core.settings import get_settings

# The real instant at which each replay start was first asked for: the replayed clock runs on from there.
_clock_origins: dict[datetime, datetime] = {}


def utcnow() -> datetime:
    """The current instant. A replay start (an aware instant) replays history: the clock starts there and runs on
    in real time, for the demo of a 2021 directive and for tests. Never set it in production."""
    real = datetime.now(UTC)
    start = get_settings().calendar.clock_start
    if start is None:
        return real
    origin = _clock_origins.setdefault(start, real)
    return start.astimezone(UTC) + (real - origin)
