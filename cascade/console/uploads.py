"""What the console accepts as an upload, checked before anything of it is stored: a directive file (.yaml/.yml,
UTF-8 text), or a document the importer reads (.docx, .pdf, .txt, .md), and optionally its signed original
(checked as cascade/documents/originals.py checks every original: its extension, its size, its first bytes).

A wrong type (by its name or by its content) or a file over CASCADE_ORIGINAL_MAX_BYTES is an `UploadRefused`
naming the file and the reason; the caller stores nothing then. An accepted original is kept under
`<data_dir>/drafts/<sha256>/<its name>` until launch, where store_with_original checks it again and keeps it with
the other originals (content-addressed)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from cascade.console.wording import in_vietnamese
from cascade.core.errors import InputError, Problem
from cascade.core.settings import DocumentSettings
from cascade.core.yamlfile import read_yaml_text
from cascade.directives.docimport.problems import DocumentReadError
from cascade.directives.docimport.text import decode_text, document_lines
from cascade.documents.originals import original_problem, write_atomically

TOO_LARGE = "too_large"
WRONG_TYPE = "wrong_type"
UNREADABLE = "unreadable"
YAML_SUFFIXES = (".yaml", ".yml")
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
BINARY_SUFFIXES = (".docx", ".pdf")  # checked by their first bytes, as originals are
KIND_WORDS = {".docx": "tài liệu Word (.docx)", ".pdf": "tệp PDF", ".doc": "tài liệu Word 97–2003 (.doc)",
              ".odt": "tài liệu OpenDocument (.odt)"}  # fmt: skip
ACCEPTED = "tệp văn bản .yaml, .yml, .docx, .pdf, .txt hoặc .md"


@dataclass
class UploadRefused(InputError):
    """An upload refused before anything was stored; `reason` is TOO_LARGE, WRONG_TYPE or UNREADABLE."""

    reason: str = WRONG_TYPE


def refuse(name: str, message: str, reason: str) -> UploadRefused:
    return UploadRefused([Problem(name, f"Tệp “{name}”: {message}", entry="file")], reason=reason)


def clean_name(filename: str) -> str:
    """The file's own name (no folder a browser or a script put before it), NFC; refused when none is left."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = unicodedata.normalize("NFC", name).strip()
    if not name or name.startswith(".") or "\x00" in name or len(name) > 200:
        raise refuse(filename or "?", "tên tệp không hợp lệ.", WRONG_TYPE)
    return name


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def check_size(name: str, data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise refuse(name, f"dung lượng {_megabytes(len(data))} vượt giới hạn {_megabytes(limit)}.", TOO_LARGE)
    if not data:
        raise refuse(name, "tệp rỗng.", UNREADABLE)


def _text(name: str, data: bytes) -> str:
    """UTF-8 (or, for .txt/.md, UTF-16 with its BOM) text without NUL: anything else is not the type it says."""
    try:
        text = decode_text(data)
    except DocumentReadError:
        raise refuse(name, "nội dung không phải văn bản dạng chữ (UTF-8).", WRONG_TYPE) from None
    if "\x00" in text:
        raise refuse(name, "nội dung là tệp nhị phân, không phải văn bản dạng chữ.", WRONG_TYPE)
    return text


def read_directive_yaml(name: str, data: bytes, limit: int) -> str:
    """The text of an uploaded directive file; refused unless it is UTF-8 YAML holding a mapping of fields."""
    check_size(name, data, limit)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(name, "tệp YAML phải được lưu dạng UTF-8.", WRONG_TYPE)
    text = _text(name, data).removeprefix("\ufeff")
    try:
        parsed = read_yaml_text(text, name)
    except InputError as exc:
        raise refuse(name, in_vietnamese(exc.problems[0].message), WRONG_TYPE) from None
    if not isinstance(parsed, dict):
        raise refuse(name, "tệp YAML không chứa các trường của một văn bản.", WRONG_TYPE)
    return text


def read_document(name: str, data: bytes, limit: int) -> list[str]:
    """The lines of an uploaded document, read as the importer reads a file; refused when its content is not
    the type its name says, or it has no text to read."""
    suffix = Path(name).suffix.lower()
    check_size(name, data, limit)
    if suffix in BINARY_SUFFIXES:
        if original_problem(name, data, limit) is not None:
            raise refuse(name, f"nội dung tệp không phải {KIND_WORDS[suffix]}.", WRONG_TYPE)
    else:
        _text(name, data)
    try:
        return document_lines(name, data)
    except DocumentReadError as exc:
        raise refuse(name, f"không đọc được nội dung ({in_vietnamese(exc.message)}).", UNREADABLE) from None


def kind_of(name: str) -> str:
    """ "yaml", or the document's extension ("docx", "pdf", "txt", "md"); refused for anything else."""
    suffix = Path(name).suffix.lower()
    if suffix in YAML_SUFFIXES:
        return "yaml"
    if suffix in DOCUMENT_SUFFIXES:
        return suffix[1:]
    raise refuse(name, f"không nhận loại tệp {suffix or 'không có phần mở rộng'}; chỉ nhận {ACCEPTED}.", WRONG_TYPE)


@dataclass(frozen=True)
class CheckedUpload:
    """A signed original that passed the checks, not yet kept."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_original_upload(filename: str, data: bytes, settings: DocumentSettings) -> CheckedUpload:
    name = clean_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in KIND_WORDS:
        raise refuse(name, "bản gốc có chữ ký phải là tệp .pdf, .docx, .doc hoặc .odt.", WRONG_TYPE)
    check_size(name, data, settings.original_max_bytes)
    if original_problem(name, data, settings.original_max_bytes) is not None:
        raise refuse(name, f"nội dung tệp không phải {KIND_WORDS[suffix]}.", WRONG_TYPE)
    return CheckedUpload(name, data)


def draft_folder(settings: DocumentSettings, sha256: str | None) -> Path:
    """Where a draft's original waits for its launch (a folder per content hash; its file keeps its name, which
    the directive file's `original:` gives)."""
    return Path(settings.data_dir) / "drafts" / (sha256 or "none")


def keep_upload(settings: DocumentSettings, upload: CheckedUpload) -> Path:
    """Write the original into its draft folder, atomically (a temporary file, fsync, rename)."""
    return write_atomically(draft_folder(settings, upload.sha256) / upload.name, upload.data)
