"""An amendment (đính chính): a new version of a directive, from its file with the same number and issuer.

`plan_amendment` checks it and works out what changes (nothing is written): the directive must be the issuer's,
in force, the file must change something, and it may not change what an amendment cannot (the recipients: more
are `cascade add-recipients`; the reporting plan; the year of the number). `apply_amendment` keeps the old
version in directive_version, writes the new one, moves the deadlines down the tree, asks the units to confirm
again if told to, and queues one update notice per unit holding the directive or a pass-on of it, saying what
changed in words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from cascade.core.errors import InputError, Problem
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar, local_date
from cascade.directives.closing import issued_directive, subtree
from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.numbers import normalise_number
from cascade.directives.store import content_hash
from cascade.directives.subtasks import create_task_items
from cascade.directives.unit_check import check_units
from cascade.documents.originals import CheckedOriginal, check_original, keep_original
from cascade.lifecycle.amend_deadlines import Move, apply_moves, planned_moves
from cascade.lifecycle.amend_notices import queue_update_notices
from cascade.lifecycle.changes import FIELDS, Change, changes, file_values, stored_values
from cascade.lifecycle.results import Outcome
from cascade.lifecycle.tasks_update import update_tasks
from models import AuditEvent, Directive, DirectiveVersion, Recipient, Unit, record_audit, utcnow
from models.report import ReportingPlan


@dataclass
class AmendPlan:
    directive: Directive
    spec: DirectiveSpec
    original: CheckedOriginal | None
    old: dict[str, object]
    new: dict[str, object]
    changes: list[Change]
    moves: list[Move]
    reacknowledge: bool


def _refuse(spec: DirectiveSpec, message: str, entry: str) -> InputError:
    return InputError([Problem(spec.source, message, entry=entry)])


def plan_amendment(
    session: Session,
    settings: Settings,
    spec: DirectiveSpec,
    *,
    today: date,
    calendar: WorkCalendar,
    number: str | None = None,
    reacknowledge: bool = False,
) -> AmendPlan:
    """What the file changes in the stored directive; InputError when it cannot be an amendment of it."""
    if number is not None and normalise_number(number) != spec.number:
        raise _refuse(spec, f"the file's number {spec.number} differs from {number}: an amendment keeps the number "
                      "(a new number is a new directive, which may say `replaces:`)", "number")  # fmt: skip
    directive = issued_directive(session, spec.number, spec.issuer, source=spec.source, entry="number")
    if spec.issued_on.year != directive.year:
        raise _refuse(spec, f"{spec.number} is a number of {directive.year}: issued_on cannot move it to "
                      f"{spec.issued_on.year}", "issued_on")  # fmt: skip
    check_units(session, spec)
    _same_recipients(session, directive, spec)
    _same_reporting(session, directive, spec)
    original = check_original(spec, settings.documents)
    old = stored_values(session, directive)
    new = file_values(spec, original.facts if original else None)
    found = changes(session, old, new)
    if not found:
        raise _refuse(spec, f"the file changes nothing in {spec.number} (version {directive.version})", "number")
    moves = planned_moves(session, directive, spec.report_due, old_lead=directive.lead_days, new_lead=spec.lead_days,
                          today=today, calendar=calendar, source=spec.source)  # fmt: skip
    return AmendPlan(directive, spec, original, old, new, found, moves, reacknowledge)


def _same_recipients(session: Session, directive: Directive, spec: DirectiveSpec) -> None:
    stored = {
        code: (str(role), str(mode) if mode else None)
        for code, role, mode in session.exec(
            select(Unit.code, Recipient.role, Recipient.mode)
            .join(Unit, col(Unit.id) == col(Recipient.unit_id))
            .where(Recipient.directive_id == directive.id)
        ).all()
    }
    wanted = {
        code: (str(role), str(spec.modes[code]) if code in spec.modes else None) for code, role in spec.recipients
    }
    for code in sorted(set(wanted) - set(stored)):
        raise _refuse(spec, f"{code} is not a recipient of {spec.number}: send it to more units with "
                      "`cascade add-recipients`, not with an amendment", code)  # fmt: skip
    for code in sorted(set(stored) - set(wanted)):
        raise _refuse(spec, f"{code} is a recipient of {spec.number} and missing from the file: an amendment cannot "
                      "take a unit off a directive (recall it, or replace it by a new one)", code)  # fmt: skip
    for code in sorted(c for c in wanted if wanted[c] != stored[c]):
        raise _refuse(spec, f"the role or mode of {code} differs from the one it received {spec.number} with: "
                      "an amendment cannot change it (replace the directive by a new one)", code)  # fmt: skip


def _same_reporting(session: Session, directive: Directive, spec: DirectiveSpec) -> None:
    plan = session.exec(select(ReportingPlan).where(ReportingPlan.directive_id == directive.id)).first()
    stored = (plan.indicators, plan.schedule, plan.ladder, plan.follow_up_name, plan.follow_up_email) if plan else None
    r = spec.reporting
    wanted = (
        (r.indicators, r.schedule, r.ladder, r.follow_up_name, r.follow_up_email) if r and not r.is_empty() else None
    )
    if stored != wanted:
        raise _refuse(spec, "the indicators, report schedule, escalation or follow-up officer differ: an amendment "
                      "cannot change what units report (replace the directive by a new one)", "indicators")  # fmt: skip


def apply_amendment(
    session: Session,
    settings: Settings,
    plan: AmendPlan,
    *,
    calendar: WorkCalendar,
    actor: str = "cli",
    now: datetime | None = None,
) -> Outcome:
    """Write the new version, keep the old one, move the deadlines, and queue the update notices."""
    now = now or utcnow()
    d, spec = plan.directive, plan.spec
    assert d.id is not None
    session.add(
        DirectiveVersion(
            directive_id=d.id,
            version=d.version,
            values=plan.old,
            content_hash=d.content_hash,
            changes=[asdict(c) for c in plan.changes],
            reacknowledge=plan.reacknowledge,
            actor=actor,
            source=spec.source,
            superseded_at=now,
        )  # fmt: skip
    )
    for name in FIELDS:
        setattr(d, name, getattr(spec, name))
    facts = plan.original.facts if plan.original else None
    d.original_name = facts.name if facts else None
    d.original_mime = facts.mime if facts else None
    d.original_size = facts.size if facts else None
    d.original_sha256 = facts.sha256 if facts else None
    d.version += 1
    d.content_hash = content_hash(spec, facts)
    session.add(d)
    session.flush()
    update_tasks(session, d, spec)
    create_task_items(session, d.id)
    apply_moves(session, plan.moves, calendar)  # the tree's deadlines, the cycles and the ladder's steps
    if plan.original is not None:
        keep_original(settings.documents, plan.original)
    issuer = session.get(Unit, d.issuer_id)
    record_audit(session, AuditEvent.directive_amended, unit=issuer, actor=actor, at=now, directive_id=d.id,
                 detail={"number": d.number, "version": d.version, "changes": [c.words for c in plan.changes],
                         "moved": {m.directive.number: m.new.isoformat() for m in plan.moves},
                         "reacknowledge": plan.reacknowledge, "source": spec.source})  # fmt: skip
    tree = subtree(session, d)
    message_ids, reset = queue_update_notices(session, settings, tree, changes=plan.changes, moves=plan.moves,
                                              reacknowledge=plan.reacknowledge, today=local_date(now), now=now,
                                              calendar=calendar, actor=actor)  # fmt: skip
    assert issuer is not None
    lines = [
        f"{issuer.name} đính chính {d.number}: phiên bản {d.version}.",
        *[f"- {c.words}" for c in plan.changes],
        *[f"- Hạn báo cáo của {m.directive.number}: {m.old:%d/%m/%Y} → {m.new:%d/%m/%Y}" for m in plan.moves[1:]],
    ]
    if plan.reacknowledge:
        lines.append(f"{reset} đơn vị được đề nghị xác nhận lại phiên bản mới.")
    return Outcome(kind="amend", directive_id=d.id, number=d.number, issuer=issuer.name, message_ids=message_ids,
                   cancelled=0, lines=lines)  # fmt: skip
