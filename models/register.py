"""A unit's register of outgoing documents ("sổ đăng ký văn bản đi"): where its numbering stands in a year."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class DocumentRegister(SQLModel, table=True):
    """The next number a unit gives a document it issues in a year (Decree 30 Art. 15: numbers run from 01 on
    1 January to 31 December, one series per issuer). Taken by an UPDATE of this row, so two pass-ons issued at
    once never get one number."""

    __tablename__ = "document_register"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_register_unit_year"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    next_number: int = Field(default=1, ge=1)
