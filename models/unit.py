"""Organisation units: a tree of any depth, kept as data (units merge, dissolve, name a successor)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class UnitBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=64, index=True)
    email: str = Field(max_length=320)
    # Symbol used in the numbers of the directives this unit issues (e.g. "LĐLĐ"); defaults to the code.
    symbol: str | None = Field(default=None, max_length=64)


class Unit(UnitBase, table=True):
    # A unit's active children (the pass-on form, on every acknowledgement): without it SQLite picks
    # ix_unit_active, i.e. nearly every row of a 100,000-unit tree.
    __table_args__ = (Index("ix_unit_parent_active", "parent_id", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    active: bool = Field(default=True, index=True)
    successor_id: int | None = Field(default=None, foreign_key="unit.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))

    @property
    def number_symbol(self) -> str:
        return self.symbol or self.code


class UnitPublic(UnitBase):
    id: int
    parent_id: int | None
    active: bool
