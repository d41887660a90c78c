"""Stores a validated directive with its recipients and tasks, once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.directives.closing import close, issued_directive
from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.reportplan import store_reporting
from cascade.directives.unit_check import UnitRef, check_units
from models import Assignment, AuditEvent, Directive, DirectiveTask, Recipient, record_audit, utcnow


@dataclass(frozen=True)
class SignedOriginal:
    """The directive's signed original as checked and kept by cascade.documents.originals (which sits above
    this package, so it hands this in rather than being called from here)."""

    name: str
    mime: str
    size: int
    sha256: str


def content_hash(spec: DirectiveSpec, original: SignedOriginal | None = None) -> str:
    record = spec.as_record()
    if original is not None:
        # The file's name is in the record; its content is this: another original under one number is a change.
        record["original_sha256"] = original.sha256
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def store_directive(
    session: Session, spec: DirectiveSpec, original: SignedOriginal | None = None
) -> tuple[Directive, bool]:
    """(directive, created). The same file again returns the stored one; another content under a used
    number is refused, since a number is unique per issuer and year (Decree 30 Art. 15).

    A file that names an original is stored through cascade.documents.originals.store_with_original, which
    checks the file first and passes `original` here."""
    if spec.original is not None and original is None:
        raise ValueError(f"{spec.source}: its original must be checked first (cascade.documents.originals)")
    units = check_units(session, spec)
    issuer = units[spec.issuer]
    digest = content_hash(spec, original)
    existing = session.exec(
        select(Directive).where(
            Directive.issuer_id == issuer.id,
            Directive.year == spec.issued_on.year,
            Directive.number == spec.number,
        )
    ).first()
    if existing is not None:
        if existing.content_hash != digest:
            raise InputError(
                [
                    Problem(
                        spec.source,
                        f"number {spec.number} of {spec.issued_on.year} is already used "
                        f"by another directive of {issuer.name}",
                        entry="number",
                    )
                ]
            )
        return existing, False
    # A file that says `replaces:` names a directive of the same issuer still in force; it is closed below.
    replaced = (
        issued_directive(session, spec.replaces, spec.issuer, source=spec.source, entry="replaces")
        if spec.replaces
        else None
    )
    directive = Directive(
        number=spec.number,
        doc_type=spec.doc_type,
        issued_on=spec.issued_on,
        place=spec.place,
        summary=spec.summary,
        basis=spec.basis,
        basis_issued_on=spec.basis_issued_on,
        basis_issuer=spec.basis_issuer,
        body=spec.body,
        signer_on_behalf=spec.signer_on_behalf,
        signer_title=spec.signer_title,
        signer_name=spec.signer_name,
        report_due=spec.report_due,
        report_to=spec.report_to,
        urgency=spec.urgency,
        cascade_mode=spec.cascade_mode,
        lead_days=spec.lead_days,
        issuer_id=_id(issuer.id),
        year=spec.issued_on.year,
        source="file",
        content_hash=digest,
        archive=spec.archive,
        printed=list(spec.printed),
    )
    if original is not None:
        directive.original_name, directive.original_mime = original.name, original.mime
        directive.original_size, directive.original_sha256 = original.size, original.sha256
    parent = _parent_directive(session, spec)
    if parent is not None:
        directive.parent_directive_id = parent.id
    session.add(directive)
    session.flush()
    assert directive.id is not None
    # One bulk statement per 5,000 recipients, not an ORM object each: a directive to 100,000 units.
    rows = [
        {"directive_id": directive.id, "unit_id": _id(units[code].id), "role": role, "mode": spec.modes.get(code)}
        for code, role in spec.recipients
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(Recipient.__table__), rows[start : start + 5000])  # type: ignore[attr-defined]
    for seq, task in enumerate(spec.tasks, start=1):
        session.add(
            DirectiveTask(directive_id=directive.id, seq=seq, text=task.text, to_codes=task.to, to_kinds=task.to_kinds)
        )
    store_reporting(session, directive.id, spec.reporting)
    record_audit(
        session,
        AuditEvent.directive_stored,
        unit=issuer,
        actor="cli",
        directive_id=directive.id,
        detail={"number": spec.number, "source": spec.source},
    )
    if parent is not None:
        _link_to_parent_assignment(session, directive, parent, issuer)
    if replaced is not None:
        # Closed as the new one is stored, however it is launched; its units are told by cascade/lifecycle.
        close(session, replaced, utcnow(), replaced_by=directive.id)
        record_audit(session, AuditEvent.directive_replaced, unit=issuer, actor="cli", directive_id=replaced.id,
                     detail={"number": replaced.number, "by": spec.number, "by_id": directive.id})  # fmt: skip
    session.flush()
    return directive, True


def undispatched_directives(session: Session) -> list[int]:
    """Directives stored but not dispatched yet (issued on acknowledgement, by a unit's form, or interrupted)."""
    # a closed one (recalled, or replaced, before it went out) is never sent
    query = select(Directive.id).where(col(Directive.dispatched_at).is_(None), col(Directive.closed_at).is_(None))
    query = query.order_by(col(Directive.id))
    return [i for i in session.exec(query).all() if i is not None]


def _link_to_parent_assignment(session: Session, directive: Directive, parent: Directive, issuer: UnitRef) -> None:
    """A unit that writes its own implementing directive (author mode) launches it with `basis` = the parent:
    its assignment under the parent counts as passed on (edXML 04) once this one is dispatched."""
    assignment = session.exec(
        select(Assignment).where(Assignment.directive_id == parent.id, Assignment.unit_id == issuer.id)
    ).first()
    if assignment is None or assignment.implementing_directive_id is not None:
        return
    directive.parent_assignment_id, directive.source = assignment.id, "author"
    assignment.implementing_directive_id = directive.id
    session.add_all([directive, assignment])


def _parent_directive(session: Session, spec: DirectiveSpec) -> Directive | None:
    """The stored directive that this one implements, when its basis is known here."""
    if not spec.basis:
        return None
    query = select(Directive).where(Directive.number == spec.basis)
    if spec.basis_issued_on:
        query = query.where(Directive.issued_on == spec.basis_issued_on)
    return session.exec(query.order_by(Directive.id.desc())).first()  # type: ignore[union-attr]


def _id(value: int | None) -> int:
    assert value is not None, "a stored row has an id"
    return value
