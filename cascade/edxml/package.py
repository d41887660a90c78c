"""One recipient's edXML package of a directive: the message header (from, to, code, promulgation, type,
subject, body, signer, deadline, Nơi nhận, other information, the document it answers), the trace with its
business type, and the signed original as an attachment (cascade/edxml/schema.py names the sources)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from cascade.edxml.organs import Organ, Staff, add_organ, add_staff, split_code
from cascade.edxml.schema import (
    ADMINISTRATIVE_DOCUMENT,
    PRIORITY,
    XLINK,
    Business,
    edxml_date,
    edxml_timestamp,
    envelope,
    leaf,
    q,
    serialise,
    sub,
)
from models import Directive


@dataclass(frozen=True)
class Attachment:
    content_id: str  # "cid:…", the same in the manifest and in the attachment
    name: str
    mime: str
    data: bytes
    description: str


@dataclass(frozen=True)
class DocumentRef:
    """Another document, as ResponseFor names it (the basis a directive implements; a status's document)."""

    organ_id: str
    code: str
    promulgated: date | None
    document_id: str | None


@dataclass(frozen=True)
class DocumentFacts:
    """What every recipient's package of one directive shares."""

    directive: Directive
    issuer: Organ
    document_id: str
    to_places: list[str]  # the Nơi nhận, by name
    trace_at: datetime  # when it went out (or was exported, if it has not)
    business: Business
    reason: str
    staff: Staff
    basis: DocumentRef | None = None
    attachment: Attachment | None = None
    page_amount: int | None = None  # the original's pages, when they can be counted (a PDF)
    typer_notation: str | None = None  # the drafting department's abbreviation ("TgNc" of "Lưu: VT, TgNc")


def add_response_for(parent: etree._Element, ref: DocumentRef) -> None:
    element = sub(parent, "ResponseFor")
    sub(element, "OrganId", ref.organ_id)
    sub(element, "Code", ref.code)
    if ref.promulgated is not None:
        sub(element, "PromulgationDate", edxml_date(ref.promulgated))
    leaf(element, "DocumentId", ref.document_id)


def _message_header(header: etree._Element, facts: DocumentFacts, to: Organ, due: date | None) -> None:
    d = facts.directive
    message = sub(header, "MessageHeader")
    add_organ(message, "From", facts.issuer)
    add_organ(message, "To", to)
    code = sub(message, "Code")
    code_number, notation = split_code(d.number)
    sub(code, "CodeNumber", code_number)
    sub(code, "CodeNotation", notation)
    promulgation = sub(message, "PromulgationInfo")
    sub(promulgation, "Place", d.place)
    sub(promulgation, "PromulgationDate", edxml_date(d.issued_on))
    doc_type = sub(message, "DocumentType")
    sub(doc_type, "Type", ADMINISTRATIVE_DOCUMENT)
    sub(doc_type, "TypeName", d.doc_type.strip().capitalize())
    sub(message, "Subject", d.summary)
    sub(message, "Content", d.body)
    signer = sub(message, "SignerInfo")
    leaf(signer, "Competence", d.signer_on_behalf)  # "TM. BAN THƯỜNG VỤ": on whose behalf
    sub(signer, "Position", d.signer_title)
    sub(signer, "FullName", d.signer_name)
    if due is not None:
        sub(message, "DueDate", edxml_date(due))
    places = sub(message, "ToPlaces")
    for name in facts.to_places:
        sub(places, "Place", name)
    other = sub(message, "OtherInfo")
    sub(other, "Priority", PRIORITY[d.urgency])
    leaf(other, "TyperNotation", facts.typer_notation)
    sub(other, "PromulgationAmount", len(facts.to_places))
    leaf(other, "PageAmount", facts.page_amount)
    if facts.basis is not None:
        add_response_for(message, facts.basis)
    sub(message, "DocumentId", facts.document_id)


def _trace(header: etree._Element, facts: DocumentFacts) -> None:
    trace_list = sub(header, "TraceHeaderList")
    trace = sub(trace_list, "TraceHeader")
    sub(trace, "OrganId", facts.issuer.organ_id)
    sub(trace, "Timestamp", edxml_timestamp(facts.trace_at))
    business = sub(trace_list, "Bussiness")  # sic: the standard's spelling
    sub(business, "BussinessDocType", int(facts.business))
    sub(business, "BussinessDocReason", facts.reason)
    if facts.business != Business.new:
        sub(business, "DocumentId", facts.document_id)  # the document revoked, updated or replaced
    add_staff(business, facts.staff)
    sub(business, "Paper", 0)  # no paper copy follows: the package is the document


def _body(env: etree._Element, attachment: Attachment) -> None:
    manifest = sub(sub(env, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    reference = etree.SubElement(manifest, q("Reference"), nsmap={"xlink": XLINK})
    reference.set(f"{{{XLINK}}}href", attachment.content_id)
    reference.set(f"{{{XLINK}}}type", "simple")
    sub(reference, "ContentId", attachment.content_id)
    sub(reference, "ContentType", attachment.mime)
    sub(reference, "AttachmentName", attachment.name)
    sub(reference, "Description", attachment.description)


def document_package(facts: DocumentFacts, to: Organ, due: date | None) -> bytes:
    """The package of the directive for `to`, with its deadline (`due`): UTF-8 XML bytes."""
    root, env = envelope()
    header = sub(env, "edXMLHeader")
    _message_header(header, facts, to, due)
    _trace(header, facts)
    if facts.attachment is not None:
        _body(env, facts.attachment)
        encoded = sub(sub(root, "AttachmentEncoded"), "Attachment")
        sub(encoded, "ContentId", facts.attachment.content_id)
        sub(encoded, "AttachmentName", facts.attachment.name)
        sub(encoded, "ContentType", facts.attachment.mime)
        sub(encoded, "ContentTransferEncoded", base64.b64encode(facts.attachment.data).decode("ascii"))
    return serialise(root)
