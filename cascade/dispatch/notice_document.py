"""The part every notice of a directive shares: the whole document (with, for a system-issued pass-on, the
documents it implements) and the signed original, stored once per directive as a models.MailDocument.

The notice templates hold DOCUMENT_MARKER where it goes; the sender splices it in (cascade/delivery). What the
cover says about the original (attached, or too large and linked through the unit's own token) is decided
here too, from the same limit, so the cover and the attachment can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cascade.core.settings import DocumentSettings
from cascade.delivery.mailmessage import DOCUMENT_MARKER
from cascade.documents.layout import render_document
from cascade.documents.originals import document_chain, nearest_original
from cascade.documents.wording import doc_type_word, document_reference, implementing_sentence
from cascade.rendering.render import render, vn_size
from models import Directive, MailDocument, Unit, utcnow


@dataclass(frozen=True)
class OriginalNote:
    """What a notice's cover says about the signed original (the same for every unit of the directive)."""

    name: str
    size: str  # "35 KB", "12,5 MB"
    attached: bool  # False: above the attachment limit, the cover links /u/<token>/original instead
    directive: Directive  # whose original it is (a pass-on carries its parent's)


def document_key(directive_id: int) -> str:
    return f"directive:{directive_id}"


def original_note(chain: list[Directive], settings: DocumentSettings) -> OriginalNote | None:
    owner = nearest_original(chain)
    if owner is None or owner.original_size is None or owner.original_name is None:
        return None
    attached = owner.original_size <= settings.attachment_max_bytes
    return OriginalNote(owner.original_name, vn_size(owner.original_size), attached, owner)


def chain_references(session: Session, chain: list[Directive]) -> list[str]:
    """How a clerk names each document a directive implements ("Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của …")."""
    out = []
    for d in chain[1:]:
        issuer = session.get(Unit, d.issuer_id)
        out.append(document_reference(d.doc_type, d.number, d.issued_on, issuer.name if issuer else None))
    return out


def cover_values(
    settings: DocumentSettings, chain: list[Directive], document_id: int | None, parent_references: list[str]
) -> dict[str, Any]:
    """What a notice's cover says of the document, the same for every unit: its sentences as a clerk writes them
    (cascade.documents.wording), the documents it carries and the original."""
    d = chain[0]
    about = d.summary.strip()
    if about[:4].lower() == "v/v ":
        about = about[4:]
    if about[1:2].islower():  # "Đẩy mạnh …" reads "về đẩy mạnh …"; an acronym (LĐLĐ …) keeps its capitals
        about = about[:1].lower() + about[1:]
    joint = "về việc" if doc_type_word(d.doc_type) == "Công văn" else "về"
    # "Thực hiện Kế hoạch số 252…, … ban hành Công văn … về việc triển khai thực hiện Kế hoạch số 252…" says it twice.
    implementing = implementing_sentence(d.basis, d.basis_issued_on, d.basis_issuer) if d.basis else None
    if d.basis and d.basis in about:
        implementing = None
    original = original_note(chain, settings)
    owner = original.directive if original is not None else d
    return {
        # Where the sender splices in the whole document (None: not rendered yet, the cover points to the page).
        "document": DOCUMENT_MARKER if document_id is not None else None,
        "implemented": chain[1:],
        "parent_references": parent_references,
        "original": original,
        # Whose original it is, when it is not this directive's own (a pass-on carries the one it implements).
        "original_of": None if owner is d else document_reference(owner.doc_type, owner.number, None, None),
        "reference": f"{document_reference(d.doc_type, d.number, d.issued_on, None)} {joint} {about}",
        "implementing": implementing,
    }


def find_mail_document(session: Session, directive_id: int) -> int | None:
    """The id of the directive's shared part, if its notices have been rendered (reads only)."""
    key = document_key(directive_id)
    return session.exec(select(MailDocument.id).where(col(MailDocument.key) == key)).first()


def ensure_mail_document(session: Session, directive: Directive, settings: DocumentSettings) -> int:
    """The id of the directive's shared part, rendered and stored the first time (a rerun, or a second
    process rendering another batch at once, finds the one stored: the key is unique)."""
    assert directive.id is not None
    found = find_mail_document(session, directive.id)
    if found is not None:
        return found
    chain = document_chain(session, directive)
    rendered = [render_document(session, d) for d in chain]
    note = original_note(chain, settings)
    values = {"documents": list(zip(chain, rendered, strict=True)), "original": note}
    attachments = []
    if note is not None and note.attached:
        owner = note.directive
        attachments.append(
            {
                "sha256": owner.original_sha256,
                "name": owner.original_name,
                "mime": owner.original_mime,
                "size": owner.original_size,
            }
        )
    row = {
        "key": document_key(directive.id),
        "body_text": render("email/notice_document.txt", **values),
        "body_html": render("email/notice_document.html", **values),
        "attachments": attachments,
        "created_at": utcnow(),
    }
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = MailDocument.__table__  # type: ignore[attr-defined]
    session.execute(module.insert(table).values(**row).on_conflict_do_nothing(index_elements=["key"]))
    document_id = find_mail_document(session, directive.id)
    assert document_id is not None
    return document_id
