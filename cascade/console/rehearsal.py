"""A launch rehearsed inside a SAVEPOINT that is rolled back: the directive stored, its assignments created with
their deadlines and one notice rendered exactly as the launch does it (cascade/directives/store.py,
cascade/dispatch/notices.py, cascade/dispatch/notice_document.py), then all of it undone. Nothing is stored or
sent, and the preview's deadlines and notice are the launch's own, not a second computation of them.

The notice is the first acting recipient's (else the first recipient's), with the directive's shared document
spliced in where the sender splices it; its links name an assignment that the rollback removes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from cascade.console.results import NoticePreview
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.delivery.mailmessage import DOCUMENT_MARKER
from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.store import SignedOriginal, store_directive
from cascade.dispatch.notice_document import ensure_mail_document
from cascade.dispatch.notices import create_assignments, notice_context, render_notice
from models import Assignment, MailDocument, Role, Unit


@dataclass
class Rehearsal:
    # {unit code: (acknowledge by, report by or None)}; a recipient without an assignment (the department that
    # drafted the document) is left out
    deadlines: dict[str, tuple[date, date | None]] = field(default_factory=dict)
    notice: NoticePreview | None = None


def rehearse(session: Session, spec: DirectiveSpec, settings: Settings, original: SignedOriginal | None) -> Rehearsal:
    """The deadlines and the notice the launch of `spec` would give (the caller checked its units first)."""
    out = Rehearsal()
    savepoint = session.begin_nested()
    try:
        directive, _ = store_directive(session, spec, original)
        assert directive.id is not None
        create_assignments(session, directive, work_calendar(settings))
        rows = session.exec(
            select(Assignment, Unit)
            .join(Unit, col(Unit.id) == col(Assignment.unit_id))
            .where(Assignment.directive_id == directive.id)
        ).all()
        out.deadlines = {u.code: (a.ack_due, a.report_due) for a, u in rows}
        order = {code: i for i, (code, _) in enumerate(spec.recipients)}
        rows = sorted(rows, key=lambda r: (r[0].role != Role.act, order.get(r[1].code, len(order))))
        if rows:
            assignment, unit = rows[0]
            ctx = notice_context(session, directive.id)
            ctx.document_id = ensure_mail_document(session, directive, settings.documents)
            row = render_notice(settings, ctx, assignment, unit)
            document = session.get(MailDocument, ctx.document_id)
            assert document is not None
            out.notice = NoticePreview(
                subject=row["subject"],
                text=row["body_text"].replace(DOCUMENT_MARKER, document.body_text),
                html=row["body_html"].replace(DOCUMENT_MARKER, document.body_html),
                unit_code=unit.code,
                unit_name=unit.name,
            )
    finally:
        savepoint.rollback()
    return out
