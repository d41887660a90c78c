"""edXML out and in (QCVN 102:2016), on a real SQLite database, the real org tree and the sample plan with a
signed PDF original: `cascade edxml export` writes each recipient's package and the status messages of its
assignment, read back here with lxml; `cascade edxml import` turns a package into the directive file of the plan
implementing it. The oracle is the stored directive, the units of the tree, the assignments' states and times as
the database holds them, and the bytes of the original written here, never the exporter.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from lxml import etree
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.directives.directivefile import parse_directive
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches
from cascade.documents.originals import store_with_original
from cascade.edxml.organs import join_code, split_code
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.acknowledge import acknowledge
from cascade.replies.passon import mark_dispatched
from cascade.replies.refusal import refuse
from cascade.replies.reports import save_report
from models import EDXML_CODE, Assignment, Directive, Recipient, Unit
from tests.conftest import SAMPLE_ORG
from tests.originals_helpers import PDF_NAME, seed_file, tiny_pdf

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NUMBER, ISSUER = "252/KH-LĐLĐ", "LDLD_LC"
# Test values in the national form, not these units' real codes; every other unit of the tree has none.
ORGAN_IDS = {
    "LDLD_LC": "000.00.01.H29",
    "LDLD_TD": "000.01.01.H29",
    "TU_LC": "000.00.00.H29",
    "CDCS_XOSO": "000.02.01.H29",
}
FIGURES = {"conferences": "3", "participants": "120", "posts": "5", "banners": "2"}
# What each unit did, and the status messages it owes for it.
EXPECTED = {"LDLD_TD": ["01", "03", "04"], "LDLD_PT": ["01", "03"], "CDCS_XOSO": ["01", "03", "05"],
            "CDCS_CAPNUOC": ["01", "03", "06"], "LDLD_SH": ["01", "02"], "LDLD_MT": ["01"]}  # fmt: skip


def x(name: str) -> str:
    return f"{{{NS}}}{name}"


def one(element: etree._Element, path: str) -> etree._Element:
    found = element.findall("/".join(x(p) for p in path.split("/")))
    assert len(found) == 1, (path, found)
    return found[0]


def text(element: etree._Element, path: str) -> str:
    return one(element, path).text or ""


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@dataclass
class Issued:
    directive_id: int
    out: Path
    output: str


def tree_with_organ_ids(tmp_path: Path, organ_ids: dict[str, str]) -> Path:
    data = yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))
    for unit in data["units"]:
        if unit["code"] in organ_ids:
            unit["organ_id"] = organ_ids[unit["code"]]
    path = tmp_path / "tree.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def assignment_of(session: Session, directive_id: int, code: str) -> Assignment:
    unit = session.exec(select(Unit).where(Unit.code == code)).one()
    query = select(Assignment).where(Assignment.directive_id == directive_id, Assignment.unit_id == unit.id)
    return session.exec(query).one()


@pytest.fixture
def issued(settings: Settings, sample_org: None, tmp_path: Path) -> Issued:
    """The plan, with its PDF, sent to every recipient (real SMTP sink), then answered: Tam Đường acknowledges
    and passes it on, Phong Thổ acknowledges, two grassroots unions report (a draft, a submitted report), Sìn
    Hồ refuses; then `cascade edxml export`."""
    tree = tree_with_organ_ids(tmp_path, ORGAN_IDS)
    with session_scope() as session:
        counts = import_org(session, parse_org(tree), source=str(tree))
        assert counts["updated"] == len(ORGAN_IDS)  # the organ code is a field of the unit, updated by code
        spec = parse_directive(seed_file(tmp_path, PDF_NAME, tiny_pdf()))
        stored, _ = store_with_original(session, spec, settings.documents)
        create_assignments(session, stored, work_calendar(settings))
        assert stored.id is not None
        for batch in notice_batches(session, stored.id, 100):
            enqueue_notices(session, settings, stored.id, batch)
        did = stored.id
    with session_scope() as session:
        for ids in list(outbox_batches(session, did, 100)):
            send_outbox_batch(session, settings, ids)
        directive = session.get(Directive, did)
        assert directive is not None
        mark_dispatched(session, directive)  # as the flow's last task does
    with session_scope() as session:
        for code in ("LDLD_TD", "LDLD_PT", "CDCS_XOSO", "CDCS_CAPNUOC"):
            acknowledge(session, assignment_of(session, did, code).id or 0, remote_addr="test", user_agent="test")
        td = assignment_of(session, did, "LDLD_TD")
        child = session.get(Directive, td.implementing_directive_id)
        assert child is not None
        mark_dispatched(session, child)  # its own Công văn went out: 04
        directive = session.get(Directive, did)
        assert directive is not None
        cycle = ensure_cycles(session, directive, work_calendar(settings))[0]
        indicators = effective_plan(session, directive).indicators
        for code, submit in (("CDCS_XOSO", False), ("CDCS_CAPNUOC", True)):
            save_report(session, settings, assignment_of(session, did, code), cycle, indicators, text="Báo cáo",
                        raw_figures=FIGURES, uploads=[], submit=submit)  # fmt: skip
        refuse(session, assignment_of(session, did, "LDLD_SH").id or 0, reason="Không thuộc", remote_addr="test")
    out = tmp_path / "export"
    result = run("edxml", "export", NUMBER, "--issuer", ISSUER, "--out", str(out))
    assert result.exit_code == 0, result.output
    return Issued(did, out, result.output)


def package_of(issued: Issued, code: str) -> etree._Element:
    return etree.parse(str(issued.out / code / "252-KH-LĐLĐ.edxml")).getroot()


def test_each_recipient_gets_a_package_holding_the_stored_directive(settings: Settings, issued: Issued) -> None:
    with session_scope() as session:
        d = session.get(Directive, issued.directive_id)
        assert d is not None
        recipients = session.exec(
            select(Unit).join(Recipient, col(Recipient.unit_id) == col(Unit.id))
            .where(Recipient.directive_id == d.id).order_by(col(Recipient.id))
        ).all()  # fmt: skip
        units = {u.code: u for u in session.exec(select(Unit)).all()}
        td = assignment_of(session, d.id or 0, "LDLD_TD")
        assert sorted(p.name for p in issued.out.iterdir()) == sorted(u.code for u in recipients)
        root = package_of(issued, "LDLD_TD")
    assert root.tag == x("edXML") and root.nsmap[None] == NS
    header = one(root, "edXMLEnvelope/edXMLHeader")
    message = one(header, "MessageHeader")
    # the layout of the public implementations (cascade/edxml/schema.py)
    assert [etree.QName(c).localname for c in message] == [
        "From", "To", "Code", "PromulgationInfo", "DocumentType", "Subject", "Content", "SignerInfo", "DueDate",
        "ToPlaces", "OtherInfo", "ResponseFor", "DocumentId",
    ]  # fmt: skip
    issuer, tam_duong = units[ISSUER], units["LDLD_TD"]
    assert (text(message, "From/OrganId"), text(message, "From/OrganName")) == (issuer.organ_id, issuer.name)
    assert text(message, "From/Email") == issuer.email
    assert (text(message, "To/OrganId"), text(message, "To/OrganName")) == (tam_duong.organ_id, tam_duong.name)
    number, notation = text(message, "Code/CodeNumber"), text(message, "Code/CodeNotation")
    assert (number, notation) == ("252", "KH-LĐLĐ") and f"{number}/{notation}" == d.number
    assert text(message, "PromulgationInfo/Place") == d.place
    assert text(message, "PromulgationInfo/PromulgationDate") == d.issued_on.strftime("%Y/%m/%d")
    assert text(message, "DocumentType/TypeName").upper() == d.doc_type
    assert (text(message, "Subject"), text(message, "Content")) == (d.summary, d.body)
    signer = [text(message, f"SignerInfo/{k}") for k in ("Competence", "Position", "FullName")]
    assert signer == [d.signer_on_behalf, d.signer_title, d.signer_name]
    assert td.report_due is not None and text(message, "DueDate") == td.report_due.strftime("%Y/%m/%d")
    assert [p.text for p in one(message, "ToPlaces")] == [u.name for u in recipients]
    assert text(message, "OtherInfo/Priority") == "0"  # urgency normal
    assert text(message, "OtherInfo/PromulgationAmount") == str(len(recipients))
    assert text(message, "OtherInfo/PageAmount") == "1"
    assert text(message, "ResponseFor/Code") == d.basis == "31-KH/TU"
    assert text(message, "ResponseFor/OrganId") == units["TU_LC"].organ_id  # Tỉnh ủy Lai Châu, by name
    assert d.basis_issued_on and text(message, "ResponseFor/PromulgationDate") == d.basis_issued_on.strftime("%Y/%m/%d")
    assert text(message, "DocumentId") == f"{issuer.organ_id},{d.issued_on:%Y/%m/%d},{d.number}"
    assert text(header, "TraceHeaderList/TraceHeader/OrganId") == issuer.organ_id
    assert d.dispatched_at is not None  # when it went out, in Vietnam's time
    assert text(header, "TraceHeaderList/TraceHeader/Timestamp") == d.dispatched_at.astimezone(VN).strftime(
        "%Y/%m/%d %H:%M:%S"
    )
    assert text(header, "TraceHeaderList/Bussiness/BussinessDocType") == "0"  # a new document
    assert text(header, "TraceHeaderList/Bussiness/Paper") == "0"
    reference = one(root, "edXMLEnvelope/edXMLBody/edXMLManifest/Reference")
    attachment = one(root, "AttachmentEncoded/Attachment")
    assert text(reference, "ContentId") == text(attachment, "ContentId")
    assert text(attachment, "AttachmentName") == PDF_NAME == text(reference, "AttachmentName")
    assert text(attachment, "ContentType") == "application/pdf"
    assert base64.b64decode(text(attachment, "ContentTransferEncoded")) == tiny_pdf()


def test_units_without_an_organ_code_get_a_marked_fallback_and_are_named(settings: Settings, issued: Issued) -> None:
    with session_scope() as session:
        muong_te = session.exec(select(Unit).where(Unit.code == "LDLD_MT")).one()
    message = one(package_of(issued, "LDLD_MT"), "edXMLEnvelope/edXMLHeader/MessageHeader")
    assert text(message, "To/OrganId") == "cascade-local:LDLD_MT" and muong_te.organ_id is None
    warning = issued.output[issued.output.index("Warning:") :]
    assert f"LDLD_MT ({muong_te.name})" in warning and "no organ_id" in warning
    assert "LDLD_TD" not in warning and "CDCS_XOSO" not in warning  # they have one


def test_status_messages_follow_each_assignment_and_end_at_its_state(settings: Settings, issued: Issued) -> None:
    with session_scope() as session:
        assignments = {
            u.code: a for a, u in session.exec(
                select(Assignment, Unit).join(Unit, col(Unit.id) == col(Assignment.unit_id))
                .where(Assignment.directive_id == issued.directive_id)
            ).all()
        }  # fmt: skip
        units = {u.code: u for u in session.exec(select(Unit)).all()}
    document_id = text(package_of(issued, "LDLD_TD"), "edXMLEnvelope/edXMLHeader/MessageHeader/DocumentId")
    seen = {}
    for code, assignment in assignments.items():
        files = sorted((issued.out / code).glob("status-*.edxml"))
        statuses = [one(etree.parse(str(f)).getroot(), "edXMLEnvelope/edXMLHeader/Status") for f in files]
        codes = [text(s, "StatusCode") for s in statuses]
        seen[code] = codes
        assert codes and codes[-1] == EDXML_CODE[assignment.status], code  # ends where the assignment stands
        for status in statuses:
            assert [etree.QName(c).localname for c in status] == [
                "ResponseFor", "From", "StatusCode", "Description", "Timestamp", "StaffInfo"]  # fmt: skip
            assert text(status, "ResponseFor/Code") == NUMBER and text(status, "ResponseFor/DocumentId") == document_id
            assert text(status, "From/OrganId") == (units[code].organ_id or f"cascade-local:{code}")
            assert text(status, "From/OrganName") == units[code].name
        if assignment.acknowledged_at is not None:
            ack = statuses[codes.index("03")]
            assert text(ack, "Timestamp") == assignment.acknowledged_at.astimezone(VN).strftime("%Y/%m/%d %H:%M:%S")
    for code, codes in EXPECTED.items():
        assert seen[code] == codes, code
    assert "Không thuộc" in text(etree.parse(str(issued.out / "LDLD_SH" / "status-02-02.edxml")).getroot(),
                                 "edXMLEnvelope/edXMLHeader/Status/Description")  # fmt: skip
    assert not list((issued.out / "LDLD_TGNC").glob("status-*"))  # the drafting department owes nothing


def test_a_package_imports_back_as_the_plan_implementing_it(settings: Settings, issued: Issued, tmp_path: Path) -> None:
    draft = tmp_path / "draft" / "td.yaml"
    result = run("edxml", "import", str(issued.out / "LDLD_TD" / "252-KH-LĐLĐ.edxml"), "--out", str(draft))
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        d = session.get(Directive, issued.directive_id)
        assert d is not None
        issuer = session.get(Unit, d.issuer_id)
        td = session.exec(select(Unit).where(Unit.code == "LDLD_TD")).one()
    assert issuer is not None
    written = draft.read_text(encoding="utf-8")
    data = yaml.safe_load(written)
    assert (data["basis"], data["basis_issued_on"], data["basis_issuer"]) == (d.number, d.issued_on.isoformat(),
                                                                              issuer.name)  # fmt: skip
    assert (data["issuer"], data["place"]) == ("LDLD_TD", td.place)  # the unit the package is addressed to
    assert data["signer"] == {"on_behalf": td.signer_on_behalf, "title": td.signer_title, "name": td.signer_name}
    assert (data["summary"], data["body"]) == (d.summary, d.body)  # a starting point, marked to rewrite
    for field in ("number", "issued_on", "report_due", "recipients", "summary", "body"):
        assert re.search(rf"^# TODO: {field}\b", written, re.M), field
    assert "number" not in data and "original" not in data
    assert (draft.parent / PDF_NAME).read_bytes() == tiny_pdf()  # the basis's original, beside the file
    completed = {**data, "number": "05/KH-LĐLĐ", "issued_on": "2021-05-25", "report_due": "2021-12-01",
                 "recipients": [{"unit": "LDLD_TD_CS1", "role": "act"}]}  # fmt: skip
    draft.write_text(yaml.safe_dump(completed, allow_unicode=True), encoding="utf-8")
    spec = parse_directive(draft)  # once completed, a directive file like any other
    assert (spec.basis, spec.basis_issued_on, spec.basis_issuer) == (d.number, d.issued_on, issuer.name)


def broken(issued: Issued, tmp_path: Path, drop: str) -> Path:
    tree = etree.parse(str(issued.out / "LDLD_TD" / "252-KH-LĐLĐ.edxml"))
    target = one(tree.getroot(), f"edXMLEnvelope/edXMLHeader/MessageHeader/{drop}")
    target.getparent().remove(target)
    path = tmp_path / f"no-{drop}.edxml"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


@pytest.mark.parametrize("drop", ["Code", "From"])
def test_a_package_missing_an_element_is_refused_naming_it(
    settings: Settings, issued: Issued, tmp_path: Path, drop: str
) -> None:
    path = broken(issued, tmp_path, drop)
    line = one(etree.parse(str(path)).getroot(), "edXMLEnvelope/edXMLHeader/MessageHeader").sourceline
    out = tmp_path / "drafts"
    result = run("edxml", "import", str(path), "--out", str(out / "draft.yaml"))
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"{path}:{line} [{drop}]: missing element edXML/edXMLEnvelope/edXMLHeader/MessageHeader/{drop}" in output
    assert "nothing was written" in output and not out.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'<?xml version="1.0"?>\n<edXML xmlns="%s">\n<edXMLEnvelope>\n</edXML>\n' % NS.encode(),
            ":4: not well-formed XML",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<edXML>&x;</edXML>',
            ":1: a DOCTYPE is not allowed",
        ),
        (b"<html><body/></html>", ":1: not an edXML package: the root element is <html>"),
    ],
)
def test_a_package_that_is_not_an_edxml_document_is_refused(
    settings: Settings, tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "incoming.edxml"
    path.write_bytes(content)
    result = run("edxml", "import", str(path))
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and f"{path}{expected}" in output, output
    assert [p.name for p in path.parent.iterdir()] == ["incoming.edxml"]  # no draft, no attachment beside it


def test_exporting_an_unknown_directive_writes_nothing(settings: Settings, sample_org: None, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run("edxml", "export", "999/KH-LĐLĐ", "--issuer", ISSUER, "--out", str(out))
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "LDLD_LC issued no directive numbered '999/KH-LĐLĐ'" in output, output
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "reason"),
    [("000.00.1.H29", "is not a national organ code"), ("000.00.01.h29", "(letters are capitals)"),
     ("H29", "is not a national organ code"), ("000.00.00.H29", "is also unit LDLD_LC's")],
)  # fmt: skip
def test_a_malformed_organ_code_in_the_tree_is_refused_with_its_line(
    settings: Settings, tmp_path: Path, value: str, reason: str
) -> None:
    tree = tree_with_organ_ids(tmp_path, {"LDLD_LC": "000.00.00.H29", "LDLD_TD": value})
    line = next(n for n, t in enumerate(tree.read_text(encoding="utf-8").splitlines(), 1) if t == "- code: LDLD_TD")
    result = run("org", "import", str(tree))
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert f"{tree}:{line} [unit LDLD_TD]: organ_id" in output and reason in output
    with session_scope() as session:
        assert session.exec(select(Unit)).first() is None  # nothing imported


@pytest.mark.parametrize("number", ["252/KH-LĐLĐ", "31-KH/TU", "05/LĐLĐ", "01/2021/NĐ-CP", "15-CV/ĐU"])
def test_code_number_and_notation_join_back_into_the_number(number: str) -> None:
    code_number, notation = split_code(number)
    assert code_number.isdigit() and notation and join_code(code_number, notation) == number


def test_a_recalled_directive_exports_as_a_revocation_with_13_then_each_answer(
    settings: Settings, issued: Issued, tmp_path: Path
) -> None:
    """After `recall`, the package says revocation (1) with the reason, every unit asked gets 13 from the issuer,
    and a unit's answer follows it: 15 when it agreed, 16 with its reason when it did not."""
    from cascade.lifecycle.answers import answer_recall
    from cascade.lifecycle.recall import recall

    with session_scope() as session:
        recall(session, settings, number=NUMBER, issuer=ISSUER, reason="Văn bản có sai sót")
    with session_scope() as session:
        answer_recall(session, assignment_of(session, issued.directive_id, "LDLD_TD").id or 0, agreed=True)
        pt = assignment_of(session, issued.directive_id, "LDLD_PT").id or 0
        answer_recall(session, pt, agreed=False, reason="Đã triển khai xong")
    out = tmp_path / "after-recall"
    result = run("edxml", "export", NUMBER, "--issuer", ISSUER, "--out", str(out))
    assert result.exit_code == 0, result.output
    package = etree.parse(str(out / "LDLD_TD" / "252-KH-LĐLĐ.edxml")).getroot()
    business = "edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness"
    assert text(package, f"{business}/BussinessDocType") == "1"
    assert text(package, f"{business}/BussinessDocReason") == "Văn bản có sai sót"

    def codes(code: str) -> list[tuple[str, str, str]]:
        found = []
        for f in sorted((out / code).glob("status-*.edxml")):
            status = one(etree.parse(str(f)).getroot(), "edXMLEnvelope/edXMLHeader/Status")
            found.append((text(status, "StatusCode"), text(status, "From/OrganName"), text(status, "Description")))
        return found

    with session_scope() as session:
        names = {u.code: u.name for u in session.exec(select(Unit)).all()}
    td, pt_codes, tu = codes("LDLD_TD"), codes("LDLD_PT"), codes("LDLD_MT")
    assert [c for c, _, _ in td][-2:] == ["13", "15"] and td[-2][1] == names[ISSUER] and td[-1][1] == names["LDLD_TD"]
    assert [c for c, _, _ in pt_codes][-2:] == ["13", "16"] and "Đã triển khai xong" in pt_codes[-1][2]
    assert "Văn bản có sai sót" in td[-2][2]
    assert [c for c, _, _ in tu][-1] == "13"  # asked, not answered yet
