"""Organisation units: a tree of any depth, kept as data (units merge, dissolve, name a successor)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
    # Its documents' heading line above its name, when that is not its parent's name (a federation under a
    # party committee in the tree is headed by its confederation: "TỔNG LĐLĐ VIỆT NAM").
    header: str | None = Field(default=None, max_length=300)
    # The place in its documents' place-and-date line ("Phong Thổ, ngày …").
    place: str | None = Field(default=None, max_length=200)
    # Who signs the documents it issues in the system (its pass-ons): none on record holds them until given.
    signer_on_behalf: str | None = Field(default=None, max_length=200)
    signer_title: str | None = Field(default=None, max_length=200)
    signer_name: str | None = Field(default=None, max_length=200)
    # Its national organ code (mã định danh, QCVN 102:2016: "000.00.01.H29"), the OrganId of its edXML packages.
    organ_id: str | None = Field(default=None, max_length=64)


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

    @property
    def is_party_body(self) -> bool:
        """A body of the Communist Party (its kind begins with "party"): headed "ĐẢNG CỘNG SẢN VIỆT NAM"."""
        return self.kind.startswith("party")

    @property
    def is_youth_union_body(self) -> bool:
        """A body of the Hồ Chí Minh Communist Youth Union (its kind begins with "youth"): headed "ĐOÀN TNCS HỒ
        CHÍ MINH"."""
        return self.kind.startswith("youth")

    @property
    def numbers_party_style(self) -> bool:
        """Its documents are numbered as the Party's and the Youth Union's are: "31-KH/TU", "15-TB/HĐTN"."""
        return self.is_party_body or self.is_youth_union_body


class UnitPublic(UnitBase):
    id: int
    parent_id: int | None
    active: bool


def final_successor(unit: Any, units_by_id: Mapping[Any, Any]) -> Any:
    """The active unit a dissolved one's work passed to, following its chain of successors (units or rows with
    `id`, `active` and `successor_id`, looked up in `units_by_id`); the unit itself when active; None when the
    chain ends without one or turns in a circle."""
    seen: set[Any] = set()
    current = unit
    while current is not None and not current.active:
        if current.id in seen or current.successor_id is None:
            return None
        seen.add(current.id)
        current = units_by_id.get(current.successor_id)
    return current
