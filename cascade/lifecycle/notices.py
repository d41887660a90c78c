"""The notices of a directive's life after launch, through the outbox like every other email: one per unit
(keyed, so a rerun adds none twice), rendered from templates/email/<kind>.{txt,html} and <kind>_subject.txt,
sent in the name of the unit whose document the unit holds. Also the mail a recall cancels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from cascade.delivery.outbox_batch import OWED
from cascade.delivery.outbox_store import enqueue_mail
from cascade.dispatch.links import unit_link
from cascade.dispatch.notice_document import document_key, ensure_mail_document, find_mail_document
from cascade.documents.wording import document_reference
from cascade.lifecycle.received import Holder
from cascade.rendering.render import outbox_row
from models import Directive, MailDocument, MailStatus, OutboxMessage, Unit
from models.report import EscalationStep

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
DOCUMENT = MailDocument.__table__  # type: ignore[attr-defined]
KEYS_PER_QUERY = 5000


def reference(session: Session, directive: Directive, *, with_issuer: bool = True) -> str:
    """ "Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu", as a clerk names a document in a sentence."""
    issuer = session.get(Unit, directive.issuer_id) if with_issuer else None
    return document_reference(
        directive.doc_type, directive.number, directive.issued_on, issuer.name if issuer else None
    )


def cancel_unsent(session: Session, directive_ids: list[int]) -> int:
    """Mail about these directives not handed to the server yet (pending, or failed and owed again) is cancelled;
    a message claimed by a sender or being sent is left to it: it may be on its way already."""
    if not directive_ids:
        return 0
    result = session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.directive_id.in_(directive_ids), OUTBOX.c.status.in_(OWED))
        .values(status=MailStatus.cancelled.value, last_error="cancelled: the directive was recalled")
    )
    return int(result.rowcount or 0) + _cancel_ladder_mail(session, set(directive_ids))  # type: ignore[attr-defined]


def _cancel_ladder_mail(session: Session, closed: set[int]) -> int:
    """The ladder's digests and escalations name no directive (one email lists the units of many): one still
    unsent is cancelled when every step it tells of is of a closed directive. Their keys end with the span of
    the step ids the run took ("digest:<supervisor>:<first>-<last>", cascade/chasing/digests.py); a digest
    tells of the "parent" steps of its supervisor's directives, an escalation of "escalate" steps."""
    owed = session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.kind).in_(["digest", "escalation"]), col(OutboxMessage.status).in_(OWED)
        )
    ).all()
    cancelled = 0
    for message in owed:
        _, supervisor, span = message.key.split(":", 2)
        first, _, last = span.partition("-")
        if not (first.isdigit() and last.isdigit()):
            continue
        step = "parent" if message.kind == "digest" else "escalate"
        query = (
            select(EscalationStep.directive_id, Directive.issuer_id)
            .join(Directive, col(Directive.id) == col(EscalationStep.directive_id))
            .where(col(EscalationStep.id).between(int(first), int(last)), EscalationStep.step == step)
        )
        told = {d for d, issuer in session.exec(query).all() if message.kind != "digest" or str(issuer) == supervisor}
        if told and told <= closed:
            message.status, message.last_error = MailStatus.cancelled, "cancelled: its directives were recalled"
            session.add(message)
            cancelled += 1
    session.flush()
    return cancelled


def holder_notice(
    settings: Settings,
    session: Session,
    holder: Holder,
    *,
    key: str,
    template: str,
    now: datetime,
    **values: Any,
) -> dict[str, Any]:
    """One unit's notice: its link is its first assignment's (the page that shows what became of the document),
    its sender the issuer of the document that assignment is for."""
    first = holder.first
    directive = session.get(Directive, first.directive_id)
    issuer = session.get(Unit, directive.issuer_id) if directive else None
    row = outbox_row(
        key,
        template,
        (holder.name, holder.email),
        template,
        now,
        directive_id=first.directive_id,
        assignment_id=first.id,
        unit=holder,
        link=unit_link(settings, first),
        **values,
    )
    return row | {"from_name": issuer.name if issuer else ""}


def enqueue(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Queue the notices (those already queued by an earlier run are kept); returns the ids of all of them still
    owed, so that a rerun sends what an interrupted one did not."""
    enqueue_mail(session, rows)
    session.flush()
    keys = [r["key"] for r in rows]
    owed: list[int] = []
    for start in range(0, len(keys), KEYS_PER_QUERY):  # PostgreSQL takes at most 65,535 parameters a statement
        part = keys[start : start + KEYS_PER_QUERY]
        query = select(OutboxMessage.id, OutboxMessage.status).where(col(OutboxMessage.key).in_(part))
        owed += [i for i, status in session.exec(query).all() if i is not None and status in OWED]
    return sorted(owed)


def refresh_documents(session: Session, settings: Settings, directives: list[Directive]) -> None:
    """The shared document part of these directives' notices (models.MailDocument), rendered again from what
    they say now: the one kept is renamed (messages sent with it keep it), the unsent ones take the new one, and
    any notice queued later (a unit added, a successor) carries the current version."""
    for d in directives:
        assert d.id is not None
        old = find_mail_document(session, d.id)
        if old is None:
            continue  # never rendered: rendered from the current version when first needed
        session.execute(sa.update(DOCUMENT).where(DOCUMENT.c.id == old).values(key=f"{document_key(d.id)}:{old}"))
        new = ensure_mail_document(session, d, settings.documents)
        session.execute(
            sa.update(OUTBOX).where(OUTBOX.c.document_id == old, OUTBOX.c.status.in_(OWED)).values(document_id=new)
        )


def free_reminder_keys(session: Session, assignment_ids: list[int], items: list[str]) -> None:
    """Let the ladder remind again for these items (a deadline moved, a version to confirm again): its reminders'
    keys ("remind:<assignment>:<item>:<step>", unique in the outbox) get the message's id appended, so the new
    round's reminders are new messages while the sent ones stay as they were."""
    for start in range(0, len(assignment_ids), KEYS_PER_QUERY):
        part = assignment_ids[start : start + KEYS_PER_QUERY]
        for item in items:
            session.execute(
                sa.update(OUTBOX)
                .where(
                    OUTBOX.c.kind == "reminder",
                    OUTBOX.c.assignment_id.in_(part),
                    OUTBOX.c.key.like(f"remind:%:{item}:%"),
                )
                .values(key=OUTBOX.c.key.concat(":").concat(sa.cast(OUTBOX.c.id, sa.String)))
            )
