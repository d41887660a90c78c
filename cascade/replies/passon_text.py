"""The words of a pass-on as a clerk writes a Công văn that passes a document on: its summary ("V/v triển khai
thực hiện Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của …"), its short body, and the tasks of the units under it.

The parent document itself (its body and signed original) travels beside the Công văn as the notice's
attachments (cascade/dispatch, by the pass-on's parent_directive_id chain): the body does not copy it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from cascade.directives.numbers import is_cong_van
from cascade.dispatch.duties import DEPARTMENT_KINDS
from cascade.documents.wording import document_reference
from cascade.rendering.i18n import decree_short_date
from models import Directive, DirectiveTask, Unit

# (text, unit codes, unit kinds) of a task of the pass-on
Task = tuple[str, list[str], list[str]]
UNIT = Unit.__table__  # type: ignore[attr-defined]
MAX_DEPTH = 50  # as deep as cascade.directives.reportplan.lineage follows a chain


def implemented(session: Session, parent: Directive) -> Directive:
    """The document a chain of forwarding Công văn carries out: the parent, or when the parent is itself a
    unit's forward Công văn, the document that one passed on (and so up)."""
    current = parent
    while current.source == "forward" and is_cong_van(current.doc_type) and current.parent_directive_id:
        above = session.get(Directive, current.parent_directive_id)
        if above is None:
            break
        current = above
    return current


def reference(session: Session, directive: Directive, *, with_issuer: bool = True) -> str:
    """ "Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu"."""
    issuer = session.get(Unit, directive.issuer_id) if with_issuer else None
    name = issuer.name if issuer else None
    return document_reference(directive.doc_type, directive.number, directive.issued_on, name)


def forward_summary(session: Session, parent: Directive) -> str:
    """The trích yếu of the Công văn, without the "V/v" its layout puts before it."""
    return f"triển khai thực hiện {reference(session, implemented(session, parent))}"


def forward_body(session: Session, parent: Directive, unit: Unit, children: list[Unit], tasks: list[Task]) -> str:
    """ "Thực hiện Kế hoạch số … ngày … của …, <unit> đề nghị các đơn vị trực thuộc triển khai thực hiện các nội
    dung sau: 1. …; báo cáo kết quả về <unit> trước ngày …", the contents being the tasks that reach them."""
    opening = f"Thực hiện {reference(session, parent)}"
    if implemented(session, parent) is not parent:  # a Công văn passed on: say what it was about
        opening += f" về việc {parent.summary}"
    lines = [f"{opening}, {unit.name} đề nghị các đơn vị trực thuộc triển khai thực hiện các nội dung sau:"]
    reaching = [text for text, codes, kinds in tasks if _reaches(codes, kinds, children)]
    lines += [f"{seq}. {text}" for seq, text in enumerate(reaching, 1)]
    return "\n\n".join(lines)


def _reaches(codes: list[str], kinds: list[str], children: list[Unit]) -> bool:
    return any(c.code in codes or c.kind in kinds for c in children)


def kinds_below(session: Session, unit_id: int, kinds: set[str], children: list[Unit]) -> set[str]:
    """Which of `kinds` some unit a pass-on from this unit can reach (active, not a department, at any depth
    below) has: the children answer first; the tree below them is walked only for kinds they do not have."""
    found = {c.kind for c in children} & kinds
    if found == kinds:
        return found
    reach = (UNIT.c.active.is_(True), UNIT.c.kind.not_in(DEPARTMENT_KINDS))
    top = sa.select(UNIT.c.id, UNIT.c.kind, sa.literal(1).label("depth")).where(UNIT.c.parent_id == unit_id, *reach)
    tree = top.cte("reachable", recursive=True)
    deeper = sa.select(UNIT.c.id, UNIT.c.kind, tree.c.depth + 1).join(tree, UNIT.c.parent_id == tree.c.id)
    tree = tree.union_all(deeper.where(tree.c.depth < MAX_DEPTH, *reach))
    query = sa.select(tree.c.kind).distinct().where(tree.c.kind.in_(sorted(kinds - found)))
    return found | set(session.execute(query).scalars())


def implementing_tasks(
    session: Session,
    parent: Directive,
    unit: Unit,
    children: list[Unit],
    report_due: date,
    written: tuple[str, ...] = (),
) -> list[Task]:
    """The tasks of the units under `unit`: those it wrote (author mode), else the parent's tasks for kinds of
    unit further down and the standard task to carry out the implemented document and report by `report_due`."""
    codes = [c.code for c in children]
    if written:
        return [(text, codes, []) for text in written]
    # A task addressed to kinds travels down with the directive while some unit of one of its kinds lies below:
    # the unit that is of a kind carries the task out itself (the parent's task) and passes it on as well.
    kinds_tasks = [
        t
        for t in session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == parent.id)).all()
        if t.to_kinds
    ]
    assert unit.id is not None
    below = kinds_below(session, unit.id, {k for t in kinds_tasks for k in t.to_kinds}, children)
    carried: list[Task] = [(t.text, [], list(t.to_kinds)) for t in kinds_tasks if below & set(t.to_kinds)]
    subject = implemented(session, parent)
    due = decree_short_date(report_due)
    standard = (
        f"Triển khai thực hiện các nội dung của {reference(session, subject, with_issuer=False)} "
        f"phù hợp với tình hình thực tế của đơn vị; báo cáo kết quả về {unit.name} trước ngày {due}."
    )
    return [*carried, (standard, codes, [])]
