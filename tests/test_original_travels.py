"""The document travels: every notice carries the whole plan and its signed original, as the mail server received it.

The seed (examples/252-KH-LDLD.yaml on examples/laichau-2021.yaml) is launched with a real PDF or .docx beside it,
through `cascade launch` and the real flow, on a SQLite file, to the aiosmtpd sink. Each received message is read
with the standard library's parser; the oracle of "the whole document" is the directive file's own body, and of
the attachment the bytes written to disk here."""

from __future__ import annotations

import hashlib
import io
import zipfile
from email.utils import parseaddr
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.links import links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.webserver import BackgroundServer
from cascade.replies.acknowledge import acknowledge
from flows.dispatch_pending import dispatch_pending
from models import Acknowledgement, Assignment, Directive, MailDocument, OutboxBody, OutboxMessage, Unit
from tests.cascade_helpers import mail_by_unit
from tests.originals_helpers import (
    DOCX_MIME,
    PDF_MIME,
    PDF_NAME,
    RAW_CODE,
    body_paragraphs,
    flat,
    parts,
    seed_file,
    tiny_docx,
    tiny_pdf,
    visible_text,
)
from web.app import create_app

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
SENDER = "Liên đoàn Lao động tỉnh Lai Châu"
SUPERIORS = ("tinhuy@laichau.example",)


def assignments() -> int:
    """The notices owed: one per unit asked to acknowledge (the drafting department is not)."""
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Assignment)).one()


def launch(path: Path) -> str:
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_recipient_receives_the_whole_plan_and_the_signed_pdf(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path
) -> None:
    pdf = tiny_pdf()
    path = seed_file(tmp_path, PDF_NAME, pdf)
    launch(path)
    paragraphs = body_paragraphs(path)
    assert len(mailbox.messages) == assignments() > 20 and len(paragraphs) > 20
    for message in mailbox.messages:
        text, html, attachments = parts(message.message)
        seen_text, seen_html = flat(text), visible_text(html)
        missing = [p for p in paragraphs if p not in seen_text or p not in seen_html]
        assert not missing, (message.rcpt_tos, missing[:2])
        assert message.message.get_content_type() == "multipart/mixed"
        assert len(attachments) == 1, message.rcpt_tos
        (attachment,) = attachments
        assert attachment.get_filename() == PDF_NAME and attachment.get_content_type() == PDF_MIME
        assert attachment.get_content_disposition() == "attachment"
        assert attachment.get_payload(decode=True) == pdf  # byte for byte
        assert parseaddr(str(message.message["From"])) == (SENDER, "no-reply@laichau.example")
        assert PDF_NAME in text and PDF_NAME in seen_html  # the cover says what is attached
        assert not RAW_CODE.findall(text) and not RAW_CODE.findall(seen_html), RAW_CODE.findall(text)
        assert "\x1f" not in text + html  # every marker filled in
    with session_scope() as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.original_name, directive.original_mime, directive.original_size) == (
            PDF_NAME, PDF_MIME, len(pdf))  # fmt: skip
        digest = hashlib.sha256(pdf).hexdigest()
        assert directive.original_sha256 == digest
        kept = Path(settings.documents.data_dir) / "originals" / digest[:2] / digest
        assert kept.read_bytes() == pdf
        # The document is stored once, not in each of the bodies.
        assert session.exec(select(func.count()).select_from(MailDocument)).one() == 1
        longest = session.exec(select(func.max(func.length(OutboxBody.body_text)))).one()
        assert longest is not None and longest < sum(len(p) for p in paragraphs) / 3
        assert all(paragraphs[3] not in flat(body) for body in session.exec(select(OutboxBody.body_text)).all())


def test_a_superior_is_reported_to_and_an_acting_unit_is_asked_to_act(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path
) -> None:
    launch(seed_file(tmp_path, PDF_NAME, tiny_pdf()))
    (superior,) = [m for m in mailbox.messages if m.rcpt_tos == SUPERIORS]
    text, html, _ = parts(superior.message)
    cover = text.split("TOÀN VĂN VĂN BẢN")[0]
    assert cover.startswith("Kính gửi: Tỉnh ủy Lai Châu")
    assert "xin kính gửi Tỉnh ủy Lai Châu để báo cáo" in cover and "nếu đồng chí thấy cần" in cover.lower()
    for order in ("Hạn xác nhận", "Nhiệm vụ của đơn vị", "Đề nghị đơn vị", "Hạn báo cáo"):
        assert order not in cover, order
    assert "Kế hoạch số 252/KH-LĐLĐ" in cover and "V/v" not in cover
    assert links_in(text, settings.web.public_url)  # it may still confirm receipt
    acting = mail_by_unit(mailbox)["LDLD_TD"][0]
    cover = acting.text().split("TOÀN VĂN VĂN BẢN")[0]
    assert "Văn bản gửi Liên đoàn Lao động huyện Tam Đường để thực hiện." in cover
    assert "Nhiệm vụ của đơn vị:" in cover and "Hạn xác nhận đã nhận văn bản: 21/05/2021" in cover
    assert "Kế hoạch số 252/KH-LĐLĐ" in cover and "V/v" not in cover


def test_a_pass_on_carries_its_own_document_the_plan_it_implements_and_the_docx(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path
) -> None:
    original = tiny_docx()
    path = seed_file(tmp_path, "ke-hoach-252.docx", original)
    launch(path)
    with session_scope() as session:
        td = session.exec(select(Unit).where(Unit.code == "LDLD_TD")).one()
        assignment = session.exec(select(Assignment).where(Assignment.unit_id == td.id)).one()
        assert assignment.id is not None
        assert acknowledge(session, assignment.id, remote_addr=None, user_agent=None, calendar=WorkCalendar())
    mailbox.handler.clear()
    dispatch_pending()  # Tam Đường's own plan, issued by the system, goes to its grassroots unions
    with session_scope() as session:
        passon = session.exec(select(Directive).where(Directive.source == "forward")).one()
        children = session.exec(select(Unit.email).where(Unit.parent_id == td.id, Unit.kind != "department")).all()
        assert passon.original_sha256 is None  # its own row has none: the parent's travels with it
    assert sorted(r for m in mailbox.messages for r in m.rcpt_tos) == sorted(children) and children
    paragraphs = body_paragraphs(path)
    for message in mailbox.messages:
        text, html, attachments = parts(message.message)
        assert all(p in flat(text) and p in visible_text(html) for p in paragraphs), message.rcpt_tos
        assert f"Số: {passon.number}" in text and "Số: 252/KH-LĐLĐ" in text  # both documents, whole
        assert text.index(f"Số: {passon.number}") < text.index("Số: 252/KH-LĐLĐ")
        assert "Bản gốc có chữ ký của Kế hoạch số 252/KH-LĐLĐ đính kèm thư này: tệp ke-hoach-252.docx" in text
        (attachment,) = attachments
        assert attachment.get_filename() == "ke-hoach-252.docx" and attachment.get_content_type() == DOCX_MIME
        assert attachment.get_payload(decode=True) == original
        assert parseaddr(str(message.message["From"]))[0] == "Liên đoàn Lao động huyện Tam Đường"


def test_above_the_attachment_limit_the_mail_links_the_original_and_the_link_serves_it(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tiny_pdf(padding=4000)
    monkeypatch.setenv("CASCADE_ATTACHMENT_MAX_BYTES", "2000")  # the flow reads the environment
    reset_settings()
    launch(seed_file(tmp_path, PDF_NAME, pdf))
    assert len(mailbox.messages) == assignments()
    base = settings.web.public_url
    message = mail_by_unit(mailbox)["CDN_GD"][0]
    text, html, attachments = parts(message.message)
    assert attachments == [] and message.message.get_content_type() == "multipart/alternative"
    unit_link = links_in(text, base)[0]
    assert f"{unit_link}/original" in text and f'href="{unit_link}/original"' in html
    limited = settings.model_copy(
        update={"documents": settings.documents.model_copy(update={"attachment_max_bytes": 2000})}
    )
    with BackgroundServer(create_app(limited), settings.web.public_host, settings.web.public_port):
        with httpx.Client(timeout=30) as client:
            got = client.get(f"{unit_link}/original")
            head = client.head(f"{unit_link}/original")
            forged = client.get(f"{unit_link[:-3]}xyz/original")
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == PDF_MIME
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    from urllib.parse import unquote

    assert unquote(disposition.split("filename*=UTF-8''")[1]) == PDF_NAME
    assert head.status_code == 200 and head.content == b""
    assert forged.status_code == 403
    with session_scope() as session:  # fetching it (as a mail scanner does) confirmed nothing
        assert session.exec(select(func.count()).select_from(Acknowledgement)).one() == 0
        assert session.exec(select(Assignment).where(col(Assignment.status) == "acknowledged")).first() is None


def test_the_unit_page_shows_the_whole_plan_and_offers_the_original(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, web: str
) -> None:
    path = seed_file(tmp_path, PDF_NAME, tiny_pdf())
    launch(path)
    link = links_in(mail_by_unit(mailbox)["CDVC"][0].text(), web)[0]
    page = httpx.get(link, timeout=30)
    assert page.status_code == 200
    seen = visible_text(page.text)
    assert all(p in seen for p in body_paragraphs(path))
    token = link.rsplit("/", 1)[1]
    assert f'href="/u/{token}/original"' in page.text and PDF_NAME in seen
    assert not RAW_CODE.findall(seen), RAW_CODE.findall(seen)


def test_a_directive_without_an_original_answers_404_for_it(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, web: str
) -> None:
    launch(seed_file(tmp_path, None))
    text, _, attachments = parts(mailbox.messages[0].message)
    assert attachments == [] and "Bản gốc" not in text
    link = links_in(text, web)[0]
    missing = httpx.get(f"{link}/original", timeout=30)
    assert missing.status_code == 404 and "không có bản gốc" in missing.text


def test_the_same_file_again_resumes_and_another_original_under_its_number_is_refused(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path
) -> None:
    path = seed_file(tmp_path, PDF_NAME, tiny_pdf())
    launch(path)
    launch(path)  # a rerun: stored already, nothing owed
    sent = len(mailbox.messages)
    assert sent == assignments()
    (tmp_path / PDF_NAME).write_bytes(tiny_pdf("Ban khac"))  # the same name, other bytes
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code != 0
    assert "252/KH-LĐLĐ" in str(result.exception or "") + result.output
    with session_scope() as session:
        assert session.exec(select(Directive.original_sha256)).one() == hashlib.sha256(tiny_pdf()).hexdigest()
    assert len(mailbox.messages) == sent


BAD = {
    "missing": (None, "no such file"),
    "empty": (b"", "is empty"),
    "too big": (tiny_pdf(padding=3000), "over the limit"),
    "a zip named .pdf": (b"PK\x03\x04" + b"\x00" * 200, "not a PDF: it is a zip archive"),
    "a folder": ("dir", "is a folder"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_original_names_the_file_and_the_reason_and_nothing_is_stored_or_sent(
    case: str, settings: Settings, mailbox: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASCADE_ORIGINAL_MAX_BYTES", "2048")
    reset_settings()
    data, reason = BAD[case]
    path = seed_file(tmp_path, "signed-252.pdf", data if isinstance(data, bytes) else None)
    if data == "dir":
        (tmp_path / "signed-252.pdf").mkdir()
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "signed-252.pdf" in output and reason in output and "[original]" in output, output
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Directive)).one() == 0
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0
    assert mailbox.messages == []
    assert not (Path(settings.documents.data_dir) / "originals").exists()


def test_the_flow_itself_refuses_a_bad_original(settings: Settings, mailbox: SmtpSink, tmp_path: Path) -> None:
    """Launched without the command line (a deployment's run), the store task checks the original too."""
    from cascade.core.errors import InputError
    from flows.cascade_directive import cascade_directive

    path = seed_file(tmp_path, "signed-252.docx", tiny_pdf())  # a PDF named .docx
    with pytest.raises(InputError, match=r"signed-252\.docx.*not a Word document \(\.docx\)"):
        cascade_directive(directive_file=str(path))
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Directive)).one() == 0
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == 0
    assert mailbox.messages == []


def odt() -> bytes:
    """An OpenDocument text as LibreOffice writes it: a zip whose first entry, `mimetype`, names the type."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def zip_of(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "x")
    return out.getvalue()


OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504  # a Word 97–2003 file's compound-file header


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("ke-hoach.docx", tiny_docx(), None),
        ("ke-hoach.odt", odt(), None),
        ("ke-hoach.doc", OLE2, None),
        ("KE-HOACH.PDF", tiny_pdf(), None),
        ("ke-hoach.docx", zip_of("content.xml"), "not a Word document (.docx): it is a zip archive"),
        ("ke-hoach.odt", zip_of("word/document.xml"), "not an OpenDocument text (.odt)"),
        ("ke-hoach.doc", tiny_pdf(), "not a Word 97–2003 document (.doc): it is a PDF"),
        ("ke-hoach.docx", b"PK\x03\x04 broken", "not a Word document (.docx)"),
        ("ke-hoach.txt", b"plain text", "must be a .pdf, .docx, .doc or .odt file, not .txt"),
    ],
)
def test_the_check_reads_the_content_not_only_the_name(
    name: str, data: bytes, problem: str | None, settings: Settings, tmp_path: Path
) -> None:
    from cascade.core.errors import InputError
    from cascade.directives.directivefile import parse_directive
    from cascade.documents.originals import check_original

    spec = parse_directive(seed_file(tmp_path, name, data))
    if problem is None:
        checked = check_original(spec, settings.documents)
        assert checked is not None and checked.data == data and checked.facts.size == len(data)
        return
    with pytest.raises(InputError) as raised:
        check_original(spec, settings.documents)
    assert name in str(raised.value) and problem in str(raised.value)
