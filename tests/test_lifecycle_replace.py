"""A replacement (thay thế) driven through a four-level cascade with real mail, clicks and Prefect runs: launching a
directive file that says `replaces:` closes the old plan and the Công văn issued under it, tells each unit holding
any of them once what replaced it, and cascades the new one with no acknowledgement carried over; the reminders of
the following days are only the new one's; bad input changes nothing."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.links import confirm_receipt, forms_in
from cascade.dev.smtp_sink import SmtpSink
from flows.dispatch_pending import dispatch_pending
from flows.monitor import monitor_deadlines
from models import Directive
from tests.cascade_helpers import directive_file, numbers_by_unit
from tests.lifecycle_helpers import TOP, artifact, at, flow_runs, four_levels, last_of, received_since, unit_link

pytestmark = pytest.mark.usefixtures("prefect_harness")
NEW = "40-KH/TU"
NEW_SUMMARY = "Tuyên truyền Nghị quyết Đại hội XIII của Đảng trong công nhân, viên chức, lao động (thay thế)"


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def launch(path: Path) -> Any:
    return CliRunner().invoke(app, ["launch", str(path)])


def status(number: str) -> dict[str, Any]:
    return json.loads(CliRunner().invoke(app, ["status", number, "--json"]).stdout)  # type: ignore[no-any-return]


def test_replace_through_four_levels(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    four_levels(mailbox, web, tmp_path)
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-21T10:00:00+07:00")  # Friday: a new plan replaces it
    reset_settings()
    seen = len(mailbox.messages)
    (tmp_path / "bad").mkdir()
    wrong = directive_file(tmp_path / "bad", number="41-KH/TU", replaces="99-KH/TU", issued_on="2021-05-21")
    result = launch(wrong)
    assert result.exit_code == 2 and "no directive numbered '99-KH/TU' from Tỉnh ủy Lai Châu" in result.output
    with session_scope() as session:
        assert session.exec(select(Directive).where(Directive.number == "41-KH/TU")).first() is None
        assert session.exec(select(Directive).where(Directive.number == TOP)).one().closed_at is None
    assert len(mailbox.messages) == seen

    (tmp_path / "new").mkdir()
    new = directive_file(tmp_path / "new", number=NEW, replaces=TOP, issued_on="2021-05-21", summary=NEW_SUMMARY)
    result = launch(new)
    assert result.exit_code == 0, result.output
    assert f"{TOP} replaced: 8 unit(s) told what replaced it" in " ".join(result.output.split())
    holders = ["CDN_GD", "D_SH", "D_TD", "G_GD1", "G_TD1", "G_TD2", "LDLD", "VP_TU"]
    assert received_since(mailbox, seen) == {
        **{code: ["replaced"] for code in holders}, "LDLD": ["notice", "replaced"], "VP_TU": ["notice", "replaced"],
    }  # fmt: skip
    told = last_of(mailbox, "g-td2@t.example", "replaced")
    assert told.subject == (f"Thay thế văn bản: Kế hoạch số {TOP} ngày 17/5/2021 của Tỉnh ủy Lai Châu được thay thế "
                            f"bằng Kế hoạch số {NEW} ngày 21/5/2021 của Tỉnh ủy Lai Châu")  # fmt: skip
    text = " ".join(told.text().split())
    assert "Công văn số 01/LĐLĐ-TĐ ngày 20/5/2021 của LĐLĐ huyện Tam Đường" in text and "cũng hết hiệu lực" in text
    assert "theo văn bản triển khai của cấp trên trực tiếp" in text  # it is not a recipient of the new plan
    assert "Việc xác nhận văn bản cũ không được tính cho văn bản mới" in last_of(mailbox, "ldld@t.example",
                                                                              "replaced").text()  # fmt: skip

    old_status, new_status = status(TOP), status(NEW)
    assert old_status["replaced_by"] == NEW and old_status["closed_at"] and old_status["recalled_at"] is None
    # nothing carried over: the federation confirmed the old plan, it has the new one to confirm
    assert {u["unit"]: u["edxml"] for u in new_status["units"]} == {"LDLD": "01", "VP_TU": "01"}

    # the old links say what replaced it and accept nothing
    old_notice = last_of(mailbox, "g-td2@t.example", "notice")
    with httpx.Client(timeout=30) as client:
        page = client.get(unit_link(old_notice, web))
        assert page.status_code == 200 and "Văn bản đã được thay thế" in page.text and NEW in page.text
        assert forms_in(page.text) == []  # no answer is asked for a replaced document
        # a valid form token of this visitor (from the new plan's page): the old link still accepts nothing
        new_link = unit_link(last_of(mailbox, "ldld@t.example", "notice"), web)
        token = forms_in(client.get(new_link).text)[0]["fields"]["csrf_token"]  # type: ignore[index]
        refused = client.post(unit_link(old_notice, web) + "/ack", data={"csrf_token": token})
        assert refused.status_code == 410 and "không được ghi nhận" in refused.text
        assert confirm_receipt(client, new_link).status_code == 200
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert {c: got[c][-1] for c in ("D_TD", "D_SH", "CDN_GD")} == dict.fromkeys(("D_TD", "D_SH", "CDN_GD"), "02/LĐLĐ")

    # the reminders of the next days are the new plan's and its Công văn's only
    seen = len(mailbox.messages)
    monitor_deadlines(now=at(date(2021, 5, 24), 8))
    chased = ["D_SH", "D_TD", "CDN_GD", "VP_TU"]
    assert received_since(mailbox, seen) == {code: ["remind ack:due"] for code in chased}
    subjects = " ".join(m.subject for m in mailbox.messages[seen:])
    assert re.findall(r"số (\S+)", subjects) and set(re.findall(r"số (\S+)", subjects)) <= {NEW, "02/LĐLĐ"}
    seen = len(mailbox.messages)
    monitor_deadlines(now=at(date(2021, 5, 26), 8))
    assert received_since(mailbox, seen) == {
        **{code: ["remind ack:parent"] for code in chased}, "TU": ["digest"], "LDLD": ["digest"],
    }  # fmt: skip

    # the runs: the replacement with its artifact, and the new plan's own cascade
    with session_scope() as session:
        new_id = session.exec(select(Directive.id).where(Directive.number == NEW)).one()
    assert [r.name for r in flow_runs("replace-directive", NEW)] == [f"Thay thế văn bản · {NEW} · Tỉnh ủy Lai Châu"]
    assert any(r.name.startswith(NEW) for r in flow_runs("cascade-directive", NEW))
    rows = artifact(f"directive-{new_id}-replace").data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    assert len(rows) == 8 and {r["Tình trạng"] for r in rows} == {"Đã gửi"}

    # replaced once: replacing it again is an error that changes nothing
    seen = len(mailbox.messages)
    (tmp_path / "again").mkdir()
    again = directive_file(tmp_path / "again", number="41-KH/TU", replaces=TOP, issued_on="2021-05-21")
    result = launch(again)
    assert result.exit_code == 2 and f"{TOP} was replaced by {NEW}" in " ".join(result.output.split())
    assert len(mailbox.messages) == seen
