"""Which directive a lifecycle command is about, the directives issued under it, and closing them.

A directive stops being in force when it is recalled (thu hồi) or replaced (thay thế); the implementing
directives issued under it, down every level (their `parent_directive_id`), stop with it. A closed directive has
`closed_at` set: the chasing ladder, the consolidation and the dispatch of pending directives leave it alone, and
its links accept nothing (cascade/lifecycle/closed.py). Sending the notices that tell the units is
cascade/lifecycle's; this module only finds and marks, so that storing a replacement closes the old one in the
same transaction whichever way it is launched."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.rendering.render import vn_time
from models import Directive, Unit

MAX_LEVELS = 32  # far deeper than any tree; only stops a corrupted cycle of implementing directives


def subtree(session: Session, directive: Directive) -> list[Directive]:
    """The directive, then every implementing directive issued under it, level by level."""
    found, frontier = [directive], [directive.id]
    for _ in range(MAX_LEVELS):
        below = list(
            session.exec(
                select(Directive).where(col(Directive.parent_directive_id).in_(frontier)).order_by(col(Directive.id))
            ).all()
        )
        if not below:
            break
        found += below
        frontier = [d.id for d in below]
    return found


def closed_phrase(session: Session, directive: Directive) -> str:
    """Why a closed directive is closed, in words ("đã được thu hồi lúc …", "đã được thay thế bằng …")."""
    if directive.recalled_at is not None:
        return f"đã được thu hồi lúc {vn_time(directive.recalled_at)}"
    replacement = session.get(Directive, directive.replaced_by_id) if directive.replaced_by_id else None
    if replacement is not None:
        return f"đã được thay thế bằng văn bản số {replacement.number}"
    return f"đã hết hiệu lực lúc {vn_time(directive.closed_at)}" if directive.closed_at else "còn hiệu lực"


def issued_directive(session: Session, number: str, issuer_code: str, *, source: str, entry: str) -> Directive:
    """The issuer's directive numbered `number`, still in force (the newest when the number was used in several
    years). Raises InputError naming what is wrong: no such issuer or directive, another unit's directive, or one
    already recalled or replaced."""
    number = number.strip()
    issuer = session.exec(select(Unit).where(Unit.code == issuer_code.strip())).first()
    if issuer is None:
        raise InputError([Problem(source, f"unknown unit {issuer_code!r} (not in the imported tree)", entry="issuer")])
    query = select(Directive).where(Directive.number == number).order_by(col(Directive.id).desc())
    found = list(session.exec(query).all())
    own = [d for d in found if d.issuer_id == issuer.id]
    if not own:
        others = sorted({u.name for d in found if (u := session.get(Unit, d.issuer_id)) is not None})
        message = (
            f"{number} was issued by {', '.join(others)}, not by {issuer.name} ({issuer.code})"
            if others
            else f"no directive numbered {number!r} from {issuer.name} ({issuer.code})"
        )
        raise InputError([Problem(source, message, entry=entry)])
    directive = own[0]
    if directive.closed_at is not None:
        raise InputError([Problem(source, f"{number} {_english_closed(session, directive)}", entry=entry)])
    return directive


def _english_closed(session: Session, directive: Directive) -> str:
    if directive.recalled_at is not None:
        return f"is already recalled (since {vn_time(directive.recalled_at)}): nothing more can change it"
    replacement = session.get(Directive, directive.replaced_by_id) if directive.replaced_by_id else None
    if replacement is not None:
        return f"was replaced by {replacement.number}: change that one instead"
    above = session.get(Directive, directive.closed_by_id) if directive.closed_by_id else None
    return f"was closed with {above.number if above else 'the directive it implements'}"


def close(
    session: Session, top: Directive, now: datetime, *, recall_reason: str | None = None, replaced_by: int | None = None
) -> list[Directive]:
    """Close `top` and every directive issued under it (recalled with its reason, or replaced by `replaced_by`);
    returns them, `top` first."""
    closing = subtree(session, top)
    for d in closing:
        d.closed_at = now
        d.closed_by_id = None if d is top else top.id
        if recall_reason is not None:
            d.recalled_at, d.recall_reason = now, recall_reason
        session.add(d)
    if replaced_by is not None:
        top.replaced_by_id = replaced_by
    session.flush()
    return closing
