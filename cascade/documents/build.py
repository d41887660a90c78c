"""A stored directive read from the database as the document it is (cascade/documents/model.py): the heading,
the title, the opening basis sentence, the body with its sections, section "Tổ chức thực hiện" from the tasks
when the body does not write it, the signer and the "Nơi nhận". The same for every recipient."""

from __future__ import annotations

import unicodedata

from sqlmodel import Session, col, select

from cascade.directives.numbers import is_cong_van
from cascade.documents.body import (
    body_blocks,
    has_section,
    last_section_number,
    opens_with_basis,
    paragraph,
    says_already,
)
from cascade.documents.heading import capitals, document_heading, plain_summary
from cascade.documents.kind_names import kind_names
from cascade.documents.model import Block, DocumentLayout, Paragraph, Run, Signer, Style
from cascade.documents.recipient_groups import parents_of, recipient_groups
from cascade.documents.recipients_list import addressee_lines, recipient_lines
from cascade.documents.tasks_section import SECTION_WORDS, tasks_section
from cascade.documents.unit_names import UnitGroup, grouped_kinds, join_words
from cascade.documents.wording import doc_type_word, implementing_sentence
from cascade.rendering.i18n import decree_short_date
from models import Directive, DirectiveTask, Role, Unit

# Up to this many units (or groups) are named again in the closing request to report.
NAMED_IN_REQUEST = 3


def file_stem(number: str) -> str:
    """A file name for the document: its number with "/" as "-" ("252-KH-LĐLĐ")."""
    text = unicodedata.normalize("NFC", number).strip()
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text).strip("-.") or "van-ban"


def opening_sentence(directive: Directive, issuer: Unit, more_follows: bool) -> str:
    """ "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu, Liên đoàn Lao động tỉnh Lai Châu
    ban hành Kế hoạch với các nội dung sau:"."""
    assert directive.basis
    sentence = implementing_sentence(directive.basis, directive.basis_issued_on, directive.basis_issuer)
    if not more_follows:
        return f"{sentence}."
    if is_cong_van(directive.doc_type):
        return f"{sentence}, {issuer.name} đề nghị các đơn vị triển khai thực hiện các nội dung sau:"
    return f"{sentence}, {issuer.name} ban hành {doc_type_word(directive.doc_type)} với các nội dung sau:"


def report_request(directive: Directive, issuer: Unit, acting: list[UnitGroup], report_to: Unit | None) -> str:
    """The closing request to report ("Đề nghị … báo cáo kết quả về … trước ngày 15/12/2021."): one pair of
    brackets at most (the department the reports go through)."""
    # a long list of addressees is not said twice: the tasks above name them
    whom = join_words([g.label for g in acting]) if 0 < len(acting) <= NAMED_IN_REQUEST else "các đơn vị"
    via = f" (qua {report_to.name})" if report_to is not None and report_to.id != issuer.id else ""
    when = f" trước ngày {decree_short_date(directive.report_due)}" if directive.report_due else ""
    return f"Đề nghị {whom} nghiêm túc triển khai thực hiện và báo cáo kết quả về {issuer.name}{via}{when}."


def closed(paragraphs: list[Block]) -> list[Block]:
    """The body ends "./." as the decree ends a document's content."""
    if not paragraphs or not isinstance(paragraphs[-1], Paragraph) or paragraphs[-1].style != Style.text:
        return paragraphs
    last = paragraphs[-1]
    text = last.text.rstrip()
    if text.endswith("/.") or not text.endswith("."):
        return paragraphs
    runs = (*last.runs, Run("/."))
    return [*paragraphs[:-1], Paragraph(last.style, runs)]


def _unit(session: Session, code: str | None) -> Unit | None:
    return session.exec(select(Unit).where(Unit.code == code)).first() if code else None


def document_layout(session: Session, directive: Directive) -> DocumentLayout:
    assert directive.id is not None
    issuer = session.get(Unit, directive.issuer_id)
    assert issuer is not None, f"directive {directive.id} names no stored issuer"
    parent = session.get(Unit, issuer.parent_id) if issuer.parent_id is not None else None
    groups = recipient_groups(session, directive.id, issuer)
    cong_van = is_cong_van(directive.doc_type)

    tasks = list(session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive.id)).all())
    written = body_blocks(directive.body)  # its paragraphs and tables
    body = [block for block in written if isinstance(block, Paragraph)]
    extra: list[Paragraph] = []
    # a body that writes out its tasks (a section of its own, or a pass-on's numbered lines) is not repeated
    if tasks and not has_section(body, SECTION_WORDS) and not says_already(body, [t.text for t in tasks]):
        codes = {code for task in tasks for code in task.to_codes}
        units = {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_(codes))).all()}
        number = last_section_number(body) + 1 if last_section_number(body) else 0
        grouped = grouped_kinds([units[code] for code in task.to_codes if code in units] for task in tasks)
        kinds = kind_names(session, [*(kind for task in tasks for kind in task.to_kinds), *sorted(grouped)])
        extra = tasks_section(tasks, units, issuer, parents_of(session, units), number, kinds)
        if groups.get(Role.act):
            report_to = _unit(session, directive.report_to)
            extra.append(paragraph(report_request(directive, issuer, groups[Role.act], report_to), Style.text))
    opening: list[Block] = []
    if directive.basis and not opens_with_basis(body):
        opening = [paragraph(opening_sentence(directive, issuer, bool(written or extra)), Style.text)]
    blocks = closed([*opening, *written, *extra])

    return DocumentLayout(
        heading=document_heading(directive, issuer, parent),
        title=None if cong_van else capitals(directive.doc_type),
        summary=None if cong_van else plain_summary(directive.summary),
        addressees=tuple(addressee_lines(groups.get(Role.act, []))) if cong_van else (),
        body=tuple(blocks),
        signer=Signer(directive.signer_on_behalf, directive.signer_title, directive.signer_name),
        recipients=tuple(
            recipient_lines(groups, directive.archive, act_addressed=cong_van, printed=directive.printed or ())
        ),
        file_stem=file_stem(directive.number),
    )
