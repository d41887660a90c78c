"""Passing the seed plan on is an honest document: a district's Công văn numbered from its own register (set with
the real CLI), signed by its signer, from its own place; and a district with no signer holds its pass-on, is
reminded by the monitor, and completes number and signer on its page before anything goes down. Real emails
(the SMTP sink), real clicks (HTTP to the served app), real Prefect runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.links import forms_in, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.replies.acknowledge import acknowledge
from cascade.replies.passon import issue_implementing_directive
from cascade.replies.passon_draft import Draft
from cascade.replies.signer import MissingSigner, Signer
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from models import Assignment, AuditLog, Directive, Unit
from tests.cascade_helpers import assignment_id_of, click, mail_by_unit, numbers_by_unit, status_units, store_sample
from tests.conftest import SAMPLE_DIRECTIVE, SAMPLE_ORG

pytestmark = pytest.mark.usefixtures("prefect_harness")
CAL = WorkCalendar()
TAM_DUONG_UNITS = ("LDLD_TD_CS1", "LDLD_TD_CS2", "LDLD_TD_CS3")
PLAN = "Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 của Liên đoàn Lao động tỉnh Lai Châu"
# The district's report is due 15/12/2021; its units' three working days before: Friday 10/12/2021.
UNITS_DUE = CAL.add_working_days(date(2021, 12, 15), -3)


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")  # the plan's own day


def cli(*args: str) -> str:
    """A real `cascade` command; its output with rich's line wrapping undone."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def launch_seed(tree: Path = SAMPLE_ORG) -> None:
    cli("org", "import", str(tree))
    cli("register", "set", "--issuer", "LDLD_TD", "--year", "2021", "--next", "41")
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))


def issued_by(code: str) -> list[Directive]:
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).one()
        return list(session.exec(select(Directive).where(Directive.issuer_id == unit.id)).all())


def test_a_district_passes_the_plan_on_as_a_cong_van_of_its_own_register(
    settings: Settings, mailbox: SmtpSink, web: str
) -> None:
    assert UNITS_DUE == date(2021, 12, 10)
    launch_seed()
    click(mailbox, web, "LDLD_TD")
    click(mailbox, web, "LDLD_PT")  # Phong Thổ's symbol is "LĐLĐ" too, its register its own
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert [got.get(code) for code in TAM_DUONG_UNITS] == [["41/LĐLĐ"]] * 3
    assert got["LDLD_PT_CS1"] == ["01/LĐLĐ"]
    message = mail_by_unit(mailbox)["LDLD_TD_CS1"][0]
    assert message.subject.startswith("Công văn số 41/LĐLĐ của Liên đoàn Lao động huyện Tam Đường")
    assert "/CV-" not in message.subject and f"triển khai thực hiện {PLAN}" in message.subject
    text = message.text()
    flat = " ".join(text.split())
    assert "Tam Đường, ngày 20 tháng 5 năm 2021" in flat  # the district's own place, not the province's
    assert "TM. BAN THƯỜNG VỤ" in text and "CHỦ TỊCH" in text and "Tẩn Thị Mai" in text
    opening = f"Thực hiện {PLAN}, Liên đoàn Lao động huyện Tam Đường đề nghị các đơn vị trực thuộc triển khai"
    assert opening in flat
    standard = (
        "Triển khai thực hiện các nội dung của Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021 phù hợp với tình hình thực "
        "tế của đơn vị; báo cáo kết quả về Liên đoàn Lao động huyện Tam Đường trước ngày 10/12/2021."
    )
    assert standard in flat
    [own] = issued_by("LDLD_TD")
    assert (own.number, own.doc_type, own.place, own.year) == ("41/LĐLĐ", "CÔNG VĂN", "Tam Đường", 2021)
    assert (own.signer_on_behalf, own.signer_title, own.signer_name) == ("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", "Tẩn Thị Mai")
    assert own.summary == f"triển khai thực hiện {PLAN}"  # the layout writes "V/v" before it
    assert own.body.startswith(opening) and own.body.endswith(standard)
    [phong_tho] = issued_by("LDLD_PT")
    assert (phong_tho.number, phong_tho.place, phong_tho.signer_name) == ("01/LĐLĐ", "Phong Thổ", "Sùng A Lử")
    tree = status_units("252/KH-LĐLĐ")
    assert (tree["LDLD_TD"]["edxml"], tree["LDLD_TD"]["implementing_directive"]) == ("04", "41/LĐLĐ")
    assert tree["LDLD_TD_CS1"]["report_due"] == "2021-12-10"
    shown = cli("register", "show", "--issuer", "LDLD_TD", "--year", "2021")
    assert "next number 42" in shown and "highest number used: 41" in shown


def tree_without_signer(tmp_path: Path, code: str) -> Path:
    tree = yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))
    for unit in tree["units"]:
        if unit["code"] == code:
            del unit["signer"]
    path = tmp_path / "laichau-no-signer.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_district_with_no_signer_holds_its_pass_on_until_it_completes_one(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    from flows.monitor import monitor_deadlines

    launch_seed(tree_without_signer(tmp_path, "LDLD_TD"))
    thanks = click(mailbox, web, "LDLD_TD")  # Thursday 20/05/2021: to be passed on by Friday 21/05
    assert "trước ngày 21/05/2021" in thanks.text and "/author" in thanks.text
    dispatch_pending()
    assert not set(TAM_DUONG_UNITS) & set(numbers_by_unit(mailbox))  # nothing went down
    assert issued_by("LDLD_TD") == []
    row = status_units("252/KH-LĐLĐ")["LDLD_TD"]
    assert (row["edxml"], row["mode"], row["pass_on"], row["pass_on_due"]) == ("03", "forward", "pending", "2021-05-21")

    monitor_deadlines(now="2021-05-21T09:00:00+07:00")
    notice, *reminders = mail_by_unit(mailbox)["LDLD_TD"]
    assert len(reminders) == 1 and "chưa có người ký" in reminders[0].text()
    link = links_in(reminders[0].text(), web)[0]
    assert not set(TAM_DUONG_UNITS) & set(numbers_by_unit(mailbox))

    with httpx.Client(timeout=30) as client:
        page = client.get(link)
        assert "chưa có người ký" in page.text and "/author" in page.text
        form_page = client.get(link + "/author")
        assert form_page.status_code == 200 and 'value="41"' in form_page.text and "/LĐLĐ" in form_page.text
        assert "Lưu người ký này cho các văn bản sau của đơn vị" in form_page.text
        assert "LDLD_TD" not in form_page.text  # no unit codes on a page a person reads
        form = next(f for f in forms_in(form_page.text) if f["method"] == "post")
        url = httpx.URL(link).join(str(form["action"]))
        fields = dict(form["fields"])  # type: ignore[arg-type]
        signer = {"signer_on_behalf": "KT. CHỦ TỊCH", "signer_title": "PHÓ CHỦ TỊCH", "signer_name": "Giàng Thị Dua"}
        unsigned = client.post(url, data={**fields, "number": "41", "signer_title": "PHÓ CHỦ TỊCH"})
        assert unsigned.status_code == 422 and "Cần ghi chức vụ và họ tên người ký" in unsigned.text
        behind = client.post(url, data={**fields, **signer, "number": "7"})
        assert behind.status_code == 422 and "số tiếp theo là 41" in behind.text
        assert issued_by("LDLD_TD") == []  # neither refused POST issued anything
        done = client.post(url, data={**fields, **signer, "number": "41", "save_signer": "1"})
        assert done.status_code == 200 and "41/LĐLĐ" in done.text and "Giàng Thị Dua" in done.text
        again = client.post(url, data={**fields, **signer, "number": "42"})
        assert again.status_code == 409
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert [got.get(code) for code in TAM_DUONG_UNITS] == [["41/LĐLĐ"]] * 3
    text = mail_by_unit(mailbox)["LDLD_TD_CS2"][0].text()
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Giàng Thị Dua" in text
    [own] = issued_by("LDLD_TD")
    assert (own.number, own.signer_title, own.signer_name, own.source) == (
        "41/LĐLĐ", "PHÓ CHỦ TỊCH", "Giàng Thị Dua", "forward",
    )  # fmt: skip
    assert status_units("252/KH-LĐLĐ")["LDLD_TD"]["edxml"] == "04"
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "LDLD_TD")).one()
        assert (unit.signer_on_behalf, unit.signer_title, unit.signer_name) == (
            "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Giàng Thị Dua",
        )  # fmt: skip  # kept for its next document, as the form said
        events = session.exec(select(AuditLog.event).where(AuditLog.unit_code == "LDLD_TD")).all()
    assert {"awaiting_implementing_directive", "implementing_directive_issued", "signer_recorded"} <= set(events)
    reminded = len(mail_by_unit(mailbox)["LDLD_TD"])
    monitor_deadlines(now="2021-05-24T09:00:00+07:00")  # passed on now: no more pass-on reminders
    assert not any("chưa có người ký" in m.text() for m in mail_by_unit(mailbox)["LDLD_TD"][reminded:])


def test_nothing_is_issued_unsigned_and_a_unit_with_no_place_dates_from_its_parent_document(
    settings: Settings, sample_org: None
) -> None:
    with session_scope() as session:
        store_sample(session)
        district = session.exec(select(Unit).where(Unit.code == "LDLD_TD")).one()
        district.place, district.signer_title, district.signer_name = None, None, None  # on_behalf alone is no signer
        session.add(district)
    with session_scope() as session:
        aid = assignment_id_of(session, "LDLD_TD")
        result = acknowledge(session, aid, remote_addr="test", user_agent="test")
        assert result is not None and result.recorded and result.author_due == date(2021, 5, 21)
    with session_scope() as session:
        assignment = session.get(Assignment, aid)
        assert assignment is not None and (assignment.mode, assignment.implementing_directive_id) == ("forward", None)
        held = session.exec(select(AuditLog).where(AuditLog.event == "awaiting_implementing_directive")).one()
        assert held.detail["missing"] == "signer"
        with pytest.raises(MissingSigner):
            issue_implementing_directive(
                session, assignment, issued_on=date(2021, 5, 20), source="forward", calendar=CAL
            )
        with pytest.raises(MissingSigner):  # a signer with a title but no name is none either
            draft = Draft(signer=Signer("TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", " "))
            issue_implementing_directive(
                session, assignment, issued_on=date(2021, 5, 20), source="forward", calendar=CAL, draft=draft
            )
    assert issued_by("LDLD_TD") == []
    with session_scope() as session:
        assignment = session.get(Assignment, aid)
        assert assignment is not None
        draft = Draft(signer=Signer(None, "CHỦ TỊCH", "Tẩn Thị Mai"))
        issue_implementing_directive(
            session, assignment, issued_on=date(2021, 5, 20), source="forward", calendar=CAL, draft=draft
        )
    [own] = issued_by("LDLD_TD")
    # no place in the tree: the parent document's place, "Lai Châu"
    assert (own.number, own.place, own.signer_on_behalf, own.signer_name) == (
        "01/LĐLĐ",
        "Lai Châu",
        None,
        "Tẩn Thị Mai",
    )
