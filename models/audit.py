"""Append-only audit log of every transition."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from models.unit import Unit


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    event: str = Field(max_length=60, index=True)
    actor: str = Field(default="system", max_length=200)
    directive_id: int | None = Field(default=None, index=True)
    assignment_id: int | None = Field(default=None, index=True)
    # Code and name as they were at the time: history keeps a dissolved unit's name.
    unit_code: str | None = Field(default=None, max_length=64)
    unit_name: str | None = Field(default=None, max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    @classmethod
    def about(cls, event: str, unit: Unit | None, **fields: Any) -> AuditLog:
        """An entry about a unit, keeping its code and name as they are now."""
        return cls(event=event, unit_code=unit.code if unit else None, unit_name=unit.name if unit else None, **fields)
