"""Subtasks: each task of a directive, tracked per responsible unit with its own status."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import StrEnumType, UTCDateTime, utcnow


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"


class TaskItem(SQLModel, table=True):
    # Also the index of an assignment's items: a lookup by assignment_id takes its first column.
    __table_args__ = (UniqueConstraint("assignment_id", "task_id", name="uq_task_item"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    task_id: int = Field(foreign_key="directivetask.id")
    status: TaskStatus = Field(default=TaskStatus.open, sa_type=StrEnumType(TaskStatus, 20))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
