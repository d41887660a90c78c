"""Assignments and task items made in the database (INSERT … SELECT), units looked up in parts: at national
scale, exactly what the plain rule gives, none twice.

Real SQLite or PostgreSQL (CASCADE_TEST_DATABASE_URL); the expected rows are computed here in Python, the way
the items were made before, from the stored assignments, units and tasks."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from cascade.core import sqlutil
from cascade.core.db import session_scope
from cascade.core.errors import InputError
from cascade.core.workdays import WorkCalendar
from cascade.directives import subtasks
from cascade.directives.directivefile import parse_directive
from cascade.directives.subtasks import create_task_items
from cascade.directives.unit_check import check_units
from cascade.dispatch.notices import create_assignments
from models import Assignment, DirectiveTask, Recipient, Role, TaskItem, Unit
from tests.cascade_helpers import SAMPLE_DIRECTIVE, store_sample


def expected_items(session: Session, directive_id: int) -> set[tuple[int, int]]:
    tasks = session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == directive_id)).all()
    acts = session.exec(
        select(Assignment.id, Unit.code, Unit.kind)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(Assignment.directive_id == directive_id, Assignment.role == Role.act.value)
    ).all()
    return {(a or 0, t.id or 0) for a, code, kind in acts for t in tasks if t.applies_to(code, kind)}


def stored_items(session: Session) -> list[tuple[int, int]]:
    return [(i.assignment_id, i.task_id) for i in session.exec(select(TaskItem)).all()]


@pytest.mark.usefixtures("sample_org")
def test_assignments_copy_each_recipient_once_with_its_deadlines(settings: object) -> None:
    with session_scope() as session:
        directive = store_sample(session)
        recipients = session.exec(select(Recipient.unit_id, Recipient.role).where(
            Recipient.directive_id == directive.id)).all()  # fmt: skip
        rows = session.exec(select(Assignment).where(Assignment.directive_id == directive.id)).all()
        # every recipient but the drafting department ("Lưu: VT, TgNc"), not asked to acknowledge its own plan
        drafter = session.exec(select(Unit.id).where(Unit.code == "LDLD_TGNC")).one()
        assigned = [(unit_id, role) for unit_id, role in recipients if unit_id != drafter]
        assert sorted((a.unit_id, a.role) for a in rows) == sorted(assigned) and len(rows) == 23 == len(recipients) - 1
        assert {a.status for a in rows} == {"queued"} and len({a.ack_due for a in rows}) == 1
        assert all((a.report_due is not None) == (a.role == Role.act.value) for a in rows)
        assert all(a.created_at.tzinfo is not None and a.created_at == a.status_changed_at for a in rows)
        assert create_assignments(session, directive, WorkCalendar()) == 0


@pytest.mark.usefixtures("sample_org")
def test_task_items_match_codes_and_kinds_once_each(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subtasks, "CODES_PER_STATEMENT", 2)  # several statements for one task's codes
    with session_scope() as session:
        directive = store_sample(session)
        assert directive.id is not None
        codes = list(session.exec(select(Unit.code).join(Assignment, col(Assignment.unit_id) == col(Unit.id))).all())
        kinds = sorted(set(session.exec(select(Unit.kind)).all()))
        # A task that names every unit by code and by kind: each act unit matches it more than once.
        session.add(DirectiveTask(directive_id=directive.id, seq=99, text="Báo cáo kết quả", to_codes=codes,
                                  to_kinds=kinds))  # fmt: skip
        session.flush()
        expected = expected_items(session, directive.id)
        created = create_task_items(session, directive.id)
        items = stored_items(session)
        assert created == len(items) == len(expected) and set(items) == expected
        assert len(expected) > 20  # the sample's act units, each with the new task and the sample's own
        assert create_task_items(session, directive.id) == 0 and len(stored_items(session)) == len(items)


@pytest.mark.usefixtures("sample_org")
def test_units_are_looked_up_in_parts_and_every_problem_is_named(
    settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts of 3 codes: PostgreSQL refuses a statement of more than 65,535 parameters (a national directive).
    monkeypatch.setattr(sqlutil, "VALUES_PER_QUERY", 3)
    spec = parse_directive(SAMPLE_DIRECTIVE)
    with session_scope() as session:
        units = check_units(session, spec)
        assert set(units) == {spec.issuer, *(c for c, _ in spec.recipients), *(c for t in spec.tasks for c in t.to)}
        spec.recipients.extend([("GHOST_1", "act"), ("GHOST_2", "info")])
        with pytest.raises(InputError) as raised:
            check_units(session, spec)
    assert [p.entry for p in raised.value.problems] == ["GHOST_1", "GHOST_2"]
