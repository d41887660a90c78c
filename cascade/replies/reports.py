"""A unit's results report for one cycle: figures, free text, attachments; every version kept; correctable
until the deadline; moves the assignment through edXML 05 (in progress) to 06 (completed)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from cascade.core.settings import Settings
from cascade.core.workdays import local_date
from cascade.replies.attachments import AttachmentError, Upload, check_uploads, store_files
from cascade.replies.figures import parse_figures
from models import Assignment, AuditEvent, Status, Unit, owes_report, record_audit, utcnow
from models.report import Report, ReportCycle, ReportStatus, ReportVersion


class ReportError(Exception):
    """The report was not saved; `problems` are shown to the unit (in Vietnamese)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def reports_of(session: Session, assignment_id: int) -> dict[int, Report]:
    return {r.cycle_seq: r for r in session.exec(select(Report).where(Report.assignment_id == assignment_id)).all()}


def editable(report: Report | None, cycle: ReportCycle, today: date) -> bool:
    """Until the deadline a report can be corrected; after it, only a report never submitted can be sent."""
    return report is None or report.status != ReportStatus.submitted or today <= cycle.due


def current_cycle(cycles: list[ReportCycle], reports: dict[int, Report], today: date) -> ReportCycle:
    """The first cycle still owed; else the one still correctable; else the last."""
    for cycle in cycles:
        if cycle.seq not in reports or reports[cycle.seq].status != ReportStatus.submitted:
            return cycle
    return next((c for c in cycles if today <= c.due), cycles[-1])


def save_report(
    session: Session,
    settings: Settings,
    assignment: Assignment,
    cycle: ReportCycle,
    indicators: list[dict[str, Any]],
    *,
    text: str,
    raw_figures: dict[str, str],
    uploads: list[Upload],
    submit: bool,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> Report:
    """Save a new version (a draft, or the submitted report); nothing is written when anything is refused."""
    now = now or utcnow()
    assert assignment.id is not None and cycle.directive_id == assignment.directive_id
    if not owes_report(assignment) or assignment.status == Status.refused:
        raise ReportError(["Đơn vị không có nhiệm vụ báo cáo theo văn bản này."])
    report = reports_of(session, assignment.id).get(cycle.seq)
    if not editable(report, cycle, local_date(now)):
        raise ReportError(["Đã quá hạn báo cáo: báo cáo đã gửi không còn sửa được."])
    if report is not None and report.status == ReportStatus.submitted and not submit:
        raise ReportError(["Báo cáo đã gửi: để sửa, bấm “Gửi báo cáo” (mỗi lần sửa được lưu thành một phiên bản)."])
    text = text.strip()
    problems: list[str] = []
    if submit and not text:
        problems.append("Chưa nhập nội dung báo cáo.")
    below = assignment.implementing_directive_id is not None
    figures, wrong = parse_figures(indicators, raw_figures, required=submit, has_units_below=below)
    problems += wrong
    try:
        files = check_uploads(settings, uploads)
    except AttachmentError as exc:
        problems += exc.problems
    if problems:
        raise ReportError(problems)
    if report is None:
        report = Report(assignment_id=assignment.id, directive_id=assignment.directive_id, cycle_seq=cycle.seq)
    report.version += 1
    report.text, report.figures, report.updated_at = text, figures, now
    if submit:
        report.late = report.late or (report.status != ReportStatus.submitted and local_date(now) > cycle.due)
        report.status, report.submitted_at = ReportStatus.submitted, now
    session.add(report)
    session.flush()
    for key in ("rolled_up", "reports_by_directive"):  # what cascade.status.rollup memoised is stale now
        session.info.pop(key, None)
    assert report.id is not None
    session.add(
        ReportVersion(
            report_id=report.id,
            version=report.version,
            submitted=submit,
            text=text,
            figures=figures,
            at=now,
            remote_addr=remote_addr,
        )
    )
    store_files(session, settings, report, files, now)
    _move_status(session, assignment, now)
    record_audit(
        session,
        AuditEvent.report_submitted if submit else AuditEvent.report_saved,
        unit=session.get(Unit, assignment.unit_id),
        actor=f"link from {remote_addr}",
        at=now,
        directive_id=assignment.directive_id,
        assignment_id=assignment.id,
        detail={"cycle": cycle.seq, "version": report.version, "late": report.late, "files": len(files)},
    )
    session.flush()
    return report


def _move_status(session: Session, assignment: Assignment, now: datetime) -> None:
    """05 while anything is owed, 06 once the report of every cycle is submitted."""
    cycles = session.exec(select(ReportCycle.seq).where(ReportCycle.directive_id == assignment.directive_id)).all()
    submitted = {
        r.cycle_seq for r in reports_of(session, assignment.id or 0).values() if r.status == ReportStatus.submitted
    }
    target = Status.completed if set(cycles) <= submitted else Status.in_progress
    if assignment.status != target:
        assignment.status, assignment.status_changed_at = target, now
        session.add(assignment)
