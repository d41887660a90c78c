"""Import a directive from its document into the directive-file format (examples/252-KH-LDLD.yaml).

Every field that cannot be read is a problem naming the line looked at and what was expected; all of them are
listed, not the first only, and the directive holds whatever could be read (for `--partial`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cascade.directives.docimport.basis import find_basis
from cascade.directives.docimport.issuer import find_issuer
from cascade.directives.docimport.lines import Line
from cascade.directives.docimport.parse import parse_heading
from cascade.directives.docimport.problems import DocumentReadError, ImportProblem
from cascade.directives.docimport.report import ReportLine, find_report
from cascade.directives.docimport.resolve import Resolver, UnitRef
from cascade.directives.docimport.roles import default_addressees, named_units, recipients, resolve_listed
from cascade.directives.docimport.sections import Layout, body_text, parse_layout
from cascade.directives.docimport.tasks import TaskPlan, find_tasks
from cascade.directives.docimport.text import read_lines
from models import CascadeMode

NO_REPORT_DATE = (
    "no report date in the document (looked for 'báo cáo … trước ngày DD/MM/YYYY', 'chậm nhất ngày …');"
    " pass --report-due YYYY-MM-DD"
)
NO_SIGNER = (
    "no signer at the end; expected the authority ('TM. BAN THƯỜNG VỤ', 'KT. CHỦ TỊCH' …), the title"
    " ('CHỦ TỊCH') and the name"
)


@dataclass
class ImportResult:
    directive: dict[str, Any]
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_units(data: Any) -> list[UnitRef]:
    """Units of an org-tree mapping ({"units": [{code, name, kind, parent, symbol?}, ...]})."""
    entries = data.get("units") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the org file has no `units:` list")
    return [
        UnitRef(str(u["code"]), str(u["name"]), str(u["kind"]), u.get("parent"), u.get("symbol"))
        for u in entries
        if isinstance(u, dict)
    ]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _tasks(
    plan: TaskPlan, resolver: Resolver, default: list[str], problems: list[ImportProblem]
) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for group in plan.groups:
        if group.name is None:
            codes = default
            if not codes:
                message = "a point that names nobody, and the document has no 'Kính gửi' list to give it to"
                problems.append(ImportProblem("tasks", message, group.line))
        else:
            codes, errors = resolver.resolve_list(group.name)
            problems.extend(ImportProblem("tasks", f"group {e}", group.line) for e in errors)
        if not group.tasks:
            problems.append(ImportProblem("tasks", f"group '{group.name}' has no tasks under it", group.line))
        tasks.extend({"to": list(codes), "text": text} for text in group.tasks)
    return tasks


def _report_to(report: ReportLine, resolver: Resolver, issuer: str, problems: list[ImportProblem]) -> str:
    target = issuer
    if report.to:
        codes, error = resolver.resolve_one(report.to)
        if error or len(codes) != 1:
            problems.append(ImportProblem("report_to", error or f"'{report.to}' names several units", report.line))
        else:
            target = codes[0]
    if report.via:
        codes, error = resolver.resolve_under(report.via, target)
        if error:
            problems.append(ImportProblem("report_to", error, report.line))
        else:
            target = codes[0]
    return target


def _resolved(
    layout: Layout, plan: TaskPlan, resolver: Resolver, code: str, problems: list[ImportProblem], printed: list[str]
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    addressees = resolve_listed(layout.addressees, resolver, "Kính gửi", problems)
    articles: dict[int, list[str]] = {}
    for group in plan.groups:
        if group.article is not None and group.name is not None:
            articles[group.article] = resolver.resolve_list(group.name)[0]
    named = named_units(addressees, layout.recipients, articles, resolver, problems, printed)
    tasks = _tasks(plan, resolver, default_addressees(named, resolver, code), problems)
    tasked = [c for t in tasks for c in t["to"]]
    return recipients(named, tasked, resolver, code), tasks


def import_lines(
    raw: list[str],
    units: list[UnitRef],
    *,
    issuer: str | None = None,
    report_due: date | None = None,
    aliases: Mapping[str, list[str]] | None = None,
) -> ImportResult:
    """Import from the document's lines (see `read_lines`)."""
    lines = [Line(no, text.strip(), text) for no, text in enumerate(raw, start=1) if text.strip()]
    heading = parse_heading(lines)
    basis = find_basis(lines, heading.end)
    layout = parse_layout(lines, heading.end)
    reporting = heading.doc_type != "BÁO CÁO"  # a report asks for no report
    report = find_report(layout.main) if reporting else ReportLine()
    problems = [*heading.problems, *basis.problems]
    resolver = Resolver(units, aliases=aliases)
    code, issuer_problem = find_issuer(heading, basis, report, resolver, issuer)
    if issuer_problem:
        problems.append(issuer_problem)
    due = report_due or report.due
    if due is None and report.bad_due is not None:
        line, written = report.bad_due
        message = f"'{written}' is not a valid date; write the day that is meant, or pass --report-due YYYY-MM-DD"
        problems.append(ImportProblem("report_due", message, line))
    elif due is None:
        problems.append(ImportProblem("report_due", NO_REPORT_DATE, report.line))
    signer = layout.signer
    if not signer.get("name") or not signer.get("title"):
        problems.append(ImportProblem("signer", NO_SIGNER, layout.footer_line))
    if not layout.recipients and not layout.addressees:
        message = "the document has neither a 'Kính gửi' nor a 'Nơi nhận' list; expected 'Nơi nhận:' and its lines"
        problems.append(ImportProblem("recipients", message, layout.footer_line))
    near = resolver.with_context(code)

    def is_unit(name: str) -> bool:
        codes, errors = near.resolve_list(name, explain=False)
        return bool(codes) and not errors

    plan = find_tasks(layout.main, heading.doc_type, is_unit) if code else TaskPlan()
    recipient_list: list[dict[str, str]] = []
    tasks: list[dict[str, Any]] = []
    report_to: str | None = None
    printed: list[str] = []  # Nơi nhận lines that name no unit to send to
    if code is not None:
        recipient_list, tasks = _resolved(layout, plan, near, code, problems, printed)
        report_to = _report_to(report, near, code, problems)
    elif layout.recipients or layout.addressees:  # names are read from the issuer: say why the list is empty
        message = "not resolved, as the issuer is not known (see issuer); pass --issuer CODE"
        problems.append(ImportProblem("recipients", message, layout.footer_line))
    directive: dict[str, Any] = {
        "number": heading.number,
        "type": heading.doc_type,
        "issuer": code,
        "issued_on": _iso(heading.issued_on),
        "place": heading.place,
        "summary": heading.summary,
        "basis": basis.number,
        "basis_issued_on": _iso(basis.issued_on),
        "basis_issuer": basis.issuer,
        "signer": {"on_behalf": signer.get("on_behalf"), "title": signer.get("title"), "name": signer.get("name")},
        "body": body_text(layout.main, plan.section),
        "report_due": _iso(due),
        "report_to": report_to,
        **({"report_schedule": {"every_months": report.every_months}} if report.every_months else {}),
        "cascade_mode": CascadeMode.forward.value,
        "lead_days": 3,
        "recipients": recipient_list,
        "tasks": tasks,
        **({"printed": printed} if printed else {}),
        **({"archive": layout.archive} if layout.archive else {}),
    }
    return ImportResult(directive, problems)


def import_document(
    path: Path,
    units: list[UnitRef],
    *,
    issuer: str | None = None,
    report_due: date | None = None,
    aliases: Mapping[str, list[str]] | None = None,
) -> ImportResult:
    """Read a .txt/.md/.docx/.pdf directive and map it onto the directive-file format, listing every problem."""
    try:
        raw = read_lines(path)
    except DocumentReadError as exc:
        return ImportResult({}, [ImportProblem("file", exc.message, exc.line)])
    return import_lines(raw, units, issuer=issuer, report_due=report_due, aliases=aliases)
