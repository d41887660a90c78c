"""The pass-on form's fields read and checked: the document's number and signer (every pass-on a unit completes
by hand), and in author mode the unit's own summary, body, report deadline and tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cascade.replies.passon_draft import Draft
from cascade.replies.signer import SIGNER_MAX, Signer

MAX_NUMBER = 99_999  # a register runs from 01 on 1 January; no unit issues more in a year


@dataclass
class PassOnForm:
    """What was posted, as typed (re-shown on an error)."""

    number: str = ""
    signer_on_behalf: str = ""
    signer_title: str = ""
    signer_name: str = ""
    save_signer: bool = False
    summary: str = ""
    body: str = ""
    report_due: str = ""
    tasks: str = ""
    errors: list[str] = field(default_factory=list)

    def values(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


def _sequence(form: PassOnForm) -> int | None:
    text = form.number.strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_NUMBER:
        form.errors.append("number")
        return None
    return int(text)


def _signer(form: PassOnForm) -> Signer | None:
    title, name = form.signer_title.strip(), form.signer_name.strip()
    on_behalf = form.signer_on_behalf.strip() or None
    if not title or not name:
        form.errors.append("signer")
        return None
    if max(len(title), len(name), len(on_behalf or "")) > SIGNER_MAX:
        form.errors.append("signer_length")
        return None
    return Signer(on_behalf, title, name)


def read_draft(form: PassOnForm, *, authored: bool, today: date, unit_report_due: date | None) -> Draft | None:
    """The Draft the form gives, or None with `form.errors` naming each field at fault."""
    sequence, signer = _sequence(form), _signer(form)
    if not authored:
        return None if form.errors else Draft(sequence=sequence, signer=signer)
    due = None
    try:
        due = date.fromisoformat(form.report_due) if form.report_due.strip() else None
    except ValueError:
        form.errors.append("report_due")
    if due is not None and (due < today or (unit_report_due and due > unit_report_due)):
        form.errors.append("report_due_range")
    task_lines = tuple(line.strip() for line in form.tasks.splitlines() if line.strip())
    if not task_lines:
        form.errors.append("tasks")
    if form.errors:
        return None
    return Draft(
        sequence=sequence,
        signer=signer,
        summary=form.summary.strip() or None,
        body=form.body.strip() or None,
        report_due=due,
        tasks=task_lines,
    )
