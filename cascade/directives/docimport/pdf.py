"""The text layer of a .pdf, read with pypdf in layout mode.

Layout mode keeps the gap between the columns of the heading and the footer (the issuer beside the national
motto, "Nơi nhận" beside the signer) as a run of spaces, which plain extraction squeezes to one space.
A page without text is a scan: the importer says so instead of reporting every field missing.
"""

from __future__ import annotations

import logging
from typing import IO

from cascade.directives.docimport.problems import DocumentReadError

# pypdf's warnings about a damaged file ("EOF marker not found") went to the clerk's terminal before the one
# problem the importer says of it. Set once for the process: set and reset around each read, two uploads read
# at once could leave it either way.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_lines(data: IO[bytes], name: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%PDF-" not in data.read(1024):  # where a PDF reader looks for its header
        raise DocumentReadError(f"{name} is not a PDF (its content is of another kind; check the file's extension)")
    data.seek(0)
    try:
        reader = PdfReader(data)
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise DocumentReadError(f"{name} is not a readable .pdf ({exc})") from exc
    if not any(text.strip() for text in pages):
        raise DocumentReadError(
            f"{name} has no text layer: it is a scan (an image of each page). Run OCR on it, or import the"
            " .docx or text it was printed from"
        )
    return [line for text in pages for line in text.splitlines()]
