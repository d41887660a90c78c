"""Report attachments: type and size limits, stored under names the app chooses, served only to their unit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from cascade.core.settings import Settings
from models.report import Report, ReportAttachment

MAX_FILES_PER_VERSION = 5
# Extension -> (content type, accepted leading bytes). The type is ours, never the browser's.
ALLOWED_FILES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


class AttachmentError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def check_uploads(settings: Settings, uploads: list[Upload]) -> list[tuple[Upload, str, str]]:
    """(upload, extension, content type) for each acceptable file, or ReportError naming every refused one."""
    problems: list[str] = []
    out: list[tuple[Upload, str, str]] = []
    if len(uploads) > MAX_FILES_PER_VERSION:
        problems.append(f"Mỗi lần gửi tối đa {MAX_FILES_PER_VERSION} tệp.")
    for up in uploads:
        ext = Path(up.filename).suffix.lower()
        allowed = ALLOWED_FILES.get(ext)
        if len(up.data) > settings.web.upload_max_bytes:
            problems.append(f"Tệp “{up.filename}” vượt quá {settings.web.upload_max_bytes // (1024 * 1024)} MB.")
        elif not up.data:
            problems.append(f"Tệp “{up.filename}” rỗng.")
        elif allowed is None or not up.data.startswith(allowed[1]):
            problems.append(f"Tệp “{up.filename}” không thuộc loại được nhận (PDF, Word, Excel, ảnh JPG/PNG).")
        else:
            out.append((up, ext, allowed[0]))
    if problems:
        raise AttachmentError(problems)
    return out


def store_files(
    session: Session, settings: Settings, report: Report, files: list[tuple[Upload, str, str]], now: datetime
) -> None:
    folder = Path(settings.web.upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for up, ext, content_type in files:
        stored = f"{secrets.token_hex(16)}{ext}"  # the app's name: nothing of the sender's name reaches the disk
        (folder / stored).write_bytes(up.data)
        session.add(
            ReportAttachment(
                report_id=report.id or 0,
                version=report.version,
                stored_name=stored,
                original_name=Path(up.filename).name[:255] or f"tep{ext}",
                content_type=content_type,
                size=len(up.data),
                sha256=hashlib.sha256(up.data).hexdigest(),
                at=now,
            )
        )


def attachment_for(session: Session, assignment_id: int, attachment_id: int) -> ReportAttachment | None:
    """An attachment only through the link of the unit that sent it."""
    query = (
        select(ReportAttachment)
        .join(Report, col(Report.id) == col(ReportAttachment.report_id))
        .where(col(ReportAttachment.id) == attachment_id, col(Report.assignment_id) == assignment_id)
    )
    return session.exec(query).first()
