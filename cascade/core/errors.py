"""Input errors that name the file, the line and the entry, so an administrator can fix them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    entry: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = f" [{self.entry}]" if self.entry else ""
        return f"{where}{what}: {self.message}"


@dataclass
class InputError(Exception):
    """One or more problems in an input; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
