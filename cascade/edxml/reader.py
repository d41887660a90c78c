"""An incoming edXML package, read safely and checked for what a document package must hold.

lxml with no network, no entity resolution, no DTD, and libxml2's limits kept (huge_tree=False: a text node of
more than 10 MB, i.e. an attachment over about 7 MB, is refused rather than read). A package that is not
well-formed, has a DOCTYPE, or lacks a required element raises InputError naming the file, the line lxml gives
and the element's path (edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Code/CodeNumber). Elements are matched by
their local name, as the public readers do (some systems send the envelope without the outer `edXML`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from cascade.core.errors import InputError, Problem
from cascade.edxml.schema import parse_edxml_date

MAX_PACKAGE_BYTES = 64 * 1024 * 1024
HEADER_PATH = "edXML/edXMLEnvelope/edXMLHeader"


@dataclass(frozen=True)
class IncomingAttachment:
    name: str
    mime: str
    data: bytes


@dataclass
class IncomingPackage:
    from_id: str
    from_name: str
    code_number: str
    code_notation: str
    promulgated: date
    subject: str
    to: list[tuple[str, str]] = field(default_factory=list)  # (organ id, name) of each To
    place: str | None = None
    type_name: str | None = None
    content: str = ""
    signer: dict[str, str] = field(default_factory=dict)  # Competence, Position, FullName as given
    due: date | None = None
    priority: int | None = None
    document_id: str | None = None
    business: int = 0
    business_reason: str | None = None
    attachments: list[IncomingAttachment] = field(default_factory=list)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def need(self, parent: etree._Element | None, path: str, child: str) -> etree._Element | None:
        """The child element, or None with a problem naming its path and its parent's line."""
        if parent is None:
            return None
        found = children(parent, child)
        if not found:
            self.problems.append(Problem(self.name, f"missing element {path}/{child}", parent.sourceline, child))
            return None
        return found[0]

    def text(self, parent: etree._Element | None, path: str, child: str) -> str:
        element = self.need(parent, path, child)
        value = (element.text or "").strip() if element is not None else ""
        if element is not None and not value:
            self.problems.append(Problem(self.name, f"element {path}/{child} is empty", element.sourceline, child))
        return value


def _parse(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or None
        raise InputError([Problem(name, f"not well-formed XML: {exc.msg}", line)]) from None
    if root.getroottree().docinfo.doctype:
        raise InputError([Problem(name, "a DOCTYPE is not allowed in an edXML package", 1)])
    return root


def _optional(parent: etree._Element | None, *path: str) -> str | None:
    node = parent
    for step in path:
        found = children(node, step) if node is not None else []
        node = found[0] if found else None
    text = (node.text or "").strip() if node is not None else ""
    return text or None


def _attachments(root: etree._Element, r: _Reader) -> list[IncomingAttachment]:
    out = []
    for encoded in children(root, "AttachmentEncoded"):
        for item in children(encoded, "Attachment"):
            raw = _optional(item, "ContentTransferEncoded") or ""
            try:
                data = base64.b64decode("".join(raw.split()), validate=True)
            except (binascii.Error, ValueError):
                r.problems.append(Problem(r.name, "attachment content is not base64", item.sourceline, "Attachment"))
                continue
            name = _optional(item, "AttachmentName") or "original.bin"
            out.append(IncomingAttachment(name, _optional(item, "ContentType") or "application/octet-stream", data))
    return out


def read_package(data: bytes, name: str) -> IncomingPackage:
    """The document package in `data` (from the file `name`), or InputError listing what is wrong."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise InputError([Problem(name, f"the package is over {MAX_PACKAGE_BYTES // (1024 * 1024)} MB")])
    root = _parse(data, name)
    r = _Reader(name)
    top = root if _local(root) == "edXMLEnvelope" else None
    if top is None and _local(root) != "edXML":
        raise InputError([Problem(name, f"not an edXML package: the root element is <{_local(root)}>", 1)])
    env = top if top is not None else r.need(root, "edXML", "edXMLEnvelope")
    header = r.need(env, "edXML/edXMLEnvelope", "edXMLHeader")
    if header is not None and children(header, "Status") and not children(header, "MessageHeader"):
        raise InputError([Problem(name, "this is a status message (edXML:Status), not a document package", 1)])
    path = f"{HEADER_PATH}/MessageHeader"
    message = r.need(header, HEADER_PATH, "MessageHeader")
    sender, code = r.need(message, path, "From"), r.need(message, path, "Code")
    from_id, from_name = r.text(sender, f"{path}/From", "OrganId"), r.text(sender, f"{path}/From", "OrganName")
    code_number, notation = r.text(code, f"{path}/Code", "CodeNumber"), r.text(code, f"{path}/Code", "CodeNotation")
    promulgation = r.need(message, path, "PromulgationInfo")
    day_text = r.text(promulgation, f"{path}/PromulgationInfo", "PromulgationDate")
    promulgated = parse_edxml_date(day_text) if day_text else None
    if day_text and promulgated is None:
        where = children(promulgation, "PromulgationDate")[0].sourceline if promulgation is not None else None
        r.problems.append(Problem(name, f"PromulgationDate {day_text!r} is not a date yyyy/mm/dd", where, "Date"))
    subject = r.text(message, path, "Subject")
    attachments = _attachments(root, r)
    if r.problems or message is None or promulgated is None:
        raise InputError(r.problems)
    due, priority = _optional(message, "DueDate"), _optional(message, "OtherInfo", "Priority")
    business = _optional(header, "TraceHeaderList", "Bussiness", "BussinessDocType")
    return IncomingPackage(
        from_id=from_id,
        from_name=from_name,
        code_number=code_number,
        code_notation=notation,
        promulgated=promulgated,
        subject=subject,
        to=[(_optional(t, "OrganId") or "", _optional(t, "OrganName") or "") for t in children(message, "To")],
        place=_optional(message, "PromulgationInfo", "Place"),
        type_name=_optional(message, "DocumentType", "TypeName"),
        content=_optional(message, "Content") or "",
        signer={k: v for k in ("Competence", "Position", "FullName") if (v := _optional(message, "SignerInfo", k))},
        due=parse_edxml_date(due) if due else None,
        priority=int(priority) if priority and priority.isdigit() else None,
        document_id=_optional(message, "DocumentId"),
        business=int(business) if business and business.isdigit() else 0,
        business_reason=_optional(header, "TraceHeaderList", "Bussiness", "BussinessDocReason"),
        attachments=attachments,
    )


def read_package_file(path: Path) -> IncomingPackage:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_PACKAGE_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(str(path), f"cannot read the file: {exc.strerror or exc}")]) from None
    return read_package(data, str(path))
