"""The consolidated results of a report cycle as the BÁO CÁO the issuer sends up: issued by the directive's issuer,
addressed to the basis issuer, titled "BÁO CÁO / Kết quả thực hiện Kế hoạch số …", the rolled-up figures as
tables (cascade/chasing/consolidate.py), the units that reported and those that did not, by name. The number and
the signer are left blank: the issuer's office registers and signs it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from cascade.chasing.consolidate import consolidated
from cascade.core.workdays import WorkCalendar
from cascade.directives.reportplan import ensure_cycles
from cascade.documents.body import paragraph
from cascade.documents.docx_writer import write_docx
from cascade.documents.heading import capitals, motto_and_star, parent_line
from cascade.documents.model import Block, DocumentLayout, Heading, Signer, Style, Table
from cascade.documents.recipients_list import AS_ABOVE, archive_line
from cascade.documents.wording import basis_type_word, document_reference, implementing_sentence
from cascade.rendering.i18n import decree_short_date
from cascade.rendering.render import vn_number
from models import Directive, Unit
from models.report import ReportCycle, ReportState

# Beyond this many names a list ends "… và N đơn vị khác" (a 100,000-unit tree stays a document).
NAMES_SHOWN = 2000
BLANK = "     "  # where the office writes the number, the day and the month


def report_cycle(
    session: Session, directive: Directive, calendar: WorkCalendar, today: date, seq: int | None
) -> ReportCycle:
    """The cycle asked for, else the last one already due (the first when none is due yet). LookupError when
    the directive has no cycle `seq`."""
    cycles = ensure_cycles(session, directive, calendar)
    if seq is not None:
        found = next((c for c in cycles if c.seq == seq), None)
        if found is None:
            raise LookupError(f"{directive.number} has report cycles 1 to {len(cycles)}, not {seq}")
        return found
    due = [c for c in cycles if c.due <= today]
    return due[-1] if due else cycles[0]


def _subject(directive: Directive) -> str:
    if directive.basis:
        return document_reference(
            basis_type_word(directive.basis), directive.basis, directive.basis_issued_on, directive.basis_issuer
        )
    return document_reference(directive.doc_type, directive.number, directive.issued_on, None)


def _short(directive: Directive) -> str:
    """ "Kế hoạch số 31-KH/TU": the reported-on document again, without its date and issuer."""
    if directive.basis:
        return document_reference(basis_type_word(directive.basis), directive.basis, None, None)
    return document_reference(directive.doc_type, directive.number, None, None)


def _names(rows: list[dict[str, Any]]) -> list[str]:
    shown = [f"- {r['name']}{' (báo cáo muộn)' if r['status'] == ReportState.late else ''};" for r in rows]
    if len(shown) > NAMES_SHOWN:
        shown = [*shown[:NAMES_SHOWN], f"- … và {len(rows) - NAMES_SHOWN} đơn vị khác."]
    elif shown:
        shown[-1] = shown[-1][:-1] + "."
    return shown


def _progress(
    own: str, issuer: str, today: date, cycle: ReportCycle, top: int, top_done: int, done: int, total: int
) -> str:
    """The counts of the units that owe the report (cascade.status.rollup.owes_this_report), the same units as
    the tables and lists below: those that carry out the plan and those that coordinate and report on it."""
    return (
        f"Theo {own}, {top} đơn vị báo cáo kết quả trực tiếp về {issuer}; đến ngày {decree_short_date(today)}, "
        f"{top_done} đơn vị đã báo cáo, {top - top_done} đơn vị chưa báo cáo. Tính cả các đơn vị cấp dưới, "
        f"{done}/{total} đơn vị đã báo cáo; hạn báo cáo kỳ {cycle.seq} là ngày {decree_short_date(cycle.due)}."
    )


def _refused(units: list[Unit]) -> list[str]:
    """The units that refused the directive: named apart, since they are counted nowhere else."""
    if not units:
        return []
    names = ", ".join(u.name for u in units[:NAMES_SHOWN])
    more = f" và {len(units) - NAMES_SHOWN} đơn vị khác" if len(units) > NAMES_SHOWN else ""
    return [f"{len(units)} đơn vị từ chối tiếp nhận văn bản, không tính vào số phải báo cáo: {names}{more}."]


def _figure(values: dict[str, float], code: str) -> str:
    return vn_number(values[code]) if code in values else "–"


def _tables(data: dict[str, Any]) -> list[Block]:
    indicators = data["indicators"]
    summary = Table(
        caption="1. Số liệu tổng hợp",
        header=("STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"),
        rows=tuple(
            (str(i), ind["name"], ind.get("unit", ""), data["total_texts"][ind["code"]])
            for i, ind in enumerate(indicators, start=1)
        ),
        numeric=(True, False, False, True),
    )
    own = data["own"]
    # the issuer's own figures first (what it did itself), then each unit below with its subtree's
    top = ([{**own, "name": f"{own['name']} (số liệu của đơn vị)"}] if own else []) + [
        r for r in data["rows"] if r["level"] == 1
    ]
    per_unit = Table(
        caption="2. Số liệu theo đơn vị (gồm số liệu của các đơn vị trực thuộc)",
        header=("STT", "Đơn vị", *(ind["name"] for ind in indicators)),
        rows=tuple(
            (str(i), r["name"], *(_figure(r["rolled_up"], ind["code"]) for ind in indicators))
            for i, r in enumerate(top, start=1)
        ),
        numeric=(True, False, *(True for _ in indicators)),
    )
    return [summary, per_unit] if indicators else []


def report_layout(
    data: dict[str, Any], directive: Directive, issuer: Unit, parent: Unit | None, today: date
) -> DocumentLayout:
    """The BÁO CÁO of a consolidated cycle (`data` from cascade.chasing.consolidate.consolidated)."""
    party = issuer.numbers_party_style
    symbol = issuer.number_symbol
    own = document_reference(directive.doc_type, directive.number, directive.issued_on, None)
    subject = _subject(directive)
    cycle: ReportCycle = data["cycle"]
    rows: list[dict[str, Any]] = data["rows"]
    reported = [r for r in rows if r["status"] in (ReportState.submitted, ReportState.late)]
    missing = data["missing"]
    top = [r for r in rows if r["level"] == 1]
    top_reported = sum(1 for r in top if r in reported)

    if directive.basis:
        opening = (
            f"{implementing_sentence(directive.basis, directive.basis_issued_on, directive.basis_issuer)}, "
            f"{issuer.name} đã ban hành {own} và chỉ đạo các đơn vị triển khai thực hiện. "
            f"{issuer.name} báo cáo kết quả như sau:"
        )
    else:
        opening = f"{issuer.name} báo cáo kết quả thực hiện {own} như sau:"
    blocks: list[Block] = [
        paragraph(opening, Style.text),
        paragraph("I. TÌNH HÌNH TRIỂN KHAI", Style.section),
        paragraph(
            _progress(own, issuer.name, today, cycle, len(top), top_reported, len(reported), len(rows)), Style.text
        ),
        *(paragraph(line, Style.text) for line in _refused(data["refused"])),
        paragraph("II. KẾT QUẢ THỰC HIỆN", Style.section),
        *_tables(data),
        paragraph("III. ĐƠN VỊ ĐÃ BÁO CÁO VÀ CHƯA BÁO CÁO", Style.section),
        paragraph(f"1. Đơn vị đã báo cáo: {len(reported)} đơn vị", Style.heading),
        *(paragraph(line, Style.text) for line in _names(reported)),
        paragraph(f"2. Đơn vị chưa báo cáo: {len(missing)} đơn vị", Style.heading),
        *(paragraph(line, Style.text) for line in (_names(missing) or ["- Không có."])),
        paragraph(f"Trên đây là báo cáo kết quả thực hiện {_short(directive)} của {issuer.name}./.", Style.text),
    ]
    addressee = directive.basis_issuer or (parent.name if parent is not None else None)
    motto, star = motto_and_star(issuer)
    number = f"{BLANK}-BC/{symbol}" if party else f"{BLANK}/BC-{symbol}"  # the clerk writes the number in
    heading = Heading(
        parent_line=parent_line(issuer, parent),
        issuer_line=capitals(issuer.name),
        number_line=f"Số{number}" if issuer.is_party_body else f"Số:{number}",  # a party's has no colon
        motto=motto,
        place_date=f"{issuer.place or directive.place}, ngày{BLANK}tháng{BLANK}năm {today.year}",
        star=star,
    )
    return DocumentLayout(
        heading=heading,
        title="BÁO CÁO",
        summary=f"Kết quả thực hiện {subject}" + (f", kỳ {cycle.seq}" if cycle.seq > 1 else ""),
        addressees=(addressee,) if addressee else (),
        body=tuple(blocks),
        signer=Signer(None, "", ""),
        recipients=((AS_ABOVE,) if addressee else ()) + (archive_line(directive.archive),),
        file_stem=f"bao-cao-{directive.number}".replace("/", "-"),
    )


def report_docx(
    session: Session, directive: Directive, calendar: WorkCalendar, today: date, seq: int | None = None
) -> tuple[bytes, ReportCycle]:
    """The BÁO CÁO of a cycle as a .docx, and the cycle it reports on."""
    cycle = report_cycle(session, directive, calendar, today, seq)
    data = consolidated(session, directive, cycle)
    issuer: Unit = data["issuer"]
    parent = session.get(Unit, issuer.parent_id) if issuer.parent_id is not None else None
    layout = report_layout(data, directive, issuer, parent, today)
    return write_docx(layout, title=f"Báo cáo kết quả thực hiện {directive.number}"), cycle
