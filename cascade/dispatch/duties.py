"""What each recipient owes under a directive, by its protocol role in the "Nơi nhận": the one place it is decided.

| role         | in the Nơi nhận    | acknowledges     | reminded, escalated, late | owes a report             |
|--------------|--------------------|------------------|---------------------------|---------------------------|
| `act`        | để thực hiện (t/h) | yes              | yes                       | yes                       |
| `coordinate` | phối hợp (p/h)     | yes              | yes                       | only when a task names it |
| `info`       | để biết            | yes              | for the acknowledgement   | no                        |
| `superior`   | để báo cáo (b/c)   | may, by its link | never                     | no                        |

It is decided once, when the assignments are created (cascade/dispatch/notices.py create_assignments), as two
facts everything downstream reads instead of the role: an assignment owes a report when its `report_due` is set
(models.owes_report), and it is chased for its acknowledgement when its role is in models.CHASED_ROLES. The ladder,
the figures, the report links and pages and the consolidated reports never test the role themselves.

The issuer's own departments named in the recipients are tracked like any other unit, except the one that drafted
the document: the archive line's second part ("Lưu: VT, TgNc"), else the department reports go through
(`report_to`). It is not asked to acknowledge its own document, so it gets no assignment (no notice, no reminder,
no count); its recipient line stays, and the document's Nơi nhận still prints it."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.sqlutil import id_in
from models import Directive, DirectiveTask, Recipient, Role, Unit

# The issuer's own offices and boards (the same kinds cascade.replies.passon never passes a directive on to).
DEPARTMENT_KINDS = frozenset({"department", "party_department"})


def reporting_coordinators(session: Session, directive: Directive) -> list[int]:
    """The units of the `coordinate` recipients that a task of the directive names, by code or by kind: they owe
    a report; the other coordinating units only acknowledge."""
    tasks = list(session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive.id)).all())
    if not tasks:
        return []
    coordinating = session.exec(
        select(Unit.id, Unit.code, Unit.kind)
        .join(Recipient, col(Recipient.unit_id) == col(Unit.id))
        .where(Recipient.directive_id == directive.id, Recipient.role == Role.coordinate)
    ).all()
    return [i for i, code, kind in coordinating if i is not None and any(t.applies_to(code, kind) for t in tasks)]


def owes_report_clause(session: Session, directive: Directive) -> Any:
    """Over Recipient: the recipients whose assignment owes a report (`act`, and `coordinate` named by a task)."""
    clause = col(Recipient.role) == Role.act
    named = reporting_coordinators(session, directive)
    return sa.or_(clause, id_in(session, col(Recipient.unit_id), named)) if named else clause


def plain(text: str) -> str:
    """Letters and digits only, without accents, in lower case: "TgNc", "TG-NC", "tgnc" and "Tg.Nc" read alike."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def archive_drafter(archive: str | None) -> str:
    """The drafting department's abbreviation in an archive line, plain: "VT, TgNc" → "tgnc"; "" when there is
    none. The line may be written as printed ("Lưu: VT, TgNc (02b)."): the "Lưu:" and a copy count are dropped."""
    text = re.sub(r"^\s*-?\s*lưu\s*:?", "", archive or "", flags=re.IGNORECASE)
    parts = [re.sub(r"\(.*?\)", "", part) for part in text.split(",")]
    return plain(parts[1]) if len(parts) > 1 else ""


def abbreviations(unit: Unit) -> set[str]:
    """How an archive line may name the unit: its symbol, its code, or the code's last part (LDLD_TGNC: "tgnc")."""
    names = {plain(unit.code), plain(re.split(r"[^0-9A-Za-z]+", unit.code)[-1])}
    return names | ({plain(unit.symbol)} if unit.symbol else set())


def drafting_department(session: Session, directive: Directive) -> Unit | None:
    """The department that drafted the directive: the issuer's department the archive line names ("VT, TgNc"
    names LDLD_TGNC), or else the unit named by `report_to`; None when neither names a unit."""
    part = archive_drafter(directive.archive)
    if part:
        departments = session.exec(
            select(Unit).where(Unit.parent_id == directive.issuer_id, col(Unit.kind).in_(DEPARTMENT_KINDS))
        ).all()
        found = [u for u in departments if part in abbreviations(u)]
        if len(found) == 1:
            return found[0]
    if directive.report_to:
        return session.exec(select(Unit).where(Unit.code == directive.report_to)).first()
    return None
