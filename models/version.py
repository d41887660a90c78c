"""The earlier versions of an amended directive (đính chính): what each version said, kept when the next one
replaced it, with what changed and who changed it. The directive row holds the version in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class DirectiveVersion(SQLModel, table=True):
    """One earlier version of a directive: its values (fields, body, original, tasks) as they were, and the
    changes that made the next version of it."""

    __tablename__ = "directive_version"
    __table_args__ = (UniqueConstraint("directive_id", "version", name="uq_directive_version"),)

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", index=True)
    version: int  # the version these values were (the directive's `version` is the next one's, or later)
    # The directive's fields as they were, with its tasks ("tasks": [{seq, text, to, to_kinds}]).
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str | None = Field(default=None, max_length=64)
    # What the next version changed: [{"field", "label", "old", "new"}] (cascade/lifecycle/changes.py).
    changes: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reacknowledge: bool = False  # the units were asked to confirm the next version again
    actor: str = Field(default="cli", max_length=200)
    source: str = ""  # the file of the next version
    superseded_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
