"""Column types shared by the tables."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import AutoString

E = TypeVar("E", bound=StrEnum)

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


# Operators whose right side is a pattern or a fragment, not a value of the column (`event LIKE 'escalation_%'`).
_PATTERN_OPERATORS = frozenset(
    {
        operators.like_op,
        operators.not_like_op,
        operators.ilike_op,
        operators.not_ilike_op,
        operators.startswith_op,
        operators.not_startswith_op,
        operators.istartswith_op,
        operators.not_istartswith_op,
        operators.endswith_op,
        operators.not_endswith_op,
        operators.iendswith_op,
        operators.not_iendswith_op,
        operators.contains_op,
        operators.not_contains_op,
        operators.icontains_op,
        operators.not_icontains_op,
        operators.regexp_match_op,
        operators.not_regexp_match_op,
        operators.regexp_replace_op,
        operators.concat_op,
    }
)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A StrEnum column stored as its value in a VARCHAR(length): the DDL and the stored values of the plain string
    column it replaces (no native PostgreSQL enum type, no CHECK constraint), so existing databases keep working.

    Writes take a member or its value and bind the value (anything else is a ValueError); reads give the member
    back (a value no member has, written by hand, comes back as the plain string it is)."""

    impl = AutoString
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum = enum
        self.length = length
        self._members: dict[str, E] = {member.value: member for member in enum}

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        member = self._members.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a {self.enum.__name__} ({', '.join(self._members)})")
        return member.value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self._members.get(value, value)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self.impl_instance if op in _PATTERN_OPERATORS else self

    @property
    def python_type(self) -> type[E]:
        return self.enum
