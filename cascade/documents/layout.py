"""A directive laid out as Decree 30/2020/NĐ-CP (Appendix I) lays it out, the same for every recipient: the
email transport renders it once per directive and shares it between all its notices, the unit page includes
it, the .docx writer (cascade/documents/docx_writer.py) sets the same layout on A4."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session

from cascade.documents.build import document_layout
from cascade.documents.model import DocumentLayout
from cascade.rendering.render import render
from models import Directive


class RenderedDocument(NamedTuple):
    text: str
    html: str


def render_layout(layout: DocumentLayout) -> RenderedDocument:
    """A layout as plain text and as a self-contained HTML fragment (templates/document/document.*)."""
    return RenderedDocument(render("document/document.txt", doc=layout), render("document/document.html", doc=layout))


def render_document(session: Session, directive: Directive) -> RenderedDocument:
    """The whole document (heading, title, body, signer, Nơi nhận) as plain text and as an HTML fragment."""
    return render_layout(document_layout(session, directive))
