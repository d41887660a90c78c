"""A directive uploaded in the console and not yet launched: the directive file it became, what was wrong with it,
and, once launched, the directive and the flow run that carries it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class DraftState(StrEnum):
    draft = "draft"  # previewed, corrected, nothing sent
    launched = "launched"  # stored as a directive and handed to its flow run (once: the launch is a claim)


class DirectiveDraft(SQLModel, table=True):
    __tablename__ = "directive_draft"

    id: int | None = Field(default=None, primary_key=True)
    # The unit it is issued as, and who uploaded it.
    issuer_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    created_by_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    # What was uploaded: its file name and kind ("yaml", "docx", "txt", "md").
    source_name: str = Field(max_length=300)
    source_kind: str = Field(max_length=10)
    # The directive file (YAML) it reads as now, after the clerk's corrections: the one format a launch reads.
    spec_yaml: str = Field(sa_column=Column(Text, nullable=False))
    # The signed original uploaded beside it, kept by content hash under the data folder's originals/.
    original_name: str | None = Field(default=None, max_length=300)
    original_sha256: str | None = Field(default=None, max_length=64)
    # The problems found at the last preview: [{"field": …, "line": …, "message": …}]; a draft with any is not
    # launchable.
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Only for a unit's implementing plan written in the console: the directive it implements.
    basis_directive_id: int | None = Field(default=None, foreign_key="directive.id")
    state: DraftState = Field(default=DraftState.draft, sa_type=StrEnumType(DraftState, 20), index=True)
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    launched_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    launched_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    flow_run_id: str | None = Field(default=None, max_length=64)
    flow_run_url: str | None = Field(default=None, max_length=500)
