"""A directive's life after launch, from the console: the issuer's recall button, and a draft that `replaces:` an
earlier directive, launched from the API. Real app (uvicorn), real database, Prefect's test server (the flows run
in the web process's background), the aiosmtpd sink; oracles are the sample's own recipients and the mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from models import AuditEvent, AuditLog, Directive
from tests.api_helpers import PLAN_DAY, SAMPLE_YAML, accounts, served, upload
from web import launching

SAMPLE = yaml.safe_load(SAMPLE_YAML.read_text(encoding="utf-8"))
NOTICES = len(SAMPLE["recipients"]) - 1  # every recipient but the drafting department (its "Lưu:" line)


@pytest.fixture
def plan_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", PLAN_DAY)  # before `settings` reads the environment


@pytest.fixture
def console(
    plan_day: None, settings: Settings, sample_org: None, prefect_harness: None
) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    heads = accounts()
    with served(settings) as base, httpx.Client(base_url=base, timeout=120, follow_redirects=False) as client:
        yield client, heads


def finish_background() -> None:
    for thread in list(launching.RUNNING.values()):
        thread.join(120)


def launched(client: httpx.Client, heads: dict[str, str], data: bytes, name: str = "252.yaml") -> int:
    preview = upload(client, heads, name, data)
    assert preview.status_code == 201 and preview.json()["launchable"], preview.json()["problems"]
    started = client.post(f"/api/directives/{preview.json()['id']}/launch", headers=heads)
    assert started.status_code == 202, started.text
    finish_background()
    return int(started.json()["directive_id"])


def subjects(mailbox: SmtpSink, start: str) -> list[str]:
    return [m.subject for m in mailbox.handler.messages if m.subject.startswith(start)]


def test_the_issuer_recalls_from_the_console_and_every_unit_is_told_once(console: Any, mailbox: SmtpSink) -> None:
    client, heads = console
    directive_id = launched(client, heads["province"], SAMPLE_YAML.read_bytes())
    assert len(mailbox.handler.messages) == NOTICES
    page = client.get(f"/admin/directives/{directive_id}", headers=heads["province"])
    assert page.status_code == 200 and f'action="/admin/directives/{directive_id}/recall"' in page.text
    form = {"reason": "Văn bản ghi sai ngày", "confirm": "yes"}
    # Tam Đường's admin sees no button on a directive it did not issue (and cannot reach it: 404 out of scope)
    assert (
        client.post(f"/admin/directives/{directive_id}/recall", data=form, headers=heads["tam_duong"]).status_code
        == 404
    )
    supervisor = client.post(
        f"/admin/directives/{directive_id}/recall", data=form, headers=heads["province_supervisor"]
    )
    assert supervisor.status_code == 403
    unconfirmed = client.post(
        f"/admin/directives/{directive_id}/recall", data={"reason": "x"}, headers=heads["province"]
    )
    assert unconfirmed.status_code == 422 and subjects(mailbox, "Thu hồi") == []
    done = client.post(f"/admin/directives/{directive_id}/recall", data=form, headers=heads["province"])
    assert done.status_code == 303, done.text
    finish_background()
    recalls = subjects(mailbox, "Thu hồi văn bản")
    assert len(recalls) == NOTICES, recalls  # one per unit that received it
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None and directive.recalled_at is not None
        assert directive.recall_reason == "Văn bản ghi sai ngày"
        actors = session.exec(select(AuditLog.actor).where(AuditLog.event == AuditEvent.directive_recalled)).all()
    assert actors == ["admin@ldld.laichau.example"]
    again = client.post(f"/admin/directives/{directive_id}/recall", data=form, headers=heads["province"])
    assert again.status_code == 422 and len(subjects(mailbox, "Thu hồi văn bản")) == NOTICES
    after = client.get(f"/admin/directives/{directive_id}", headers=heads["province"])
    assert "Văn bản đã được thu hồi ngày" in after.text and "Văn bản ghi sai ngày" in after.text


def test_a_draft_that_replaces_a_directive_tells_the_old_ones_units(console: Any, mailbox: SmtpSink) -> None:
    client, heads = console
    old_id = launched(client, heads["province"], SAMPLE_YAML.read_bytes())
    replacement = {**SAMPLE, "number": "260/KH-LĐLĐ", "replaces": SAMPLE["number"]}
    data = yaml.safe_dump(replacement, allow_unicode=True, sort_keys=False).encode()
    mailbox.handler.clear()
    new_id = launched(client, heads["province"], data, name="260.yaml")
    told = subjects(mailbox, "Thay thế văn bản")
    assert len(told) == NOTICES and all("260/KH-LĐLĐ" in s for s in told), told
    with session_scope() as session:
        old = session.get(Directive, old_id)
        assert old is not None and old.replaced_by_id == new_id and old.closed_at is not None
    notices = [m for m in mailbox.handler.messages if "260/KH-LĐLĐ" in m.subject and not m.subject.startswith("Thay")]
    assert len(notices) == NOTICES  # and the new one cascades
