"""Author mode: the outline of a unit's own implementing plan, written in the browser instead of uploaded.

The outline is the plain text of a document as the importer reads any other (cascade/directives/docimport):
the unit's number from its register, its place and today's date, the type, "Triển khai thực hiện …", the
basis sentence naming the directive it implements, one heading per kind of unit below it with the parent's
tasks for them to adapt, the Nơi nhận (the parent issuer for report, the units below, the archive) and the
unit's signer on record. The clerk edits it; nothing here stores or sends anything."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from cascade.core.workdays import WorkCalendar
from cascade.directives.numbers import document_number
from cascade.documents.kind_names import kind_names
from cascade.documents.register import peek_number
from cascade.documents.unit_names import UNNAMED_KINDS
from cascade.documents.wording import doc_type_word
from cascade.rendering.i18n import decree_long_date, decree_short_date
from cascade.replies.passon import default_report_due, subordinates
from models import Assignment, Directive, DirectiveTask, Role, Unit


def plan_outline(session: Session, *, parent: Directive, unit: Unit, today: date, calendar: WorkCalendar) -> str:
    assert unit.id is not None
    issuer = session.get(Unit, parent.issuer_id)
    number = document_number(peek_number(session, unit.id, today.year), parent.doc_type, unit.number_symbol,
                             party=unit.numbers_party_style)  # fmt: skip
    word = doc_type_word(parent.doc_type)
    of = f" của {issuer.name}" if issuer else ""
    below = subordinates(session, unit.id)
    kinds = list(dict.fromkeys(u.kind for u in below))
    named = kind_names(session, kinds)  # the kinds without words of their own are one group, never repeated
    groups = list(dict.fromkeys(f"{named[kind]} trực thuộc" if kind in named else UNNAMED_KINDS for kind in kinds))
    tasks = [  # the parent's tasks for this unit: the ones its units now carry out
        t.text
        for t in session.exec(
            select(DirectiveTask).where(DirectiveTask.directive_id == parent.id).order_by(col(DirectiveTask.seq))
        ).all()  # fmt: skip
        if unit.code in t.to_codes or unit.kind in t.to_kinds
    ]
    lines = [
        f"Số: {number}",
        f"{unit.place or parent.place}, {decree_long_date(today)}",
        parent.doc_type.upper(),
        f"Triển khai thực hiện {word} số {parent.number}{of}",
        f"Thực hiện {word} số {parent.number}, ngày {decree_short_date(parent.issued_on)}{of} về việc "
        f"{parent.summary[:1].lower() + parent.summary[1:]}, {unit.name} ban hành {word.lower()} triển khai "
        "như sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "- Triển khai kịp thời, đầy đủ các nội dung của văn bản cấp trên phù hợp với thực tế của đơn vị.",
        "II. TỔ CHỨC THỰC HIỆN",
    ]
    for i, group in enumerate(groups or [UNNAMED_KINDS], start=1):
        lines.append(f"{i}. {group}")
        lines.extend(f"- {text}" for text in tasks[:6] or ["(Nhiệm vụ của các đơn vị)"])
    assignment = session.exec(
        select(Assignment).where(Assignment.directive_id == parent.id, Assignment.unit_id == unit.id)
    ).first()
    # The units report earlier than the unit owes its own report: the pass-on's lead days, as the emailed form.
    due = default_report_due(parent, assignment, today, calendar) if assignment else parent.report_due
    lines.append(f"Các đơn vị báo cáo kết quả về {unit.name} trước ngày {decree_short_date(due)}.")
    lines.append("Nơi nhận:")
    if issuer:
        lines.append(f"- {issuer.name} (b/c);")
    lines.extend(f"- {group};" for group in groups)
    lines.append("- Lưu: VT.")
    lines.extend(x for x in (unit.signer_on_behalf, unit.signer_title or "CHỦ TỊCH", unit.signer_name or "") if x)
    return "\n\n".join(lines) + "\n"


def awaiting_plans(session: Session, unit_id: int) -> list[Directive]:
    """Directives addressed to the unit for action that it has not implemented yet (newest first)."""
    found = session.exec(
        select(Directive)
        .join(Assignment, col(Assignment.directive_id) == col(Directive.id))
        .where(
            Assignment.unit_id == unit_id,
            Assignment.role == Role.act,
            col(Assignment.implementing_directive_id).is_(None),
            col(Directive.closed_at).is_(None),  # a recalled or replaced directive is not implemented any more
        )
        .order_by(col(Directive.issued_on).desc())
        .limit(50)
    ).all()
    return list(found)


def addressed_to(session: Session, directive_id: int, unit_id: int | None) -> Directive | None:
    """The directive when it is addressed to the unit (the basis an admin may write its plan on), else None."""
    if unit_id is None or not 0 < directive_id < 2**31:
        return None
    found = session.exec(
        select(Directive)
        .join(Assignment, col(Assignment.directive_id) == col(Directive.id))
        .where(Directive.id == directive_id, Assignment.unit_id == unit_id, col(Directive.closed_at).is_(None))
    ).first()
    return found
