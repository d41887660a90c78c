"""The shapes the API answers (pydantic), so /api/openapi.json documents them; built from the console's plain
results (cascade/console/results.py, cascade/console/progress.py). Dates come twice: ISO (YYYY-MM-DD) for a
program, and as a Vietnamese reader writes them (dd/mm/yyyy) for a page."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from cascade.console.results import DraftPreview
from cascade.console.wording import field_label


class ProblemOut(BaseModel):
    field: str = Field(description="The directive file's field it is about (number, recipients …), or file")
    field_label: str = Field(description="That field in Vietnamese")
    message: str = Field(description="What is wrong, in Vietnamese")
    line: int | None = Field(None, description="Line of the uploaded document or of the directive file")
    suggestions: list[str] = Field(default_factory=list, description="The nearest unit names, best first")
    suggested_codes: list[str] = Field(default_factory=list, description="Their unit codes, in the same order")


class RecipientOut(BaseModel):
    code: str
    name: str
    level: int = Field(description="Depth in the organisation tree (0: a root; -1: not in the tree)")
    kind: str
    kind_label: str
    role: str = Field(description="act | coordinate | info | superior")
    role_label: str
    ack_due: date | None = Field(None, description="Acknowledge by (none for the department that drafted it)")
    ack_due_vn: str
    report_due: date | None = Field(None, description="Report by (none when it owes no report)")
    report_due_vn: str
    in_tree: bool


class NoticeOut(BaseModel):
    subject: str
    text: str
    html: str
    unit_code: str = Field(description="The recipient whose notice this is")
    unit_name: str


class PreviewOut(BaseModel):
    id: int = Field(description="The draft's id (the id of /api/directives/{id}…)")
    state: str = Field(description="draft | launched")
    source_name: str
    original_name: str | None
    issuer_code: str | None
    issuer_name: str | None
    fields: dict[str, Any] = Field(description="The directive file's fields, dates as YYYY-MM-DD")
    recipients: list[RecipientOut]
    problems: list[ProblemOut]
    launchable: bool
    duplicate_of: int | None = Field(description="The launched directive with the same number and issuer")
    duplicate_url: str | None
    notice: NoticeOut | None = Field(description="The notice as its first acting recipient will get it")
    directive_id: int | None = Field(description="Once launched")
    status_url: str


class LaunchOut(BaseModel):
    id: int = Field(description="The draft's id")
    directive_id: int
    flow_run_id: str | None = Field(description="The cascade-directive flow run (None: left to dispatch-pending)")
    flow_run_url: str | None = Field(description="Its page in the Prefect UI, when CASCADE_PREFECT_UI_URL is set")
    status_url: str
    page_url: str


class Corrections(BaseModel):
    """The form's corrections: any field of the directive file; a field set to null is removed."""

    model_config = {"extra": "allow"}

    number: str | None = None
    type: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    place: str | None = None
    summary: str | None = None
    report_due: date | None = None
    signer: dict[str, str | None] | None = None
    recipients: list[dict[str, str]] | None = Field(None, description='[{"unit": CODE, "role": "act"}, …]')
    tasks: list[dict[str, Any]] | None = Field(None, description='[{"to": [CODE, …], "text": …}, …]')
    body: str | None = None


class LevelOut(BaseModel):
    level: int = Field(description="1: the directive's own recipients; 2: those of their implementing directives …")
    units: int
    sent: int = Field(description="Notices the mail server accepted")
    confirmed: int = Field(description="Units that confirmed receipt (or went further)")
    late: int = Field(description="Units late to confirm receipt or to report")
    bounced: int = Field(description="Notices refused by the recipient's mail server")
    acknowledged_percent: int
    counts: dict[str, int] = Field(description="Units by status")


class LateUnitOut(BaseModel):
    code: str
    name: str
    level: int
    role_label: str
    status_label: str
    late_for: str = Field(description="ack (confirming receipt) | report")
    due: str | None
    due_vn: str
    days_late: int = Field(description="Working days past the deadline")


class StatusOut(BaseModel):
    id: int = Field(description="The draft's id")
    directive_id: int | None
    number: str | None
    launched: bool
    dispatched: bool
    flow_run_id: str | None
    flow_run_url: str | None
    levels: list[LevelOut]
    totals: dict[str, float]
    late_units: list[LateUnitOut]
    late_to_acknowledge: int
    late_to_report: int


class DirectiveItem(BaseModel):
    id: int = Field(description="The directive's id (its page: /admin/directives/{id})")
    draft_id: int | None = Field(description="The console draft it was launched from, if any")
    number: str
    summary: str
    issued_on: date
    issued_on_vn: str
    issuer_code: str
    issuer_name: str
    recipients: int = Field(description="Direct recipients asked to acknowledge")
    acknowledged: int
    acknowledged_percent: float
    dispatched: bool
    page_url: str
    status_url: str | None


class AssignmentOut(BaseModel):
    directive_id: int
    number: str
    summary: str
    role: str
    role_label: str
    status: str
    status_label: str
    ack_due: date | None = Field(description="Acknowledge by (none for a superior, informed and never chased)")
    ack_due_vn: str
    report_due: date | None
    report_due_vn: str
    acknowledged_at: str | None
    page_url: str | None = Field(description="The directive's page, when it is in the caller's scope")


class UnitRefOut(BaseModel):
    code: str
    name: str


class UnitOut(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    active: bool
    email: str
    parent: UnitRefOut | None
    children: int
    assignments: list[AssignmentOut]


def preview_out(p: DraftPreview) -> PreviewOut:
    return PreviewOut(
        id=p.draft_id,
        state=p.state,
        source_name=p.source_name,
        original_name=p.original_name,
        issuer_code=p.issuer_code,
        issuer_name=p.issuer_name,
        fields=p.fields,
        recipients=[
            RecipientOut(**{**r.__dict__, "role": r.role.value}, ack_due_vn=r.ack_due_vn, report_due_vn=r.report_due_vn)
            for r in p.recipients
        ],
        problems=[
            ProblemOut(field_label=field_label(q.field), **{k: v for k, v in q.__dict__.items() if k != "source"})
            for q in p.problems
        ],
        launchable=p.launchable,
        duplicate_of=p.duplicate_of,
        duplicate_url=f"/admin/directives/{p.duplicate_of}" if p.duplicate_of else None,
        notice=NoticeOut(**p.notice.__dict__) if p.notice else None,
        directive_id=p.directive_id,
        status_url=f"/api/directives/{p.draft_id}/status",
    )
