"""A directive laid out as Decree 30/2020/NĐ-CP (Appendix I) lays it out, the same for every recipient."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session

from cascade.rendering.render import render
from models import Directive, Unit


class RenderedDocument(NamedTuple):
    text: str
    html: str


def render_document(session: Session, directive: Directive) -> RenderedDocument:
    """The whole document (heading, title, body, signer, Nơi nhận) as plain text and as an HTML fragment."""
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None
    values = {"directive": directive, "issuer": issuer}
    return RenderedDocument(render("document/document.txt", **values), render("document/document.html", **values))
