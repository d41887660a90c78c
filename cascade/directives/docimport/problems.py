"""What the importer could not read: the field, the line it looked at, what it found and what it expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportProblem:
    field: str  # a directive-file key (number, issued_on, recipients ...), or "file", "org", "map"
    message: str  # what was looked at and what was expected
    line: int | None = None  # the line of the document it is about

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.field}{where}: {self.message}"

    def render(self, file: str) -> str:
        """As the command line prints it: FILE:LINE [field]: message, like every other input error."""
        return f"{file}{f':{self.line}' if self.line else ''} [{self.field}]: {self.message}"


class DocumentReadError(Exception):
    """The file cannot be read as a document; the message says why and what to do."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line = message, line
