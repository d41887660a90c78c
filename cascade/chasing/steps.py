"""What the ladder chases and what it did: an item a unit owes, and a step taken on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models import Directive, Unit


@dataclass
class Item:
    """Something a unit owes: its acknowledgement ("ack"), its own implementing directive in author mode
    ("pass"), or its report for a cycle ("r1", "r2" …)."""

    assignment: Any  # an AssignmentRow: Assignment's columns, read-only
    unit: Any  # a UnitRow
    directive: Directive
    item: str
    due: date
    start: date

    @property
    def is_ack(self) -> bool:
        return self.item == "ack"


@dataclass
class Taken:
    step_id: int
    step: str
    item: Item
    supervisor: Unit | None
    officer: tuple[str | None, str]
