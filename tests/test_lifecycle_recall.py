"""A recall (thu hồi) driven through a four-level cascade with real mail, clicks and Prefect runs: one recall notice
per unit that holds the plan or a pass-on of it, unsent mail cancelled (never mail already handed to the server),
no reminder afterwards, the links showing the recall and accepting only the unit's answer (15 / 16), the answers in
the status and the export, the run's artifact read back from Prefect; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.chasing.ladder import take_steps
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.core.workdays import work_calendar
from cascade.dev.links import confirm_receipt, forms_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.status.export import to_csv
from cascade.status.tree import find_directive, tree_rows
from flows.dispatch_pending import dispatch_pending
from flows.monitor import monitor_deadlines, parse_now
from models import Acknowledgement, Assignment, AuditLog, MailStatus, OutboxMessage, Status, Unit
from tests.lifecycle_helpers import (
    TOP,
    artifact,
    at,
    flow_runs,
    four_levels,
    last_of,
    post_form,
    received_since,
    report_link,
    unit_link,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")
REASON = "Văn bản ban hành chưa đúng thẩm quyền; sẽ ban hành văn bản khác thay thế."


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def recall(*args: str) -> object:
    return CliRunner().invoke(app, ["recall", *args])


def audit_count(event: str) -> int:
    with session_scope() as session:
        return len(session.exec(select(AuditLog).where(AuditLog.event == event)).all())


def test_recall_through_four_levels(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    four_levels(mailbox, web, tmp_path)
    # Monday 24/05 08:00: the ladder queues the acknowledgement reminders owed since Friday, and they are not sent
    # yet when the plan is recalled; one of them is already being handed to the mail server.
    with session_scope() as session:
        steps = take_steps(session, get_settings(), parse_now(at(date(2021, 5, 24), 8)), work_calendar())
        assert sorted(s["unit"] for s in steps) == ["D_SH", "G_GD1", "G_TD2", "VP_TU"]
        queued = session.exec(select(OutboxMessage).where(col(OutboxMessage.key).startswith("remind:"))).all()
        assert len(queued) == 4 and {m.status for m in queued} == {MailStatus.pending}
        # and the digest to the Party committee of its own unit's step (VP_TU's acknowledgement was due 18/05)
        digest = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).one()
        assert digest.to_addr == "tu@t.example" and digest.status == MailStatus.pending
        handed = next(m for m in queued if m.to_addr == "vp@t.example")
        handed.status = MailStatus.sending
        session.add(handed)
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-24T10:00:00+07:00")
    reset_settings()
    before, seen = audit_count("directive_recalled"), len(mailbox.messages)

    # bad input: another unit's directive, one that does not exist, no reason: errors, nothing changes
    for args, words in (
        ([TOP, "--issuer", "LDLD", "--reason", REASON], f"{TOP} was issued by Tỉnh ủy Lai Châu, not by"),
        (["99-KH/TU", "--issuer", "TU", "--reason", REASON], "no directive numbered '99-KH/TU'"),
        ([TOP, "--issuer", "TU", "--reason", "  "], "give the reason of the recall"),
        ([TOP, "--issuer", "NOPE", "--reason", REASON], "unknown unit 'NOPE'"),
    ):
        result = recall(*args)
        assert result.exit_code == 2 and words in " ".join(result.output.split()), result.output  # type: ignore[attr-defined]
    assert audit_count("directive_recalled") == before == 0 and len(mailbox.messages) == seen

    result = recall(TOP, "--issuer", "TU", "--reason", REASON)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    said = " ".join(result.output.split())  # type: ignore[attr-defined]
    assert "8 recall notice(s) sent, 0 to retry, 4 unsent message(s) cancelled" in said
    # one recall notice per unit holding the plan or a pass-on of it, and nothing else
    holders = ["CDN_GD", "D_SH", "D_TD", "G_GD1", "G_TD1", "G_TD2", "LDLD", "VP_TU"]
    assert received_since(mailbox, seen) == {code: ["recall"] for code in holders}
    with session_scope() as session:
        reminders = {m.to_addr: m.status for m in session.exec(select(OutboxMessage).where(
            col(OutboxMessage.key).startswith("remind:"))).all()}  # fmt: skip
        digest = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).one()
    assert digest.status == MailStatus.cancelled  # it told only of a unit of the recalled plan
    assert reminders == {"vp@t.example": MailStatus.sending, "sh@t.example": MailStatus.cancelled,
                         "g-td2@t.example": MailStatus.cancelled, "g-gd1@t.example": MailStatus.cancelled}  # fmt: skip

    grassroots = last_of(mailbox, "g-td1@t.example", "recall")
    assert grassroots.subject == f"Thu hồi văn bản: Kế hoạch số {TOP} ngày 17/5/2021 của Tỉnh ủy Lai Châu"
    text = " ".join(grassroots.text().split())
    assert (
        f"Tỉnh ủy Lai Châu thu hồi Kế hoạch số {TOP} ngày 17/5/2021 của Tỉnh ủy Lai Châu (văn bản được triển khai"
        in text
    )
    assert f"Lý do thu hồi: {REASON}" in text
    assert "Công văn số 01/LĐLĐ-TĐ ngày 20/5/2021 của LĐLĐ huyện Tam Đường" in text and "01/LĐLĐ " not in text
    district = " ".join(last_of(mailbox, "td@t.example", "recall").text().split())
    assert "Công văn số 01/LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu" in district
    assert "01/LĐLĐ-TĐ" not in district  # its own pass-on is the district's document, not one it received

    # the Prefect run and its artifact of what was sent
    runs = flow_runs("recall-directive", TOP)
    assert [r.name for r in runs] == [f"Thu hồi văn bản · {TOP} · Tỉnh ủy Lai Châu"]
    with session_scope() as session:
        top = find_directive(session, TOP, "TU")
        top_id = top.id
        assert top.recalled_at is not None and top.recall_reason == REASON
    table = artifact(f"directive-{top_id}-recall").data
    rows = json.loads(table) if isinstance(table, str) else table
    assert len(rows) == 8 and {r["Tình trạng"] for r in rows} == {"Đã gửi"}
    assert "LĐLĐ huyện Sìn Hồ" in {r["Đơn vị"] for r in rows} and "Tỉnh ủy Lai Châu" not in {r["Đơn vị"] for r in rows}
    assert "Thư chưa gửi đã hủy: **4**" in artifact(f"directive-{top_id}-recall-summary").data

    # no reminder, digest or escalation for it afterwards, whatever the day
    seen = len(mailbox.messages)
    for day in (date(2021, 5, 25), date(2021, 5, 28), date(2021, 6, 1), date(2021, 12, 29)):
        totals = monitor_deadlines(now=at(day, 8))
        assert totals["steps"] == 0 and totals["consolidated"] == 0 and totals["sent"] == 0, (day, totals)
    assert dispatch_pending()["directives"] == 0
    assert len(mailbox.messages) == seen

    # the old links show the recall and accept nothing
    notice = last_of(mailbox, "g-td2@t.example", "notice")
    with httpx.Client(timeout=30) as client:
        page = client.get(unit_link(notice, web))
        assert page.status_code == 200 and "Văn bản đã bị thu hồi" in page.text and REASON in page.text
        token = forms_in(page.text)[0]["fields"]["csrf_token"]  # type: ignore[index]
        refused = client.post(unit_link(notice, web) + "/ack", data={"csrf_token": token})
        assert refused.status_code == 410 and "không được ghi nhận" in refused.text
        report_page = client.get(report_link(last_of(mailbox, "sh@t.example", "notice"), web))
        assert report_page.status_code == 200 and "Văn bản đã bị thu hồi" in report_page.text
        original = client.get(unit_link(notice, web) + "/original")  # the recall page, never the document
        assert original.status_code == 200 and "Văn bản đã bị thu hồi" in original.text
    with session_scope() as session:
        g_td2 = session.exec(select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id))
                             .where(Unit.code == "G_TD2")).one()  # fmt: skip
        assert g_td2.status == Status.arrived
        assert session.exec(select(Acknowledgement).where(Acknowledgement.assignment_id == g_td2.id)).first() is None

    # the units answer from the recall notice's link: a POST, one button each
    with httpx.Client(timeout=30) as client:
        agreed = confirm_receipt(client, unit_link(grassroots, web))  # the first form: "Đồng ý thu hồi"
        assert agreed.status_code == 200 and "đã đồng ý thu hồi" in agreed.text
        again = post_form(client, unit_link(grassroots, web), index=0) if "<form" in client.get(
            unit_link(grassroots, web)).text else None  # fmt: skip
        assert again is None  # answered: no buttons any more
        sh_link = unit_link(last_of(mailbox, "sh@t.example", "recall"), web)
        assert post_form(client, sh_link, index=1, reason="").status_code == 422
        answer = post_form(client, sh_link, index=1, reason="Đơn vị đã tổ chức triển khai, đề nghị giữ văn bản.")
        assert answer.status_code == 200 and "không đồng ý thu hồi" in answer.text
    units = {u["unit"]: u for u in json.loads(CliRunner().invoke(app, ["status", TOP, "--json"]).stdout)["units"]}
    assert {c: (u["edxml"], u["recall"]) for c, u in units.items()} == {
        "LDLD": ("13", "requested"), "VP_TU": ("13", "requested"), "D_TD": ("13", "requested"),
        "D_SH": ("16", "refused"), "CDN_GD": ("13", "requested"), "G_TD1": ("15", "agreed"),
        "G_TD2": ("13", "requested"), "G_GD1": ("13", "requested"),
    }  # fmt: skip
    assert units["D_SH"]["recall_refusal"] == "Đơn vị đã tổ chức triển khai, đề nghị giữ văn bản."
    assert units["G_TD1"]["status_label"] == "Đã thu hồi · Đồng ý thu hồi"
    with session_scope() as session:
        csv = to_csv(tree_rows(session, top_id or 0)).decode("utf-8-sig")
    assert "Đã thu hồi · Không đồng ý thu hồi" in csv and "Đơn vị đã tổ chức triển khai" in csv

    # recalled once: again, or a pass-on recalled with it, is an error that changes nothing
    seen, recalled = len(mailbox.messages), audit_count("directive_recalled")
    assert recalled == 4  # the plan and the three Công văn issued under it
    for args in ([TOP, "--issuer", "TU"], ["01/LĐLĐ", "--issuer", "LDLD"]):
        result = recall(*args, "--reason", REASON)
        assert result.exit_code == 2 and "already recalled" in result.output  # type: ignore[attr-defined]
    amended = CliRunner().invoke(app, ["amend", str(tmp_path / "31-KH-TU.yaml")])
    assert amended.exit_code == 2 and "already recalled" in amended.output
    assert audit_count("directive_recalled") == recalled and len(mailbox.messages) == seen
    assert (audit_count("recall_agreed"), audit_count("recall_refused")) == (1, 1)
