"""Import a directive from its document into the directive-file format (examples/252-KH-LDLD.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cascade.directives.docimport.parse import Heading, Line, parse_heading
from cascade.directives.docimport.resolve import Resolver, UnitRef, fold
from cascade.directives.docimport.sections import Layout, parse_layout
from cascade.directives.docimport.text import DocumentReadError, read_lines
from models import CascadeMode, Role

REPORT_DUE_HINT = "report_due: the document gives no date; pass --report-due YYYY-MM-DD"


@dataclass
class ImportResult:
    directive: dict[str, Any]
    problems: list[str] = field(default_factory=list)

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


def _issuer(heading: Heading, layout: Layout, units: list[UnitRef], given: str | None) -> tuple[str | None, str | None]:
    """The issuer's code and, when it cannot be told, the problem."""
    codes = {u.code for u in units}
    if given:
        return (given, None) if given in codes else (None, f"issuer: --issuer {given} is not a unit of the org tree")
    resolver = Resolver(units)
    symbol = fold(heading.issuer_symbol or "")
    by_symbol = [u.code for u in units if symbol and fold(u.symbol or u.code) == symbol]
    hinted: list[str] = []
    for hint in [*heading.issuer_hints, *([layout.report_to] if layout.report_to else [])]:
        found, error = resolver.resolve_one(hint)
        hinted.extend(c for c in found if error is None and c not in hinted)
    both = [c for c in hinted if c in by_symbol] if by_symbol else hinted
    for candidates in (both, by_symbol, hinted):
        if len(candidates) == 1:
            return candidates[0], None
    what = f"the symbol '{heading.issuer_symbol}' of {heading.number}" if heading.number else "the document"
    matches = ", ".join(both or by_symbol or hinted) or "no unit"
    return None, f"issuer: {what} does not tell the issuer (it matches {matches}); pass --issuer CODE"


def _recipients(layout: Layout, resolver: Resolver, issuer: str, problems: list[str]) -> list[dict[str, str]]:
    units = resolver.by_code
    acting: list[str] = []
    for group in layout.groups:
        if not group.tasks:
            continue
        codes, _ = resolver.resolve_list(group.name)
        acting.extend(c for c in codes if c != issuer and c not in acting)
    listed: list[str] = []
    for item in layout.recipients:
        if fold(item.text) in ("nhu tren", "nhu tren kinh gui"):
            entries = layout.addressees
            if not entries:
                problems.append(f"recipients: 'Như trên' (line {item.no}) but the document has no 'Kính gửi' list")
        else:
            entries = [item]
        for entry in entries:
            codes, errors = resolver.resolve_list(entry.text)
            problems.extend(f"recipients: {e} (Nơi nhận, line {entry.no})" for e in errors)
            listed.extend(c for c in codes if c != issuer and c not in listed)
    for code in listed:
        department = units[code].kind == "department" or units[code].kind.endswith("_department")
        if code not in acting and resolver.is_descendant(code, issuer) and not department:
            acting.append(code)
    info = [c for c in listed if c not in acting]
    # Plain values, not the members: the dict is written out as YAML.
    return [{"unit": c, "role": Role.act.value} for c in acting] + [{"unit": c, "role": Role.info.value} for c in info]


def _tasks(layout: Layout, resolver: Resolver, problems: list[str]) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    for group in layout.groups:
        codes, errors = resolver.resolve_list(group.name)
        problems.extend(f"tasks: group {e} (line {group.line})" for e in errors)
        if not group.tasks:
            problems.append(f"tasks: group '{group.name}' (line {group.line}) has no tasks")
        tasks.extend({"to": list(codes), "text": text} for text in group.tasks)
    return tasks


def _report_to(layout: Layout, resolver: Resolver, issuer: str, problems: list[str]) -> str:
    if not layout.report_to and not layout.report_via:
        return issuer
    target: str = issuer
    if layout.report_to:
        codes, error = resolver.resolve_one(layout.report_to)
        if error or len(codes) != 1:
            problems.append(f"report_to: {error or layout.report_to} (line {layout.report_line})")
        else:
            target = codes[0]
    if layout.report_via:
        codes, error = Resolver(list(resolver.units), context=target).resolve_one(layout.report_via)
        if error or len(codes) != 1:
            problems.append(f"report_to: {error or layout.report_via} (line {layout.report_line})")
        else:
            target = codes[0]
    return target


def import_lines(
    raw: list[str], units: list[UnitRef], *, issuer: str | None = None, report_due: date | None = None
) -> ImportResult:
    """Import from the document's lines (see `read_lines`)."""
    lines = [Line(no, text.strip()) for no, text in enumerate(raw, start=1) if text.strip()]
    heading = parse_heading(lines)
    layout = parse_layout(lines, heading.end)
    problems = list(heading.problems)
    code, issuer_problem = _issuer(heading, layout, units, issuer)
    if issuer_problem:
        problems.append(issuer_problem)
    due = report_due or layout.report_due
    if due is None:
        problems.append(REPORT_DUE_HINT)
    signer = layout.signer
    if not signer.get("name") or not signer.get("title"):
        problems.append("signer: no signer title and name (e.g. 'CHỦ TỊCH' / 'Nguyễn Thị Thiện') at the end")
    if not layout.recipients and not layout.groups:
        problems.append("recipients: the document has neither a 'Nơi nhận' list nor 'Tổ chức thực hiện' tasks")
    recipients: list[dict[str, str]] = []
    tasks: list[dict[str, Any]] = []
    report_to: str | None = None
    if code is not None:
        resolver = Resolver(units, context=code)
        tasks = _tasks(layout, resolver, problems)
        recipients = _recipients(layout, resolver, code, problems)
        report_to = _report_to(layout, resolver, code, problems)
    directive: dict[str, Any] = {
        "number": heading.number,
        "type": heading.doc_type,
        "issuer": code,
        "issued_on": _iso(heading.issued_on),
        "place": heading.place,
        "summary": heading.summary,
        "basis": heading.basis,
        "basis_issued_on": _iso(heading.basis_issued_on),
        "basis_issuer": heading.basis_issuer,
        "signer": {
            "on_behalf": signer.get("on_behalf"),
            "title": signer.get("title"),
            "name": signer.get("name"),
        },
        "body": layout.body,
        "report_due": _iso(due),
        "report_to": report_to,
        "cascade_mode": CascadeMode.forward.value,
        "lead_days": 3,
        "recipients": recipients,
        "tasks": tasks,
    }
    return ImportResult(directive, problems)


def import_document(
    path: Path, units: list[UnitRef], *, issuer: str | None = None, report_due: date | None = None
) -> ImportResult:
    """Read a .txt/.md/.docx directive and map it onto the directive-file format, listing every problem."""
    try:
        raw = read_lines(path)
    except DocumentReadError as exc:
        return ImportResult({}, [str(exc)])
    return import_lines(raw, units, issuer=issuer, report_due=report_due)
