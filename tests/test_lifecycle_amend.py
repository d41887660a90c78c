"""An amendment (đính chính) driven through a four-level cascade with real mail, clicks and Prefect runs: the old
version kept, one update notice per unit saying what changed in words, the later report deadline moving the
budgeted deadlines of every level below, the units asked to confirm the new version again and chased for it;
every email and reminder of the following days counted; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.links import confirm_receipt
from cascade.dev.smtp_sink import SmtpSink
from cascade.status.tree import find_directive
from flows.dispatch_pending import dispatch_pending
from flows.monitor import monitor_deadlines
from models import Directive, DirectiveTask, DirectiveVersion
from models.report import ReportCycle
from tests.lifecycle_helpers import TOP, artifact, at, flow_runs, four_levels, last_of, received_since, unit_link

pytestmark = pytest.mark.usefixtures("prefect_harness")
NEW_SUMMARY = "Đẩy mạnh tuyên truyền Nghị quyết Đại hội XIII của Đảng trong công nhân, viên chức, lao động"
NEW_BODY = "Thời gian tuyên truyền kéo dài đến hết tháng 01 năm 2022."
NEW_TASK = "Xây dựng và ban hành kế hoạch tuyên truyền Nghị quyết Đại hội XIII trước ngày 15/6/2021."


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def version_file(tmp_path: Path, plan: Path, name: str, **changes: Any) -> Path:
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    data.update(changes)
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def amend(*args: str) -> Any:
    return CliRunner().invoke(app, ["amend", *args])


def words(result: Any) -> str:
    return " ".join(result.output.split())


def status() -> dict[str, Any]:
    return json.loads(CliRunner().invoke(app, ["status", TOP, "--json"]).stdout)  # type: ignore[no-any-return]


def test_amend_through_four_levels(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = four_levels(mailbox, web, tmp_path)
    seen = len(mailbox.messages)
    monitor_deadlines(now=at(date(2021, 5, 24), 8))
    # the plan of 17/05 was to be acknowledged by 18/05 (VP_TU is two working days late: copied to the Party
    # committee), its pass-ons of 20/05 by 21/05
    assert received_since(mailbox, seen) == {
        "VP_TU": ["remind ack:parent"], "TU": ["digest"],
        "D_SH": ["remind ack:due"], "G_TD2": ["remind ack:due"], "G_GD1": ["remind ack:due"],
    }  # fmt: skip
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-24T10:00:00+07:00")  # Monday: the plan is corrected
    reset_settings()

    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    tasks = data["tasks"]
    tasks[0]["text"] = NEW_TASK
    new = version_file(tmp_path, plan, "31-KH-TU-v2.yaml", report_due="2022-01-14", summary=NEW_SUMMARY,
                       body=NEW_BODY, tasks=tasks)  # fmt: skip
    seen = len(mailbox.messages)
    # bad input: another number, another issuer, a recipient added, a deadline before today: nothing changes
    for args, said in (
        ([str(new), "--number", "32-KH/TU"], "the file's number 31-KH/TU differs from 32-KH/TU"),
        ([str(version_file(tmp_path, plan, "other.yaml", issuer="LDLD", recipients=[{"unit": "D_TD", "role": "act"}],
                           tasks=[]))], "31-KH/TU was issued by Tỉnh ủy Lai Châu, not by Liên đoàn Lao động tỉnh"),
        ([str(version_file(tmp_path, plan, "more.yaml", recipients=[*data["recipients"], {"unit": "D_SH",
                                                                                       "role": "act"}]))],
         "D_SH is not a recipient of 31-KH/TU: send it to more units with `cascade add-recipients`"),
        ([str(version_file(tmp_path, plan, "early.yaml", report_due="2021-05-21"))],
         "the report deadline of 31-KH/TU would move to 21/05/2021, before today (24/05/2021)"),
        ([str(version_file(tmp_path, plan, "same.yaml"))], "the file changes nothing in 31-KH/TU (version 1)"),
    ):  # fmt: skip
        result = amend(*args)
        assert result.exit_code == 2 and said in words(result), words(result)
    with session_scope() as session:
        assert session.exec(select(DirectiveVersion)).all() == []
        assert find_directive(session, TOP, "TU").version == 1
    assert len(mailbox.messages) == seen

    result = amend(str(new), "--reacknowledge")
    assert result.exit_code == 0, result.output
    assert "8 update notice(s) sent, 0 to retry" in words(result)
    holders = ["CDN_GD", "D_SH", "D_TD", "G_GD1", "G_TD1", "G_TD2", "LDLD", "VP_TU"]
    assert received_since(mailbox, seen) == {code: ["amend"] for code in holders}  # one each, nothing else

    federation = last_of(mailbox, "ldld@t.example", "amend")
    assert (
        federation.subject == f"Đính chính văn bản: Kế hoạch số {TOP} ngày 17/5/2021 của Tỉnh ủy Lai Châu (phiên bản 2)"
    )
    text = " ".join(federation.text().split())
    for line in (
        "Tỉnh ủy Lai Châu đính chính Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu. Văn bản đã đính "
        "chính là phiên bản 2",
        "- Trích yếu: «Đẩy mạnh công tác tuyên truyền sau Đại hội đại biểu toàn quốc lần thứ XIII của Đảng» sửa "
        f"thành «{NEW_SUMMARY}»",
        "- Hạn báo cáo kết quả: «31/12/2021» sửa thành «14/01/2022»",
        f"- Nội dung: thêm đoạn 1: «{NEW_BODY}»",
        # (the sample's task is a YAML flow mapping: its text stops at the first comma)
        f"- Nhiệm vụ 1: «Xây dựng kế hoạch tuyên truyền Nghị quyết Đại hội XIII trong công nhân» sửa thành "
        f"«{NEW_TASK}»",
        "Đề nghị đơn vị xác nhận đã nhận văn bản đã đính chính trước ngày 25/05/2021",
    ):
        assert line in text, line
    district = " ".join(last_of(mailbox, "td@t.example", "amend").text().split())
    assert ("- Hạn báo cáo kết quả của Công văn số 01/LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu: "
            "«28/12/2021» sửa thành «11/01/2022»") in district  # fmt: skip
    assert "Đơn vị không cần xác nhận lại" in district  # only the plan's own recipients confirm again
    grassroots = " ".join(last_of(mailbox, "g-td1@t.example", "amend").text().split())
    assert "01/LĐLĐ-TĐ ngày 20/5/2021 của LĐLĐ huyện Tam Đường: «23/12/2021» sửa thành «06/01/2022»" in grassroots

    # the deadlines of every level, the cycles the ladder counts from, the Công văn that quoted the old date
    units = {u["unit"]: u for u in status()["units"]}
    assert {c: (u["report_due"], u["edxml"]) for c, u in units.items()} == {
        "LDLD": ("2022-01-14", "01"), "VP_TU": (None, "01"), "D_TD": ("2022-01-11", "04"),
        "D_SH": ("2022-01-11", "01"), "CDN_GD": ("2022-01-11", "04"), "G_TD1": ("2022-01-06", "03"),
        "G_TD2": ("2022-01-06", "01"), "G_GD1": ("2022-01-06", "01"),
    }  # fmt: skip
    with session_scope() as session:
        top = find_directive(session, TOP, "TU")
        assert (top.version, top.summary, top.body, top.report_due) == (2, NEW_SUMMARY, NEW_BODY, date(2022, 1, 14))
        kept = session.exec(select(DirectiveVersion)).one()
        assert kept.version == 1 and kept.values["report_due"] == "2021-12-31" and kept.reacknowledge
        assert kept.values["summary"].startswith("Đẩy mạnh công tác tuyên truyền sau Đại hội")
        dues = {d.number: [c.due for c in session.exec(select(ReportCycle).where(ReportCycle.directive_id == d.id))]
                for d in session.exec(select(Directive)).all()}  # fmt: skip
        assert dues == {TOP: [date(2022, 1, 14)], "01/LĐLĐ": [date(2022, 1, 11)], "01/LĐLĐ-TĐ": [date(2022, 1, 6)],
                        "01/CĐN": [date(2022, 1, 6)]}  # fmt: skip
        cong_van = find_directive(session, "01/LĐLĐ", "LDLD")
        quoted = session.exec(select(DirectiveTask).where(DirectiveTask.directive_id == cong_van.id)).all()
        assert any("trước ngày 11/01/2022" in t.text for t in quoted)
        assert "28/12/2021" not in cong_van.body + " ".join(t.text for t in quoted)
        top_id = top.id

    # the run and its artifact
    assert [r.name for r in flow_runs("amend-directive", TOP)] == [f"Đính chính văn bản · {TOP} · Tỉnh ủy Lai Châu"]
    rows = artifact(f"directive-{top_id}-amend").data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    assert len(rows) == 8 and {r["Tình trạng"] for r in rows} == {"Đã gửi"}

    # Tuesday: the plan's recipients are chased for the new version, the units below for what they owed before
    seen = len(mailbox.messages)
    monitor_deadlines(now=at(date(2021, 5, 25), 8))
    assert received_since(mailbox, seen) == {
        "LDLD": ["digest", "remind ack:due"], "VP_TU": ["remind ack:due"],
        "D_SH": ["remind ack:parent"], "G_TD2": ["remind ack:parent"], "G_GD1": ["remind ack:parent"],
        "D_TD": ["digest"], "CDN_GD": ["digest"],
    }  # fmt: skip
    # the federation confirms the new version from its update notice: it goes back to "assigned" (04), and
    # nothing is passed on twice
    seen = len(mailbox.messages)
    with httpx.Client(timeout=30) as client:
        confirmed = confirm_receipt(client, unit_link(federation, web))
    assert confirmed.status_code == 200 and "đã xác nhận" in confirmed.text
    assert dispatch_pending()["directives"] == 0 and len(mailbox.messages) == seen
    units = {u["unit"]: u for u in status()["units"]}
    assert (units["LDLD"]["status"], units["LDLD"]["edxml"], units["VP_TU"]["edxml"]) == ("assigned", "04", "01")
    monitor_deadlines(now=at(date(2021, 5, 26), 8))
    assert received_since(mailbox, seen) == {}
    monitor_deadlines(now=at(date(2021, 5, 27), 8))
    assert received_since(mailbox, seen) == {"VP_TU": ["remind ack:parent"], "TU": ["digest"]}

    # the same file again changes nothing
    seen = len(mailbox.messages)
    again = amend(str(new))
    assert again.exit_code == 2 and "the file changes nothing in 31-KH/TU (version 2)" in words(again)
    assert len(mailbox.messages) == seen
