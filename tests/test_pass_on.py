"""The directive travels down every level: real emails, real clicks, real Prefect runs at each level."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.smtp_sink import SmtpSink
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from tests.cascade_helpers import click, directive_file, import_tree, mail_by_unit, numbers_by_unit, status_units

pytestmark = pytest.mark.usefixtures("prefect_harness")
CAL = WorkCalendar()


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The units answer on Thursday 20 May 2021, three days after the Party committee's plan.
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def test_four_levels_with_districts(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))
    assert numbers_by_unit(mailbox) == {"LDLD": ["31-KH/TU"], "VP_TU": ["31-KH/TU"]}

    click(mailbox, web, "LDLD")  # the provincial federation confirms: its Công văn is issued at once (forward)
    assert status_units("31-KH/TU")["LDLD"]["edxml"] == "03"
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    # departments of the federation are not units under it: nothing goes to TGNC
    assert {code: got.get(code) for code in ("D_TD", "D_SH", "CDN_GD", "TGNC")} == {
        "D_TD": ["01/LĐLĐ"], "D_SH": ["01/LĐLĐ"], "CDN_GD": ["01/LĐLĐ"], "TGNC": None,
    }  # fmt: skip
    level2 = " ".join(mail_by_unit(mailbox)["D_TD"][0].text().split())
    province_due = CAL.add_working_days(date(2021, 12, 31), -3)  # Tuesday 28/12/2021
    assert province_due == date(2021, 12, 28)
    assert (
        "Thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu, Liên đoàn Lao động tỉnh Lai Châu đề "
        "nghị các đơn vị trực thuộc triển khai thực hiện các nội dung sau:" in level2
    )
    assert "Hạn xác nhận đã nhận văn bản: 21/05/2021" in level2 and "Hạn báo cáo kết quả: 28/12/2021" in level2

    click(mailbox, web, "D_TD")
    click(mailbox, web, "CDN_GD")  # D_SH never answers: its grassroots unit hears nothing
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert got["G_TD1"] == got["G_TD2"] == ["01/LĐLĐ-TĐ"] and got["G_GD1"] == ["01/CĐN"]
    assert "G_SH1" not in got
    level3 = " ".join(mail_by_unit(mailbox)["G_TD1"][0].text().split())
    district_due = CAL.add_working_days(province_due, -3)  # Thursday 23/12/2021
    # the district's Công văn names the federation's Công văn it carries out, and the plan both carry out
    assert (
        "Thực hiện Công văn số 01/LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu về việc triển khai thực "
        "hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu, LĐLĐ huyện Tam Đường đề nghị" in level3
    )
    assert "V/v triển khai thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021 của Tỉnh ủy Lai Châu" in level3
    assert "Tam Đường, ngày 20 tháng 5 năm 2021" in level3 and "Tẩn Thị Mai" in level3
    assert f"Hạn báo cáo kết quả: {district_due:%d/%m/%Y}" in level3
    assert "Tổ chức sinh hoạt chuyên đề giới thiệu Nghị quyết Đại hội XIII" in level3  # the task for grassroots

    click(mailbox, web, "G_TD1")
    # exactly one notice per unit reached, and nobody else got anything
    assert {code: len(messages) for code, messages in mail_by_unit(mailbox).items()} == {
        "LDLD": 1, "VP_TU": 1, "D_TD": 1, "D_SH": 1, "CDN_GD": 1, "G_TD1": 1, "G_TD2": 1, "G_GD1": 1,
    }  # fmt: skip
    tree = status_units("31-KH/TU")
    assert {c: (u["level"], u["edxml"], u["implementing_directive"], u["report_due"]) for c, u in tree.items()} == {
        "LDLD": (1, "04", "01/LĐLĐ", "2021-12-31"),
        "VP_TU": (1, "01", None, None),
        "D_TD": (2, "04", "01/LĐLĐ-TĐ", "2021-12-28"),
        "D_SH": (2, "01", None, "2021-12-28"),
        "CDN_GD": (2, "04", "01/CĐN", "2021-12-28"),
        "G_TD1": (3, "03", None, "2021-12-23"),
        "G_TD2": (3, "01", None, "2021-12-23"),
        "G_GD1": (3, "01", None, "2021-12-23"),
    }
    # subtasks: one tracked item per task addressed to the unit
    assert [t["status"] for t in tree["LDLD"]["tasks"]] == ["open"]
    assert [t["text"][:20] for t in tree["G_TD1"]["tasks"]] == ["Tổ chức sinh hoạt ch", "Triển khai thực hiện"]


def test_three_levels_without_districts(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    import_tree("tree-2025-three-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path, recipients=[{"unit": "LDLD", "role": "act"}])))
    click(mailbox, web, "LDLD")
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert got == {"LDLD": ["31-KH/TU"], "G_BG": ["01/LĐLĐ"], "G_TU": ["01/LĐLĐ"]}
    text = mail_by_unit(mailbox)["G_BG"][0].text()
    assert (
        "Hạn báo cáo kết quả: 28/12/2021" in text and "triển khai thực hiện Kế hoạch số 31-KH/TU ngày 17/5/2021" in text
    )
    click(mailbox, web, "G_TU")
    tree = status_units("31-KH/TU")
    assert {c: (u["level"], u["edxml"]) for c, u in tree.items()} == {
        "LDLD": (1, "04"), "G_BG": (2, "01"), "G_TU": (2, "03"),
    }  # fmt: skip
