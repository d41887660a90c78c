"""More recipients (bổ sung nơi nhận) for a directive already out, with real mail and a real Prefect run: the
units added get the directive's notice with their role, their task and deadlines counted from the day they
receive it, and are chased from those dates; the run's artifact lists what was sent; bad input changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.status.tree import find_directive
from flows.cascade_directive import cascade_directive
from flows.monitor import monitor_deadlines
from tests.cascade_helpers import directive_file, import_tree
from tests.lifecycle_helpers import TOP, artifact, at, flow_runs, last_of, received_since

pytestmark = pytest.mark.usefixtures("prefect_harness")
TASK = "Phối hợp tuyên truyền Nghị quyết trong các trường học."


def added(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def add(*args: str) -> Any:
    return CliRunner().invoke(app, ["add-recipients", *args])


def test_add_recipients(settings: Settings, mailbox: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-17T09:00:00+07:00")
    reset_settings()
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-24T10:00:00+07:00")  # a week later: two more units
    reset_settings()
    seen = len(mailbox.messages)
    more = added(tmp_path, "more.yaml", {
        "recipients": [{"unit": "CDN_GD", "role": "coordinate"}, {"unit": "TGNC", "role": "info"}],
        "tasks": [{"to": ["CDN_GD"], "text": TASK}],
    })  # fmt: skip
    for args, said in (
        ([TOP, str(added(tmp_path, "again.yaml", {"recipients": [{"unit": "LDLD", "role": "act"}]}))],
         "Liên đoàn Lao động tỉnh Lai Châu (LDLD) is a recipient of 31-KH/TU already"),
        ([TOP, str(added(tmp_path, "nobody.yaml", {"recipients": [{"unit": "NOPE", "role": "act"}]}))],
         "unknown unit 'NOPE'"),
        ([TOP, str(added(tmp_path, "kinds.yaml", {"recipients": [{"unit": "D_SH", "role": "act"}],
                                                 "tasks": [{"to_kinds": ["grassroots_union"], "text": "x"}]}))],
         "a task added with recipients names units added with it"),
        (["01/LĐLĐ", str(more)], "no directive numbered '01/LĐLĐ' from Tỉnh ủy Lai Châu"),
    ):  # fmt: skip
        result = add(*args, "--issuer", "TU")
        assert result.exit_code == 2 and said in " ".join(result.output.split()), result.output
    assert len(mailbox.messages) == seen

    result = add(TOP, str(more), "--issuer", "TU")
    assert result.exit_code == 0, result.output
    assert "2 unit(s) added, 2 email(s) sent" in result.output
    assert received_since(mailbox, seen) == {"CDN_GD": ["notice"], "TGNC": ["notice"]}
    notice = " ".join(last_of(mailbox, "gd@t.example", "notice").text().split())
    assert "Văn bản gửi Công đoàn ngành Giáo dục để phối hợp thực hiện" in notice and TASK in notice
    # deadlines from the day it arrives (Monday 24/05), not from the plan's date (17/05)
    assert "Hạn xác nhận đã nhận văn bản: 25/05/2021" in notice and "Hạn báo cáo kết quả: 31/12/2021" in notice
    units = {u["unit"]: u for u in json.loads(CliRunner().invoke(app, ["status", TOP, "--json"]).stdout)["units"]}
    assert {c: (u["role"], u["ack_due"], u["report_due"]) for c, u in units.items() if c in ("CDN_GD", "TGNC")} == {
        "CDN_GD": ("coordinate", "2021-05-25", "2021-12-31"), "TGNC": ("info", "2021-05-25", None),
    }  # fmt: skip
    assert [t["text"] for t in units["CDN_GD"]["tasks"]] == [TASK]

    with session_scope() as session:
        directive_id = find_directive(session, TOP, "TU").id
    rows = artifact(f"directive-{directive_id}-add-recipients").data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    assert sorted(r["Đơn vị"] for r in rows) == ["Ban Tuyên giáo - Nữ công", "Công đoàn ngành Giáo dục"]
    assert [r.name for r in flow_runs("add-recipients", TOP)] == [f"Bổ sung nơi nhận · {TOP} · Tỉnh ủy Lai Châu"]

    # chased from their own dates: due on Tuesday 25/05, while the first recipients, due on 18/05 and silent
    # since, reach the last step (the escalation to the issuer, as no follow-up officer is named)
    seen = len(mailbox.messages)
    monitor_deadlines(now=at(date(2021, 5, 25), 8))
    assert received_since(mailbox, seen) == {
        "CDN_GD": ["remind ack:due"], "TGNC": ["remind ack:due"], "TU": ["escalation"],
    }  # fmt: skip
