"""How autogenerate writes the project's column types into a revision: as the plain SQL types they store.

A revision must read the same in ten releases, so it never imports the models' Python types (an enum class
renamed later would break every old revision): StrEnumType is a VARCHAR, UTCDateTime a timezone-aware
TIMESTAMP, SQLModel's AutoString a VARCHAR."""

from __future__ import annotations

from typing import Any, Literal

from sqlmodel.sql.sqltypes import AutoString

from models.types import StrEnumType, UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    if type_ != "type":
        return False
    if isinstance(obj, StrEnumType | AutoString):
        length = getattr(obj, "length", None) or getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
