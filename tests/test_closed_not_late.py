"""Nothing of a recalled or replaced directive is late any more: after a recall of one Công văn under a plan still
in force, or a replacement of the plan, `cascade status` marks no unit of it "QUÁ HẠN", its rows say 0 working days
late, the supervisor view's late list and its figures leave them out, and the console's list of directives marks the
closed one. The units of the directives in force beside it stay late. Real HTTP, real mail, real SQLite."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.status.tree import find_directive
from models import UserRole
from tests.accounts_helpers import add_account, bearer
from tests.cascade_helpers import directive_file
from tests.lifecycle_helpers import TOP, four_levels

pytestmark = pytest.mark.usefixtures("prefect_harness")
REASON = "Công văn ban hành chưa đúng thẩm quyền."
UNDER_PASS_ON = {"D_TD", "D_SH", "CDN_GD", "G_TD1", "G_TD2", "G_GD1"}  # hold 01/LĐLĐ or what was issued under it


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def later(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", moment)
    reset_settings()


def late_codes() -> dict[str, int]:
    """The units of the plan's tree that `cascade status --json` says are late to acknowledge, and by how much."""
    result = CliRunner().invoke(app, ["status", TOP, "--json"])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["days_late"] for u in json.loads(result.stdout)["units"] if u["days_late"]}


def overdue_listed(client: httpx.Client, directive_id: int) -> set[str]:
    page = client.get(f"/admin/directives/{directive_id}", params={"status": "overdue"}).text
    return set(re.findall(r'<tr data-unit="([^"]+)">', page))


def listed(client: httpx.Client) -> dict[str, str]:
    """The console's list of directives: each number with the text of its row."""
    rows = re.findall(
        r"<tr><td><a href=\"/admin/directives/\d+\">([^<]+)</a>(.*?)</tr>", client.get("/admin").text, re.S
    )
    return {number: " ".join(re.sub(r"<[^>]+>", " ", rest).split()) for number, rest in rows}


def top_id() -> int:
    with session_scope() as session:
        return find_directive(session, TOP, "TU").id or 0


def test_a_recalled_pass_on_is_late_nowhere_while_the_plan_above_it_still_is(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    four_levels(mailbox, web, tmp_path)
    later(monkeypatch, "2021-06-01T10:00:00+07:00")
    before = late_codes()
    assert {"VP_TU", "D_SH", "G_TD2", "G_GD1"} <= set(before)  # never confirmed, due long ago
    result = CliRunner().invoke(app, ["recall", "01/LĐLĐ", "--issuer", "LDLD", "--reason", REASON])
    assert result.exit_code == 0, result.output

    after = late_codes()
    assert set(after) == set(before) - UNDER_PASS_ON and "VP_TU" in after  # the plan's own unit: still late
    printed = CliRunner().invoke(app, ["status", TOP])
    lines = [line for line in printed.output.splitlines() if "Đã thu hồi" in line]
    assert len(lines) == len(UNDER_PASS_ON) and not [line for line in lines if "QUÁ HẠN" in line]
    assert [line for line in printed.output.splitlines() if "QUÁ HẠN" in line and "Văn phòng" in line]

    admin = add_account("vanphong@tu.example", UserRole.admin, "TU")
    with httpx.Client(base_url=web, timeout=30, headers=bearer(admin)) as client:
        assert overdue_listed(client, top_id()) == set(after)
        rows = listed(client)
    assert "Đã thu hồi lúc" in rows["01/LĐLĐ"] and "Đã thu hồi lúc" in rows["01/LĐLĐ-TĐ"]
    assert "thu hồi" not in rows[TOP] and "hiệu lực" not in rows[TOP]


def test_a_replaced_plan_is_late_nowhere(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    four_levels(mailbox, web, tmp_path)
    later(monkeypatch, "2021-06-01T10:00:00+07:00")
    assert late_codes()
    (tmp_path / "new").mkdir()
    # a number of its own: the session's Prefect server keeps every test's runs, and the replacement tests count
    # the runs of theirs by number (tests/lifecycle_helpers.py flow_runs)
    new = directive_file(tmp_path / "new", number="47-KH/TU", replaces=TOP, issued_on="2021-06-01")
    result: Any = CliRunner().invoke(app, ["launch", str(new)])
    assert result.exit_code == 0, result.output

    assert late_codes() == {}
    printed = CliRunner().invoke(app, ["status", TOP])
    assert printed.exit_code == 0, printed.output
    assert (
        printed.output.startswith(f"{TOP} — ") and "LĐLĐ huyện Sìn Hồ" in printed.output
    )  # the tree, late units in it
    assert "QUÁ HẠN" not in printed.output
    admin = add_account("vanphong@tu.example", UserRole.admin, "TU")
    with httpx.Client(base_url=web, timeout=30, headers=bearer(admin)) as client:
        assert overdue_listed(client, top_id()) == set()
        rows = listed(client)
    assert "Không còn hiệu lực (đã bị thay thế)" in rows[TOP] and "hiệu lực" not in rows["47-KH/TU"]
