"""A directive's recipients, by role, as the lines of its "Nơi nhận" will name them, read with a few grouped
queries: a directive to 100,000 grassroots unions is one "- Các CĐCS … (100000 đơn vị)" line, so its units are
counted per (role, kind) in SQL and only the kinds with a handful of units are read by name (the unit page
renders the document at every visit)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from cascade.documents.kind_names import kind_names
from cascade.documents.unit_names import HANDFUL, UnitGroup, group_label
from models import Recipient, Role, Unit


def _parents(session: Session, ids: set[int | None]) -> dict[int, Unit]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(wanted))).all() if u.id is not None}


def recipient_groups(session: Session, directive_id: int, issuer: Unit | None) -> dict[Role, list[UnitGroup]]:
    """Per role, in the directive's order of its recipients: each unit by name, or one group for a kind with
    more than HANDFUL units in that role (placed where its first unit stood)."""
    base = (
        select(Recipient.role, Unit.kind, func.count(), func.min(Recipient.id))
        .join(Unit, col(Unit.id) == col(Recipient.unit_id))
        .where(Recipient.directive_id == directive_id)
        .group_by(col(Recipient.role), col(Unit.kind))
    )
    placed: dict[Role, list[tuple[int, UnitGroup]]] = {}
    big: list[tuple[Role, str, int, int]] = []
    for role, kind, count, first in session.exec(base).all():
        if count > HANDFUL:
            big.append((Role(role), kind, int(count), int(first or 0)))
            continue
        query = (
            select(Recipient.id, Unit.name)
            .join(Unit, col(Unit.id) == col(Recipient.unit_id))
            .where(Recipient.directive_id == directive_id, Recipient.role == role, Unit.kind == kind)
        )
        placed.setdefault(Role(role), []).extend(
            (int(rid or 0), UnitGroup(name, 1)) for rid, name in session.exec(query)
        )
    parent_sets = {(role, kind): _parent_ids(session, directive_id, role, kind) for role, kind, _, _ in big}
    parents = _parents(session, {p for ids in parent_sets.values() for p in ids})
    words = kind_names(session, [kind for _, kind, _, _ in big])
    for role, kind, count, first in big:
        label = group_label(kind, parent_sets[(role, kind)], issuer, parents, words.get(kind))
        placed.setdefault(role, []).append((first, UnitGroup(label, count)))
    return {role: [group for _, group in sorted(items, key=lambda item: item[0])] for role, items in placed.items()}


def _parent_ids(session: Session, directive_id: int, role: Role, kind: str) -> set[int | None]:
    """The parents of a group's units, as far as telling one from several (two are read at most)."""
    query = (
        sa.select(col(Unit.parent_id))
        .distinct()
        .join(Recipient, col(Unit.id) == col(Recipient.unit_id))
        .where(col(Recipient.directive_id) == directive_id, col(Recipient.role) == role.value, col(Unit.kind) == kind)
        .limit(2)
    )
    return {row[0] for row in session.execute(query)}


def parents_of(session: Session, units: Mapping[str, Unit]) -> dict[int, Unit]:
    """The parent units of these units (to name a group of them "… thuộc <parent>")."""
    return _parents(session, {u.parent_id for u in units.values()})
