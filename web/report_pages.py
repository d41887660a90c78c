"""A unit's report form behind its own signed report link: GET/HEAD show it and change nothing; only the POST
saves (a draft, or the report), every version kept; attachments are served only through the same link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cascade.core.workdays import local_date, work_calendar
from cascade.directives.indicators import rollup_rules, total_text
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.dispatch.notices import notice_context, report_cycles, unit_tasks
from cascade.dispatch.tokens import Purpose
from cascade.replies.attachments import MAX_FILES_PER_VERSION, Upload, attachment_for
from cascade.replies.figures import may_leave_blank
from cascade.replies.reports import (
    ReportError,
    current_cycle,
    editable,
    reports_of,
    save_report,
)
from cascade.status.report_rows import combined, unit_rows
from cascade.status.rollup import rolled_up
from models import Assignment, ReportStatus, Status, Unit, owes_report, utcnow
from models.report import ReportAttachment, ReportVersion
from web.common import app_engine, app_settings, client_ip, error_page, page, resolve_link
from web.csrf import verify_csrf

router = APIRouter()


def report_view(session: Session, request: Request, assignment_id: int, seq: int | None) -> dict[str, Any] | None:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not owes_report(assignment):
        return None
    unit = session.get(Unit, assignment.unit_id)
    assert unit is not None
    calendar = work_calendar(app_settings(request))
    ctx = notice_context(session, assignment.directive_id, calendar)
    cycles = ensure_cycles(session, ctx.directive, calendar)
    reports = reports_of(session, assignment_id)
    today = local_date(utcnow())
    cycle = next((c for c in cycles if c.seq == seq), None) or current_cycle(cycles, reports, today)
    report = reports.get(cycle.seq)
    versions, files = [], []
    if report is not None:
        versions = list(
            session.exec(
                select(ReportVersion).where(ReportVersion.report_id == report.id).order_by(col(ReportVersion.version))
            ).all()
        )
        files = list(session.exec(select(ReportAttachment).where(ReportAttachment.report_id == report.id)).all())
    below = (
        unit_rows(session, assignment.implementing_directive_id, cycle.seq)
        if assignment.implementing_directive_id
        else []
    )
    children = [r for r in below if r["level"] == 1]
    indicators = effective_plan(session, ctx.directive).indicators
    rules = rollup_rules(indicators)
    gathered = combined(children)
    children_total = gathered.values(rules)
    return dict(
        assignment=assignment,
        unit=unit,
        directive=ctx.directive,
        issuer=ctx.issuer,
        tasks=unit_tasks(ctx, assignment, unit),
        report_to=ctx.report_to,
        indicators=indicators,
        rules=rules,
        blank_ok={
            i["code"] for i in indicators if may_leave_blank(i, assignment.implementing_directive_id is not None)
        },
        children_texts={code: total_text(rule, children_total, gathered.counts, code) for code, rule in rules.items()},
        # what the level above sees of this unit: its own submitted figures with those of the units below
        sent_up=rolled_up(session, assignment, cycle.seq),
        cycle_dues=report_cycles(ctx, assignment),
        cycles=cycles,
        cycle=cycle,
        reports=reports,
        report=report,
        versions=versions,
        files=files,
        children=children,
        can_edit=assignment.status != Status.refused and editable(report, cycle, today),
        max_files=MAX_FILES_PER_VERSION,
        max_mb=app_settings(request).web.upload_max_bytes // (1024 * 1024),
    )


def _render(request: Request, token: str, assignment_id: int, seq: int | None, **extra: Any) -> HTMLResponse:
    with Session(app_engine(request), expire_on_commit=False) as session:
        view = report_view(session, request, assignment_id, seq)
        session.commit()  # the cycles, created on first use
    if view is None:
        return error_page("unknown")
    status_code = extra.pop("status_code", 200)
    return page("web/report.html", status_code=status_code, token=token, **view, **extra)


@router.api_route("/r/{token}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def report_page(token: str, request: Request, cycle: int | None = None) -> HTMLResponse:
    """The form (or the report as sent); changes nothing but creating the cycles on first use."""
    assignment_id = resolve_link(request, token, Purpose.report)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    return _render(request, token, assignment_id, cycle)


@router.post("/r/{token}", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def report_post(token: str, request: Request) -> HTMLResponse:
    """Saves a draft (edXML 05) or the report (06 once every cycle is in); nothing is saved on an error."""
    assignment_id = resolve_link(request, token, Purpose.report)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    settings = app_settings(request)
    limit = settings.web.upload_max_bytes * MAX_FILES_PER_VERSION + 1024 * 1024
    if int(request.headers.get("content-length") or 0) > limit:
        return page("web/error.html", status_code=413, title="Tệp quá lớn", message="Dung lượng gửi vượt giới hạn.")
    form = await request.form(max_files=MAX_FILES_PER_VERSION + 1, max_fields=200)
    uploads: list[Upload] = []
    for item in form.getlist("files"):
        if isinstance(item, UploadFile) and item.filename:
            uploads.append(Upload(item.filename, await item.read(settings.web.upload_max_bytes + 1)))
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    seq = int(fields["cycle"]) if fields.get("cycle", "").isdigit() else None
    submit = fields.get("action") == "submit"

    def save() -> list[str]:
        with Session(app_engine(request)) as session:
            assignment = session.get(Assignment, assignment_id)
            view = report_view(session, request, assignment_id, seq) if assignment else None
            if assignment is None or view is None:
                return ["unknown"]
            raw = {ind["code"]: fields.get(f"fig_{ind['code']}", "") for ind in view["indicators"]}
            try:
                save_report(
                    session,
                    settings,
                    assignment,
                    view["cycle"],
                    view["indicators"],
                    text=fields.get("text", ""),
                    raw_figures=raw,
                    uploads=uploads,
                    submit=submit,
                    remote_addr=client_ip(request),
                )
            except ReportError as exc:
                session.rollback()
                return exc.problems
            session.commit()
            return []

    problems = await run_in_threadpool(save)
    if problems == ["unknown"]:
        return error_page("unknown")
    if problems:
        return _render(request, token, assignment_id, seq, problems=problems, form=fields, status_code=400)
    return _render(request, token, assignment_id, seq, saved=ReportStatus.submitted if submit else ReportStatus.draft)


@router.get("/r/{token}/files/{attachment_id}", response_model=None)
def report_file(token: str, attachment_id: int, request: Request) -> Response:
    """A file of this unit's own report; another unit's link gets 404, as for a file that does not exist."""
    assignment_id = resolve_link(request, token, Purpose.report)
    if isinstance(assignment_id, HTMLResponse):
        return assignment_id
    with Session(app_engine(request)) as session:
        # Ids are INTEGER columns: a larger number cannot exist and the driver would raise (found by fuzzing).
        found = attachment_for(session, assignment_id, attachment_id) if 0 < attachment_id < 2**31 else None
    path = Path(app_settings(request).web.upload_dir) / found.stored_name if found else None
    if found is None or path is None or not path.is_file():
        return error_page("unknown")
    return FileResponse(
        path,
        media_type=found.content_type,
        filename=found.original_name,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )
