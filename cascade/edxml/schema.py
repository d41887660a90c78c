"""The edXML vocabulary: namespace, element helpers, date formats and code lists.

No schema file of QCVN 102:2016 is published with it; the layout follows the public implementations, which
agree on it (found with the project's code search; where the index names no repository, by package name):
- tungsfer512/edxml-convert (api/src/main/java/vn/ript/api/utils/EdXMLBuild.java, on the VNPT edXML SDK, and
  request-response/edoc/edoc.json, status/status.json, which give every field's meaning in Vietnamese): the
  order of MessageHeader (From, To, Code, PromulgationInfo, DocumentType, Subject, Content, SignerInfo, DueDate,
  ToPlaces, OtherInfo, ResponseFor, SteeringType, DocumentId), of TraceHeaderList (TraceHeader, then Bussiness:
  BussinessDocType 0 new / 1 revocation / 2 update / 3 replacement, BussinessDocReason, DocumentId, StaffInfo,
  Paper), OtherInfo/Priority (0 normal, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ), the status codes
  (01 arrived, 02 refused, 03 received, 04 waiting to be assigned, 05 assigned and in hand, 06 done, 13 recall,
  15 recall or update agreed, 16 refused) and the Status message (ResponseFor, From, StatusCode, Description,
  Timestamp, StaffInfo); which of our states is which code is models/assignment.py EDXML_CODE;
- the Bkav edoc SDK (com.bkav.edoc.sdk: EdXmlConstant, its status builder) and the C# status sample of a
  provincial QLVB system: the root `edXML` in the default namespace holding `edXML:edXMLEnvelope` and its
  `edXMLHeader` (the Status message inside it), DocumentId as "OrganId,yyyy/mm/dd,Number"
  ("000.00.00.G22,2018/09/20,7816/VPCP-TTĐT");
- gateway builders for the national axis (com.vpcp.gateway ManualEdxmlBuilder; a TypeScript builder written
  from Lạng Sơn's SDK sample edoc_new.edxml): edXMLBody/edXMLManifest/Reference naming each attachment by its
  ContentId, the attachments base64 in `AttachmentEncoded/Attachment` after the envelope (default namespace),
  dates yyyy/mm/dd and timestamps yyyy/mm/dd hh:mm:ss.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum

from lxml import etree

from cascade.core.workdays import VN_TZ
from models import Urgency

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
XLINK = "http://www.w3.org/1999/xlink"


def q(name: str) -> str:
    """The qualified name of an edXML element."""
    return f"{{{NS}}}{name}"


def sub(parent: etree._Element, name: str, text: object | None = None) -> etree._Element:
    """A child element; with text, its text (numbers and dates given already as the text they are written as)."""
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = str(text)
    return element


def leaf(parent: etree._Element, name: str, text: object | None) -> None:
    """A child with text, left out when there is nothing to say (an empty element claims a value)."""
    if text is not None and str(text).strip():
        sub(parent, name, text)


def envelope() -> tuple[etree._Element, etree._Element]:
    """The root `edXML` (default namespace) and its `edXML:edXMLEnvelope` (the edXML prefix from there down)."""
    root = etree.Element(q("edXML"), nsmap={None: NS})
    return root, etree.SubElement(root, q("edXMLEnvelope"), nsmap={PREFIX: NS})


def serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def edxml_date(value: date) -> str:
    return value.strftime("%Y/%m/%d")


def edxml_timestamp(value: datetime) -> str:
    """An instant in Vietnam's time, as the trace and status messages write it."""
    return value.astimezone(VN_TZ).strftime("%Y/%m/%d %H:%M:%S")


def parse_edxml_date(text: str) -> date | None:
    """yyyy/mm/dd as written here; also dd/mm/yyyy and ISO dates, which some systems send. None if none fits."""
    value = text.strip().split(" ")[0].split("T")[0]
    for pattern in ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


PRIORITY: dict[Urgency, int] = {Urgency.normal: 0, Urgency.khan: 1, Urgency.thuong_khan: 2, Urgency.hoa_toc: 3}
URGENCY_OF_PRIORITY = {code: urgency for urgency, code in PRIORITY.items()} | {4: Urgency.hoa_toc}  # 4: timed


class Business(IntEnum):
    """Trace/Bussiness/BussinessDocType: what the package does to the document."""

    new = 0
    revocation = 1
    update = 2
    replacement = 3


BUSINESS_REASON = {
    Business.new: "Văn bản mới",
    Business.revocation: "Thu hồi văn bản",
    Business.update: "Cập nhật văn bản",
    Business.replacement: "Thay thế văn bản",
}

# DocumentType/Type, the class of document. The public implementations disagree on its code list (1 in one
# gateway, 18 in an SDK sample, free in the VNPT builder): we write 2, an administrative document (Decree
# 30/2020/NĐ-CP Art. 7), and its own name in TypeName, which is what receiving systems show.
ADMINISTRATIVE_DOCUMENT = 2
