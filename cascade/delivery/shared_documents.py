"""The shared document parts of the messages a send call sends: loaded, read and encoded once per call.

A notice's row names its directive's models.MailDocument; the sender holds each one as a SharedDocument (the
two bodies' base64 and the attachments' MIME parts), so a batch of 1,000 notices reads the original from disk
and encodes it once, not 1,000 times."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlmodel import Session, col

from cascade.core.settings import DocumentSettings, Settings
from cascade.core.sqlutil import id_in
from cascade.delivery.mailmessage import SharedDocument, build_email
from cascade.delivery.mime import SharedBody, attachment_part
from cascade.delivery.outbox_store import load_mail
from cascade.documents.originals import read_original
from models import MailDocument, OutboxMessage

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]


class SharedDocuments:
    def __init__(self, settings: DocumentSettings) -> None:
        self.settings = settings
        self.ready: dict[int, SharedDocument] = {}

    def load_for_messages(self, session: Session, message_ids: list[int]) -> None:
        """Prepare the documents the outbox rows `message_ids` name (before any of them is claimed: a missing
        original stops the call while every row is still owed)."""
        if not message_ids:
            return
        query = select(OUTBOX.c.document_id).where(id_in(session, OUTBOX.c.id, message_ids)).distinct()
        self.load(session, session.execute(query).scalars())

    def load(self, session: Session, document_ids: Iterable[int | None]) -> None:
        missing = {i for i in document_ids if i is not None and i not in self.ready}
        if not missing:
            return
        for doc in session.scalars(select(MailDocument).where(col(MailDocument.id).in_(sorted(missing)))):
            assert doc.id is not None
            parts = tuple(
                attachment_part(a["name"], a["mime"], read_original(self.settings, a["sha256"]))
                for a in doc.attachments
            )
            self.ready[doc.id] = SharedDocument(SharedBody.of(doc.body_text), SharedBody.of(doc.body_html), parts)
        if lost := missing - set(self.ready):
            raise LookupError(f"outbox messages name shared documents that do not exist: {sorted(lost)[:10]}")

    def of(self, document_id: int | None) -> SharedDocument | None:
        return None if document_id is None else self.ready[document_id]


def stored_email(session: Session, settings: Settings, message_id: int) -> bytes:
    """One outbox message's bytes as the sender sends them, document and attachments included (a sample)."""
    mail = load_mail(session, message_id)
    documents = SharedDocuments(settings.documents)
    documents.load(session, [mail.document_id])
    return build_email(settings, mail, documents.of(mail.document_id))
