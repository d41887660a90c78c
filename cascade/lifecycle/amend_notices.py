"""The update notice of an amendment: one per unit holding the directive or a pass-on of it, listing what the new
version changed and, for the unit, its own deadline that moved with it and, when it is asked to, the new
deadline to confirm the new version by."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.lifecycle.amend_deadlines import Move
from cascade.lifecycle.changes import Change
from cascade.lifecycle.notices import enqueue, holder_notice, reference, refresh_documents
from cascade.lifecycle.reacknowledge import ask_again
from cascade.lifecycle.received import holders
from cascade.rendering.render import vn_date
from models import Directive, Unit


def queue_update_notices(
    session: Session,
    settings: Settings,
    tree: list[Directive],
    *,
    changes: list[Change],
    moves: list[Move],
    reacknowledge: bool,
    today: date,
    now: datetime,
    calendar: WorkCalendar,
    actor: str,
) -> tuple[list[int], int]:
    """Queue the notices; returns their ids and how many units were asked to confirm again."""
    d = tree[0]  # the directive amended, then the pass-ons below it
    reset = ask_again(session, d, today=today, now=now, calendar=calendar, actor=actor) if reacknowledge else {}
    refresh_documents(session, settings, tree)
    by_id = {t.id: t for t in tree}
    moved = {m.directive.id: m for m in moves}
    issuer = session.get(Unit, d.issuer_id)
    rows = []
    for holder in holders(session, [t.id for t in tree if t.id is not None]):
        held = [by_id[a.directive_id] for a in holder.assignments]
        own_moves = [
            f"Hạn báo cáo kết quả của {reference(session, h)}: «{vn_date(m.old)}» sửa thành «{vn_date(m.new)}»"
            for h in held
            if h is not d and (m := moved.get(h.id)) is not None
        ]
        rows.append(
            holder_notice(
                settings,
                session,
                holder,
                key=f"amend:{d.id}:v{d.version}:{holder.unit_id}",
                template="amended",
                now=now,
                issuer=issuer,
                directive=d,
                reference=reference(session, d),
                version=d.version,
                changes=[c.words for c in changes],
                moved=own_moves,
                holds_top=held[0] is d,
                passed_on=[reference(session, h) for h in held if h is not d],
                ack_due=reset.get(holder.first.id or 0),
            )
        )
    return enqueue(session, rows), len(reset)
