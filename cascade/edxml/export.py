"""`cascade edxml export`: a directive as edXML, per recipient: its package (`<CODE>/<number>.edxml`) and the
status messages of its assignment (`<CODE>/status-01-01.edxml`, …), in one folder.

Everything is looked up before anything is written: a directive that is not found, or an original that is not
where it was kept, writes nothing. Units without a national organ code are named in the result (`fallback`).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.core.settings import DocumentSettings
from cascade.documents.originals import read_original
from cascade.edxml.organs import FALLBACK_PREFIX, Organ, Staff, document_id, organ_of
from cascade.edxml.package import Attachment, DocumentFacts, DocumentRef, document_package
from cascade.edxml.statuses import business_of, status_history, status_message
from models import Assignment, Directive, Recipient, ReportingPlan, Unit


@dataclass
class ExportResult:
    number: str
    folder: Path
    packages: int = 0
    statuses: int = 0
    fallback: dict[str, str] = field(default_factory=dict)  # code → name of each unit with no organ_id


def find_directive(session: Session, number: str, issuer_code: str) -> tuple[Directive, Unit]:
    issuer = session.exec(select(Unit).where(Unit.code == issuer_code.strip())).first()
    if issuer is None:
        raise InputError([Problem("--issuer", f"no unit with the code {issuer_code!r} in the org tree")])
    query = select(Directive).where(Directive.number == number.strip(), Directive.issuer_id == issuer.id)
    found = session.exec(query.order_by(col(Directive.year).desc())).first()
    if found is None:
        raise InputError([Problem("NUMBER", f"{issuer_code} issued no directive numbered {number!r}")])
    return found, issuer


class _Organs:
    """Units as organs, each looked up once, remembering those that have no national code."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.fallback: dict[str, str] = {}
        self.cache: dict[int, Organ] = {}

    def of(self, unit: Unit) -> Organ:
        assert unit.id is not None
        if unit.id not in self.cache:
            parent = self.session.get(Unit, unit.parent_id) if unit.parent_id else None
            self.cache[unit.id] = organ_of(unit, parent)
            if not unit.organ_id:
                self.fallback[unit.code] = unit.name
        return self.cache[unit.id]


def _basis(session: Session, directive: Directive, organs: _Organs) -> DocumentRef | None:
    """The document the directive implements: its parent directive in the system, or the basis it names (its
    issuer found by name in the tree; an issuer the tree does not hold is a fallback too)."""
    if not directive.basis:
        return None
    parent = session.get(Directive, directive.parent_directive_id) if directive.parent_directive_id else None
    unit = session.get(Unit, parent.issuer_id) if parent is not None else None
    if unit is None and directive.basis_issuer:
        unit = session.exec(select(Unit).where(Unit.name == directive.basis_issuer.strip())).first()
    if unit is not None:
        organ_id = organs.of(unit).organ_id
    else:
        name = directive.basis_issuer or "?"
        organ_id = f"{FALLBACK_PREFIX}{name}"
        organs.fallback[name] = "the basis's issuer, not in the org tree"
    day = directive.basis_issued_on or (parent.issued_on if parent is not None else None)
    return DocumentRef(organ_id, directive.basis, day, document_id(organ_id, day, directive.basis) if day else None)


def _attachment(settings: DocumentSettings, d: Directive) -> tuple[Attachment | None, int | None]:
    if not (d.original_sha256 and d.original_name):
        return None, None
    try:
        data = read_original(settings, d.original_sha256)
    except LookupError as exc:
        raise InputError([Problem("original", str(exc))]) from None
    pages = None
    if data.startswith(b"%PDF-"):
        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except Exception:  # noqa: BLE001 - a page count is a courtesy: an odd PDF is still sent, without one
            pages = None
    content_id = f"cid:{uuid.UUID(d.original_sha256[:32])}"  # stable: the same original, the same id
    description = f"Bản gốc đã ký của {d.doc_type.strip().capitalize()} số {d.number}"
    return Attachment(content_id, d.original_name, d.original_mime or "application/octet-stream", data,
                      description), pages  # fmt: skip


def _staff(session: Session, d: Directive) -> Staff:
    """Who follows the directive up: the reporting plan's officer, in the department reports go to."""
    plan = session.exec(select(ReportingPlan).where(ReportingPlan.directive_id == d.id)).first()
    to = session.exec(select(Unit).where(Unit.code == d.report_to)).first() if d.report_to else None
    name, email = (plan.follow_up_name, plan.follow_up_email) if plan is not None else (None, None)
    return Staff(department=to.name if to is not None else None, staff=name, email=email)


def _typer_notation(archive: str | None) -> str | None:
    """ "VT, TgNc" → "TgNc": the Lưu line's part after the clerk's office (VT) names the drafting department."""
    parts = [p.strip() for p in (archive or "").split(",") if p.strip()]
    return next((p for p in parts if p.upper() != "VT"), None)


def export_directive(
    session: Session, settings: DocumentSettings, *, number: str, issuer_code: str, out: Path, now: datetime
) -> ExportResult:
    directive, issuer_unit = find_directive(session, number, issuer_code)
    organs = _Organs(session)
    issuer = organs.of(issuer_unit)
    rows = session.exec(
        select(Recipient, Unit)
        .join(Unit, col(Unit.id) == col(Recipient.unit_id))
        .where(Recipient.directive_id == directive.id)
        .order_by(col(Recipient.id))
    ).all()
    assignments = {
        a.unit_id: a for a in session.exec(select(Assignment).where(Assignment.directive_id == directive.id)).all()
    }
    attachment, pages = _attachment(settings, directive)
    business, reason = business_of(session, directive)
    doc_id = document_id(issuer.organ_id, directive.issued_on, directive.number)
    facts = DocumentFacts(
        directive=directive,
        issuer=issuer,
        document_id=doc_id,
        to_places=[unit.name for _, unit in rows],
        trace_at=directive.dispatched_at or now,
        business=business,
        reason=reason,
        staff=_staff(session, directive),
        basis=_basis(session, directive, organs),
        attachment=attachment,
        page_amount=pages,
        typer_notation=_typer_notation(directive.archive),
    )
    ref = DocumentRef(issuer.organ_id, directive.number, directive.issued_on, doc_id)
    files: dict[Path, bytes] = {}
    result = ExportResult(directive.number, out)
    for _, unit in rows:
        organ, assignment = organs.of(unit), assignments.get(unit.id or 0)
        due = (assignment.report_due if assignment is not None else None) or directive.report_due
        folder = out / unit.code
        files[folder / f"{directive.number.replace('/', '-')}.edxml"] = document_package(facts, organ, due)
        result.packages += 1
        events = status_history(session, assignment) if assignment is not None else []
        for seq, event in enumerate(events, start=1):
            sender = issuer if event.from_issuer else organ
            staff = Staff(department=unit.name, email=unit.email)
            files[folder / f"status-{seq:02d}-{event.code}.edxml"] = status_message(
                event, document=ref, sender=sender, staff=staff
            )
            result.statuses += 1
    for path, data in files.items():  # written only once everything was found
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    result.fallback = organs.fallback
    return result
