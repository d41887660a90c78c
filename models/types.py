"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import AutoString

from cascade.core.clock import utcnow  # noqa: F401  (re-exported by models: the tables' default timestamps)

E = TypeVar("E", bound=StrEnum)


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
