"""Column types shared by the tables."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_clock_origins: dict[str, datetime] = {}


def utcnow() -> datetime:
    """The current instant. CASCADE_CLOCK_START (an ISO instant) replays history: the clock starts there and
    runs on in real time, for the demo of a 2021 directive and for tests. Never set it in production."""
    real = datetime.now(UTC)
    start = os.environ.get("CASCADE_CLOCK_START")
    if not start:
        return real
    origin = _clock_origins.setdefault(start, real)
    base = datetime.fromisoformat(start)
    if base.tzinfo is None:
        raise ValueError("CASCADE_CLOCK_START needs a time zone, e.g. 2021-05-20T08:00:00+07:00")
    return base.astimezone(UTC) + (real - origin)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes and always gives them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
