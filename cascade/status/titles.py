"""A directive's title as a person finds it in lists: '252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu'."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from cascade.directives.specfile import parse_directive_file
from cascade.status.tree import find_directive
from models import Directive, Unit


def directive_title(
    session: Session,
    directive_id: int | None = None,
    number: str | None = None,
    issuer: str | None = None,
    directive_file: str | None = None,
) -> str | None:
    """Number · issuer name of the directive given by id, by number, or (not stored yet) by its file; None if none."""
    if directive_id:
        directive = session.get(Directive, directive_id)
    elif number:
        directive = find_directive(session, number, issuer)
    else:
        directive = None
    if directive is not None:
        unit = session.get(Unit, directive.issuer_id)
        return f"{directive.number} · {unit.name if unit else ''}"
    if directive_file:  # not stored yet: the number and issuer as the file gives them
        spec = parse_directive_file(Path(directive_file))
        found = session.exec(select(Unit).where(Unit.code == spec.issuer)).first()
        return f"{spec.number} · {found.name if found else spec.issuer}"
    return None
