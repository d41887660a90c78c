"""What a unit gives on its pass-on form (its number, its signer, in author mode its own text), and why an
issue of its implementing directive may be refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cascade.replies.signer import Signer


class AlreadyPassedOn(ValueError):
    """The unit's implementing directive of this assignment was issued already (a second form POST)."""


class NumberUsed(ValueError):
    """The number a unit wrote is already used that year, or its register is past it."""

    def __init__(self, sequence: int) -> None:
        super().__init__(f"number {sequence} is already used, or the unit's register is past it")
        self.sequence = sequence


@dataclass(frozen=True)
class Draft:
    """What a unit gives on its pass-on form; None = the default. `sequence`: the number it gives (checked
    against its register; default the register's next); `signer` (default its signer on record). Author mode
    also writes the summary, body, report deadline and tasks."""

    sequence: int | None = None
    signer: Signer | None = None
    summary: str | None = None
    body: str | None = None
    report_due: date | None = None
    tasks: tuple[str, ...] = ()
