"""Whose name a digest and an escalation are sent in: the unit whose directives they list, or, for an escalation
about several units' directives, CASCADE_MAIL_FROM's own name, which by default names no organisation. Through
the real outbox (SQLite) and a real SMTP sink."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from cascade.chasing.digests import Digests, Listing
from cascade.chasing.steps import Item, Taken
from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.core.workdays import WorkCalendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.delivery.outbox_store import enqueue_mail
from cascade.dev.smtp_sink import SmtpSink
from cascade.dispatch.notices import outbox_batches

OFFICER = ("Trần Văn Đôn", "donoc@t.example")
SO = SimpleNamespace(id=1, name="Sở Giáo dục và Đào tạo tỉnh Đắk Lắk", email="so@t.example")
PHONG = SimpleNamespace(id=2, name="Phòng Giáo dục và Đào tạo huyện Krông Pắc", email="pgd@t.example")


def taken(step_id: int, step: str, issuer: SimpleNamespace, number: str, code: str) -> Taken:
    directive = SimpleNamespace(id=issuer.id, number=number, doc_type="KẾ HOẠCH", summary="Ngày Sách")
    unit = SimpleNamespace(name=f"Trường {code}", email=f"{code.lower()}@t.example", code=code)
    item = Item(SimpleNamespace(id=step_id, mode=None), unit, directive, "ack", date(2024, 3, 6), date(2024, 3, 5))  # type: ignore[arg-type]
    return Taken(step_id, step, item, issuer, OFFICER)  # type: ignore[arg-type]


def sent_from(settings: Settings, mailbox: SmtpSink, digests: Digests) -> dict[str, str]:
    now = datetime(2024, 3, 14, 2, tzinfo=UTC)
    rows = digests.rows(lambda _: Listing(), date(2024, 3, 14), now, "http://127.0.0.1", WorkCalendar())
    with session_scope() as session:
        enqueue_mail(session, rows)
    with session_scope() as session:
        for batch in list(outbox_batches(session, None, 100)):
            send_outbox_batch(session, settings, batch)
    return {f"{str(m.message['X-Cascade-Key']).split(':')[0]} {m.rcpt_tos[0]}": str(m.message["From"])
            for m in mailbox.messages}  # fmt: skip


def test_one_issuer_in_its_name_several_in_the_configured_one(settings: Settings, mailbox: SmtpSink) -> None:
    digests = Digests()
    digests.add(taken(1, "parent", PHONG, "12/PGDĐT", "TH1"))
    digests.add(taken(2, "escalate", SO, "1234/KH-SGDĐT", "THPT1"))
    digests.add(taken(3, "escalate", PHONG, "12/PGDĐT", "TH2"))
    assert sent_from(settings, mailbox, digests) == {
        "digest pgd@t.example": "Phòng Giáo dục và Đào tạo huyện Krông Pắc <no-reply@laichau.example>",
        "escalation donoc@t.example": settings.delivery.mail_from,  # about two units' directives
    }

    mailbox.handler.clear()
    only = Digests()
    only.add(taken(4, "escalate", SO, "1234/KH-SGDĐT", "THPT2"))
    assert sent_from(settings, mailbox, only) == {
        "escalation donoc@t.example": "Sở Giáo dục và Đào tạo tỉnh Đắk Lắk <no-reply@laichau.example>"
    }


def test_the_default_sender_names_no_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASCADE_MAIL_FROM", raising=False)
    reset_settings()
    try:
        assert get_settings().delivery.mail_from == "Hệ thống theo dõi văn bản <no-reply@cascade.example>"
    finally:
        reset_settings()
