"""Real signed originals for the tests (a PDF written by hand, a .docx written by python-docx), the seed directive
naming one, and what a received message's parts hold, read with the standard library only."""

from __future__ import annotations

import io
import re
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import yaml

SAMPLE_DIRECTIVE = Path(__file__).resolve().parent.parent / "examples" / "252-KH-LDLD.yaml"

PDF_NAME = "Kế hoạch 252-KH-LĐLĐ (bản ký).pdf"  # a Vietnamese name: RFC 2231 on the way out
PDF_MIME = "application/pdf"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def tiny_pdf(line: str = "Ke hoach 252/KH-LDLD", padding: int = 0) -> bytes:
    """A one-page PDF any reader opens, written byte by byte (objects, cross-reference table, trailer)."""
    stream = f"BT /F1 14 Tf 72 770 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += b"%" + b"x" * padding + b"\n" if padding else b""  # a comment: makes the file as large as asked
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("LIÊN ĐOÀN LAO ĐỘNG TỈNH LAI CHÂU")
    document.add_paragraph("KẾ HOẠCH Đẩy mạnh công tác tuyên truyền Nghị quyết Đại hội XIII của Đảng")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def seed_file(tmp_path: Path, original: str | None, data: bytes | None = None, **changes: Any) -> Path:
    """The seed directive (examples/252-KH-LDLD.yaml) in `tmp_path`, naming `original` (written beside it from
    `data`); Tỉnh ủy and Tổng LĐLĐ Việt Nam are the superiors they are in the plan's Nơi nhận."""
    spec = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    for recipient in spec["recipients"]:
        if recipient["unit"] in ("TU_LC", "TLD_VN"):
            recipient["role"] = "superior"
    if original is not None:
        spec["original"] = original
    spec.update(changes)
    if original is not None and data is not None:
        (tmp_path / original).write_bytes(data)
    path = tmp_path / "252-KH-LDLD.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def body_paragraphs(directive_file: Path) -> list[str]:
    """The oracle of "the whole document": every paragraph of the file's `body`, as the clerk wrote it (its
    *emphasis* marks aside: the layout sets them in italics)."""
    body = yaml.safe_load(directive_file.read_text(encoding="utf-8"))["body"]
    return [flat(p) for p in body.split("\n\n") if p.strip()]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0  # inside <style>, <script> or <title>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("style", "script", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("style", "script", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    """What a reader sees of an HTML body, whitespace collapsed (entities decoded by the parser)."""
    parser = _Text()
    parser.feed(html)
    return flat("".join(parser.chunks))


def flat(text: str) -> str:
    """Whitespace collapsed and emphasis marks (*…*) dropped, for comparing a text with the clerk's."""
    return " ".join(text.replace("*", "").split())


def parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    """(plain text, HTML, attachments) of a received message."""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content(), list(message.iter_attachments())  # type: ignore[union-attr, arg-type]


RAW_CODE = re.compile(r"\b[A-Z]{2,}_[A-Z0-9_]+\b|\b(?:act|coordinate|info|superior|forward|author)\b")
