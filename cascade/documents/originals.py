"""The signed original of a directive: checked before anything is stored, kept by content hash, found again.

A directive file may name it (`original: signed-252.pdf`, beside the file). It is checked for what it claims
to be (its first bytes, not only its name), kept once under `<data_dir>/originals/<sha256[:2]>/<sha256>`
(content-addressed: the same scan under two directives is one file, and a file is never rewritten), and its
name, type, size and hash go on the directive's row. A pass-on issued by the system (source "forward") has no
original of its own: its units get the one nearest up its chain (`nearest_original`)."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from cascade.core.errors import InputError, Problem
from cascade.core.settings import DocumentSettings
from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.store import SignedOriginal, store_directive
from models import Directive

MIME_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
}
KINDS = {
    ".pdf": "a PDF",
    ".docx": "a Word document (.docx)",
    ".doc": "a Word 97–2003 document (.doc)",
    ".odt": "an OpenDocument text (.odt)",
}
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")  # the compound file of Word 97–2003
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class CheckedOriginal:
    """An original that passed every check, with its bytes (at most Settings.documents.original_max_bytes)."""

    path: Path
    data: bytes
    facts: SignedOriginal


def check_original(spec: DirectiveSpec, settings: DocumentSettings) -> CheckedOriginal | None:
    """The directive file's original, read and checked; None when it names none. Raises InputError naming the
    directive file, the original and what is wrong with it."""
    path = spec.original
    if path is None:
        return None
    reason, data = _read(path, settings.original_max_bytes)
    if reason is None:
        reason = _content_problem(path.suffix.lower(), data)
    if reason is not None:
        raise InputError([Problem(spec.source, f"original {path}: {reason}", entry="original")])
    name = unicodedata.normalize("NFC", path.name)  # a name typed on a Mac arrives decomposed
    facts = SignedOriginal(name, MIME_TYPES[path.suffix.lower()], len(data), hashlib.sha256(data).hexdigest())
    return CheckedOriginal(path, data, facts)


def original_problem(name: str, data: bytes, limit: int) -> str | None:
    """Why bytes uploaded as a signed original named `name` are refused (check_original's checks: the extension,
    the size, the first bytes), or None: the console checks an upload before anything of it is stored."""
    suffix = Path(name).suffix.lower()
    if suffix not in MIME_TYPES:
        return f"must be a .pdf, .docx, .doc or .odt file, not {suffix or 'a file without an extension'}"
    if not data:
        return "is empty"
    if len(data) > limit:
        return f"is {_megabytes(len(data))}, over the limit of {_megabytes(limit)} (CASCADE_ORIGINAL_MAX_BYTES)"
    return _content_problem(suffix, data)


def _read(path: Path, limit: int) -> tuple[str | None, bytes]:
    suffix = path.suffix.lower()
    if suffix not in MIME_TYPES:
        return f"must be a .pdf, .docx, .doc or .odt file, not {suffix or 'a file without an extension'}", b""
    try:
        if path.is_dir():
            return "is a folder, not a file", b""
        size = path.stat().st_size
        if size > limit:
            return f"is {_megabytes(size)}, over the limit of {_megabytes(limit)} (CASCADE_ORIGINAL_MAX_BYTES)", b""
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # a file growing while read is still held to the limit
    except FileNotFoundError:
        return "no such file (the path is relative to the directive file)", b""
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})", b""
    if not data:
        return "is empty", b""
    if len(data) > limit:
        return f"is over the limit of {_megabytes(limit)} (CASCADE_ORIGINAL_MAX_BYTES)", b""
    return None, data


def _content_problem(suffix: str, data: bytes) -> str | None:
    """Why the bytes are not the kind of file the extension says, or None."""
    if suffix == ".pdf":
        ok = data.startswith(b"%PDF-")
    elif suffix == ".doc":
        ok = data.startswith(OLE2)
    else:
        ok = _zip_is(data, suffix)
    return None if ok else f"its content is not {KINDS[suffix]}: {_what_it_is(data)}"


def _zip_is(data: bytes, suffix: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if suffix == ".docx":
                return "word/document.xml" in names or any(n.startswith("word/") for n in names)
            return "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def _what_it_is(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "it is a PDF"
    if data.startswith(OLE2):
        return "it is a Word 97–2003 or other compound file"
    if data.startswith(b"PK\x03\x04"):
        return "it is a zip archive"
    return "unrecognised content"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def original_path(settings: DocumentSettings, sha256: str) -> Path:
    """Where the original with this content hash is kept."""
    return Path(settings.data_dir) / "originals" / sha256[:2] / sha256


def keep_original(settings: DocumentSettings, original: CheckedOriginal) -> Path:
    """Write the original under its hash, atomically (temporary file, fsync, rename); kept ones stay as they are."""
    return write_atomically(original_path(settings, original.facts.sha256), original.data)


def write_atomically(target: Path, data: bytes) -> Path:
    """Write `data` at `target` through a temporary file, fsync and rename, so a reader never sees half a file
    and a crash leaves the old file or the new one; a file of that size already there is kept as it is (files
    are named by their content's hash)."""
    if target.is_file() and target.stat().st_size == len(data):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
    return target


def store_with_original(session: Session, spec: DirectiveSpec, settings: DocumentSettings) -> tuple[Directive, bool]:
    """store_directive, with the file's original checked first and kept once the directive's rows are in
    the session (a commit that then fails leaves only an unreferenced file, which the next try reuses)."""
    original = check_original(spec, settings)
    directive, created = store_directive(session, spec, original.facts if original else None)
    if original is not None:
        keep_original(settings, original)
    return directive, created


def document_chain(session: Session, directive: Directive) -> list[Directive]:
    """The directive, then the documents it implements up its chain of system-issued pass-ons, up to and
    including the first that is not one (a unit's forward of 252/KH-LĐLĐ carries 252/KH-LĐLĐ itself)."""
    chain, seen = [directive], {directive.id}
    current = directive
    while current.source == "forward" and current.parent_directive_id is not None:
        parent = session.get(Directive, current.parent_directive_id)
        if parent is None or parent.id in seen:
            break
        chain.append(parent)
        seen.add(parent.id)
        current = parent
    return chain


def nearest_original(chain: list[Directive]) -> Directive | None:
    """The first directive of a chain that has a signed original."""
    return next((d for d in chain if d.original_sha256), None)


def read_original(settings: DocumentSettings, sha256: str) -> bytes:
    """The kept bytes with this hash, checked against it; LookupError when they are missing or changed (a
    message is never sent with another file, or none, in place of the original it names)."""
    path = original_path(settings, sha256)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LookupError(f"the kept original {path} cannot be read: {exc}") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise LookupError(f"the kept original {path} does not match its hash (changed on disk?)")
    return data
