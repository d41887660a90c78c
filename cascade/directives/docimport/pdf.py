"""The text layer of a .pdf, read with pypdf in layout mode.

Layout mode keeps the gap between the columns of the heading and the footer (the issuer beside the national
motto, "Nơi nhận" beside the signer) as a run of spaces, which plain extraction squeezes to one space.
A page without text is a scan: the importer says so instead of reporting every field missing.
"""

from __future__ import annotations

import logging
from typing import IO

from cascade.directives.docimport.problems import DocumentReadError


def pdf_lines(data: IO[bytes], name: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%PDF-" not in data.read(1024):  # where a PDF reader looks for its header
        raise DocumentReadError(f"{name} is not a PDF (its content is of another kind; check the file's extension)")
    data.seek(0)
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # its warnings about a damaged file are said once, in the problem below
    try:
        reader = PdfReader(data)
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise DocumentReadError(f"{name} is not a readable .pdf ({exc})") from exc
    finally:
        pypdf_log.setLevel(level)
    if not any(text.strip() for text in pages):
        raise DocumentReadError(
            f"{name} has no text layer: it is a scan (an image of each page). Run OCR on it, or import the"
            " .docx or text it was printed from"
        )
    return [line for text in pages for line in text.splitlines()]
