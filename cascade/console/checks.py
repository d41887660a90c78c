"""What a preview finds wrong with a draft, each problem said in Vietnamese with the field and line it is about:
the directive file's own faults (its parser's), fields it has no use for, units not in the tree (with the
nearest names), an issuer other than the administrator's own unit, a report deadline already past, a missing or
bad original, and a number the issuer already launched."""

from __future__ import annotations

import difflib
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from cascade.console.corrections import KNOWN_FIELDS
from cascade.console.importing import nearest_units, tree_units
from cascade.console.results import DraftProblem
from cascade.console.wording import field_label, in_vietnamese
from cascade.core.errors import InputError
from cascade.core.settings import DocumentSettings
from cascade.core.sqlutil import rows_where_in
from cascade.core.yamlfile import MARKERS, line_of
from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.docimport import Resolver
from cascade.documents.originals import check_original
from cascade.rendering.render import vn_date
from models import Directive, Unit

UNIT = Unit.__table__.c  # type: ignore[attr-defined]


class TreeUnit(NamedTuple):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    active: bool


def parse_problems(error: InputError) -> list[DraftProblem]:
    """The parser's problems: the field is the entry's key ("recipients" of "recipients[3]")."""
    out = []
    for p in error.problems:
        key = (p.entry or "file").split("[", 1)[0]
        out.append(DraftProblem(key if key in KNOWN_FIELDS else "file", in_vietnamese(p.message), p.line))
    return out


def unknown_fields(raw: dict[str, Any]) -> list[DraftProblem]:
    out = []
    for key in raw:
        if key in MARKERS or key in KNOWN_FIELDS:
            continue
        near = difflib.get_close_matches(str(key), sorted(KNOWN_FIELDS), n=1, cutoff=0.6)
        hint = f" Có phải “{near[0]}” ({field_label(near[0]).lower()})?" if near else ""
        out.append(DraftProblem(str(key), f"Trường “{key}” không có trong mẫu văn bản nên sẽ bị bỏ qua.{hint}"))
    return out


def tree_rows(session: Session, codes: set[str]) -> dict[str, TreeUnit]:
    query = sa.select(UNIT.id, UNIT.code, UNIT.name, UNIT.kind, UNIT.parent_id, UNIT.active)
    return {row.code: TreeUnit._make(row) for row in rows_where_in(session, query, UNIT.code, list(codes))}


def _lines(raw: dict[str, Any], key: str) -> dict[str, int | None]:
    """{unit code: its line} in the recipients (key "recipients") or the tasks ("tasks") of the raw file."""
    out: dict[str, int | None] = {}
    for item in raw.get(key) or []:
        if not isinstance(item, dict):
            continue
        codes = [item.get("unit")] if key == "recipients" else list(item.get("to") or [])
        for code in codes:
            out.setdefault(str(code), line_of(item))
    return out


def unit_problems(
    session: Session, spec: DirectiveSpec, raw: dict[str, Any]
) -> tuple[list[DraftProblem], dict[str, TreeUnit]]:
    """Every code the directive names must be an active unit of the tree (check_units' rule), each missing one
    with the units nearest it; the issuer cannot be its own recipient."""
    named = {
        "issuer": [spec.issuer],
        "recipients": [c for c, _ in spec.recipients],
        "tasks": [c for t in spec.tasks for c in t.to],
        "report_to": [spec.report_to] if spec.report_to else [],
    }
    units = tree_rows(session, {c for codes in named.values() for c in codes})
    lines = {"recipients": _lines(raw, "recipients"), "tasks": _lines(raw, "tasks")}
    problems: list[DraftProblem] = []
    resolver: Resolver | None = None
    seen: set[tuple[str, str]] = set()
    for field, codes in named.items():
        for code in codes:
            unit = units.get(code)
            if (field, code) in seen or (unit is not None and unit.active):
                continue
            seen.add((field, code))
            line = lines.get(field, {}).get(code)
            if unit is None:
                resolver = resolver or Resolver(tree_units(session))
                names, near = nearest_units(resolver, code)
                message = f"{field_label(field)}: không có đơn vị “{code}” trong cây tổ chức."
                problems.append(DraftProblem(field, message, line, names, near))
            else:
                message = f"{field_label(field)}: đơn vị {unit.name} đã giải thể."
                problems.append(DraftProblem(field, message, line))
    if any(c == spec.issuer for c, _ in spec.recipients):
        problems.append(DraftProblem("recipients", "Đơn vị ban hành không thể là nơi nhận văn bản của chính mình."))
    return problems, units


def issuer_problem(spec: DirectiveSpec, launches_as: Unit | None, named: TreeUnit | None) -> list[DraftProblem]:
    """An administrator launches as their own unit only."""
    if launches_as is None or spec.issuer == launches_as.code:
        return []
    written = named.name if named is not None else spec.issuer
    message = f"Bạn phát hành với tư cách {launches_as.name}; văn bản ghi đơn vị ban hành là {written}."
    return [DraftProblem("issuer", message, suggestions=[launches_as.name], suggested_codes=[launches_as.code])]


def date_problems(spec: DirectiveSpec, today: date) -> list[DraftProblem]:
    """A report deadline already past when it is launched; an issue date still to come."""
    out = []
    if spec.report_due < today:
        out.append(DraftProblem("report_due", f"Hạn báo cáo {vn_date(spec.report_due)} đã qua (hôm nay là "
                                              f"{vn_date(today)})."))  # fmt: skip
    if spec.issued_on > today:
        out.append(DraftProblem("issued_on", f"Ngày ban hành {vn_date(spec.issued_on)} chưa đến."))
    return out


def original_problems(spec: DirectiveSpec, settings: DocumentSettings, uploaded: str | None) -> list[DraftProblem]:
    """The original the directive file names must be the one uploaded with the draft, and pass its checks."""
    if spec.original is None:
        return []
    if uploaded is None or spec.original.name != uploaded:
        name = spec.original.name
        return [DraftProblem("original", f"Văn bản ghi bản gốc “{name}” nhưng tệp này chưa được tải lên cùng văn bản.")]
    try:
        check_original(spec, settings)
    except InputError as exc:
        return [DraftProblem("original", f"Bản gốc “{uploaded}”: {in_vietnamese(exc.problems[0].message)}")]
    return []


def duplicate_of(
    session: Session, spec: DirectiveSpec, issuer: TreeUnit | None
) -> tuple[int | None, list[DraftProblem]]:
    """The directive this issuer already launched with the number in the same year (a number is unique per
    issuer and year, Decree 30 Art. 15)."""
    if issuer is None:
        return None, []
    found = session.exec(
        select(Directive.id).where(
            Directive.issuer_id == issuer.id, Directive.year == spec.issued_on.year, Directive.number == spec.number
        )
    ).first()
    if found is None:
        return None, []
    message = (f"Số {spec.number} năm {spec.issued_on.year} của {issuer.name} đã được phát hành: "
               f"/admin/directives/{found}")  # fmt: skip
    return found, [DraftProblem("number", message)]
