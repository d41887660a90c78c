"""Section "Tổ chức thực hiện" from the directive's tasks, for a body that does not write it out itself: the
tasks grouped by the units (or kinds of unit) they address, each group headed by those units in words
("2. LĐLĐ các huyện, thành phố, Công đoàn ngành Giáo dục và …"), each task a "- …" line under it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cascade.documents.body import paragraph, roman
from cascade.documents.model import Paragraph, Style
from cascade.documents.unit_names import group_units, join_words, kinds_words
from models import DirectiveTask, Unit

SECTION_WORDS = "Tổ chức thực hiện"


def addressed_words(
    task: DirectiveTask,
    units: Mapping[str, Unit],
    issuer: Unit | None,
    parents: Mapping[int, Unit],
    kinds: Mapping[str, str],
) -> str:
    """Whom a task addresses, in words: its units by name (many of a kind as one group), then its kinds (`kinds`:
    the words of the kinds it addresses and of those it groups, cascade.documents.kind_names), no phrase twice."""
    named = [units[code] for code in task.to_codes if code in units]
    labels = [group.label for group in group_units(named, issuer, parents, kinds)]
    labels.extend(kinds_words(task.to_kinds, kinds))
    return join_words(list(dict.fromkeys(labels))) or "Các đơn vị"


def tasks_section(
    tasks: Sequence[DirectiveTask],
    units: Mapping[str, Unit],
    issuer: Unit | None,
    parents: Mapping[int, Unit],
    section_number: int,
    kinds: Mapping[str, str],
) -> list[Paragraph]:
    """The section's paragraphs, numbered `section_number` (0: the body has no roman-numeral sections, so
    neither has this one). Empty when there are no tasks."""
    if not tasks:
        return []
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[DirectiveTask]] = {}
    for task in sorted(tasks, key=lambda t: t.seq):
        groups.setdefault((tuple(task.to_codes), tuple(task.to_kinds)), []).append(task)
    title = SECTION_WORDS.upper()
    out = [paragraph(f"{roman(section_number)}. {title}" if section_number else title, Style.section)]
    for number, members in enumerate(groups.values(), start=1):
        out.append(paragraph(f"{number}. {addressed_words(members[0], units, issuer, parents, kinds)}", Style.heading))
        out.extend(paragraph(f"- {task.text.strip()}", Style.text) for task in members)
    return out
