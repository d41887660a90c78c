"""The shape renderer of a dispatch writes exactly the notices a full render writes, unit by unit."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, UndefinedError
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.delivery.mailmessage import DOCUMENT_MARKER
from cascade.delivery.outbox_store import mail_rows
from cascade.dispatch.notice_shapes import ShapeRenderer
from cascade.dispatch.notices import enqueue_notices, notice_batches, notice_context, notice_values, render_notice
from cascade.rendering.render import environment
from models import Assignment, OutboxMessage, Unit
from tests.cascade_helpers import store_sample

FIELDS = ("key", "kind", "assignment_id", "directive_id", "to_addr", "to_name", "from_name", "document_id", "subject",
          "body_text", "body_html")  # fmt: skip
ODD_NAME = 'Công đoàn "Cơ sở" <Mường Tè> & Nậm Nhùn'  # everything autoescape must escape


@pytest.mark.usefixtures("sample_org")
def test_every_notice_equals_its_full_render(settings: Settings) -> None:
    with session_scope() as session:
        odd = session.exec(select(Unit).where(Unit.code == "LDLD_MT")).one()
        odd.name = ODD_NAME
        session.add(odd)
        directive = store_sample(session)
        assert directive.id is not None
        for batch in notice_batches(session, directive.id, 100):
            enqueue_notices(session, settings, directive.id, batch)
        ctx = notice_context(session, directive.id)
        ids = [i for i in session.exec(select(OutboxMessage.id)).all() if i is not None]
        stored = {r.key: r for r in mail_rows(session, ids, "directive_id")}  # with the bodies' own table
        pairs = session.exec(select(Assignment, Unit).join(Unit, col(Unit.id) == col(Assignment.unit_id))).all()
        expected = {f"notice:{a.id}": render_notice(settings, ctx, a, u) for a, u in pairs}
        shapes = len({(a.role, a.report_due) for a, _ in pairs})
    assert len(stored) == len(expected) == len(pairs) > 20 and shapes > 1
    # Every notice names the one shared document and holds its place once, in both bodies.
    assert len({row.document_id for row in stored.values()}) == 1 and None not in {
        r.document_id for r in stored.values()
    }
    assert all(r.body_text.count(DOCUMENT_MARKER) == r.body_html.count(DOCUMENT_MARKER) == 1 for r in stored.values())
    for key, full in expected.items():
        row: Any = stored[key]
        assert {f: getattr(row, f) for f in FIELDS} == {f: full[f] for f in FIELDS}, key
    odd_row = next(r for r in stored.values() if r.to_name == ODD_NAME)
    assert "Công đoàn &#34;Cơ sở&#34; &lt;Mường Tè&gt; &amp; Nậm Nhùn" in odd_row.body_html
    assert ODD_NAME in odd_row.body_text


@pytest.mark.usefixtures("sample_org")
def test_a_template_using_another_unit_field_fails_loudly(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-ins hold only what a shape fixes: a template that starts using another per-unit field (here
    the unit's code) raises, instead of repeating the first unit's value in every notice of the shape."""
    with session_scope() as session:
        directive = store_sample(session)
        assert directive.id is not None
        ctx = notice_context(session, directive.id)
        assignment, unit = session.exec(
            select(Assignment, Unit).join(Unit, col(Unit.id) == col(Assignment.unit_id))
        ).first()  # type: ignore[misc]
        values = notice_values(settings, ctx, assignment, unit)
    env = environment()
    assert env.loader is not None
    patched = ChoiceLoader([DictLoader({"email/notice.txt": "Kính gửi {{ unit.name }} ({{ unit.code }})"}), env.loader])
    monkeypatch.setattr(env, "loader", patched)
    env.cache.clear()  # type: ignore[union-attr]
    try:
        with pytest.raises(UndefinedError, match="code"):
            ShapeRenderer().row(values)
    finally:
        env.cache.clear()  # type: ignore[union-attr]
