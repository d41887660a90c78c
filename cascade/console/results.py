"""What a draft's preview says: its fields, its recipients with their roles and deadlines, what is wrong with it,
and the notice one recipient will get. Plain data, for the console's pages and its API alike."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from cascade.rendering.render import vn_date
from models import Role

# Where a problem was found: the uploaded document (kept until the clerk corrects that field, as the directive
# file the import wrote no longer holds what could not be read) or the directive file at this preview.
FROM_IMPORT = "import"
FROM_PREVIEW = "preview"


@dataclass
class DraftProblem:
    field: str  # the directive file's key it is about (number, recipients …), or "file"
    message: str  # in Vietnamese, for the clerk
    line: int | None = None  # the line of the uploaded document or of the directive file
    suggestions: list[str] = dataclasses.field(default_factory=list)  # the nearest unit names, best first
    suggested_codes: list[str] = dataclasses.field(default_factory=list)  # their codes, in the same order
    source: str = FROM_PREVIEW

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def of(cls, data: dict[str, Any]) -> DraftProblem:
        return cls(
            field=str(data.get("field") or "file"),
            message=str(data.get("message") or ""),
            line=data.get("line"),
            suggestions=list(data.get("suggestions") or []),
            suggested_codes=list(data.get("suggested_codes") or []),
            source=str(data.get("source") or FROM_PREVIEW),
        )


@dataclass
class RecipientPreview:
    code: str
    name: str  # the code itself when the unit is not in the tree
    level: int  # its depth in the organisation tree (0: a root), -1 when not in the tree
    kind: str
    kind_label: str
    role: Role
    role_label: str
    ack_due: date | None  # None: not asked to acknowledge (the department that drafted it), or not computable
    report_due: date | None  # None: owes no report
    in_tree: bool

    @property
    def ack_due_vn(self) -> str:
        return vn_date(self.ack_due)

    @property
    def report_due_vn(self) -> str:
        return vn_date(self.report_due)


@dataclass
class NoticePreview:
    """The notice as the recipient `unit_name` will get it: its subject, its text and HTML bodies with the
    directive's document in them (only the links differ: they name an assignment that does not exist yet)."""

    subject: str
    text: str
    html: str
    unit_code: str
    unit_name: str


@dataclass
class DraftPreview:
    draft_id: int
    state: str
    fields: dict[str, Any]  # the directive file's fields (dates as YYYY-MM-DD text)
    recipients: list[RecipientPreview]
    problems: list[DraftProblem]
    notice: NoticePreview | None
    duplicate_of: int | None  # the launched directive with the same number, issuer and year
    issuer_code: str | None = None
    issuer_name: str | None = None
    source_name: str = ""
    original_name: str | None = None
    directive_id: int | None = None  # once launched

    @property
    def launchable(self) -> bool:
        return not self.problems and self.state == "draft"
