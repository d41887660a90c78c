"""Author mode, refusal and rerouting, and restructuring, through real emails, clicks and Prefect runs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in, links_in
from cascade.dev.smtp_sink import SmtpSink
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from models import AuditLog
from tests.cascade_helpers import (
    DATA,
    click,
    directive_file,
    import_tree,
    mail_by_unit,
    numbers_by_unit,
    status_units,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def link_of(mailbox: SmtpSink, web: str, code: str) -> str:
    return links_in(mail_by_unit(mailbox)[code][-1].text(), web)[0]


def federation_confirms_in_author_mode(mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    """31-KH/TU to the provincial federation, which writes its own plan (author mode); it confirms receipt."""
    import_tree("tree-2021-four-levels.yaml")
    recipients = [{"unit": "LDLD", "role": "act", "mode": "author"}]
    cascade_directive(directive_file=str(directive_file(tmp_path, recipients=recipients)))
    thanks = click(mailbox, web, "LDLD")
    # the thank-you page already says what is owed next, with the link to write it
    assert "trước ngày 21/05/2021" in thanks.text and "/author" in thanks.text


def test_author_mode_unit_writes_its_own_directive(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    federation_confirms_in_author_mode(mailbox, web, tmp_path)
    dispatch_pending()
    assert set(numbers_by_unit(mailbox)) == {"LDLD"}  # nothing goes down before the unit writes its plan
    row = status_units("31-KH/TU")["LDLD"]
    assert (row["edxml"], row["mode"], row["pass_on"], row["pass_on_due"]) == ("03", "author", "pending", "2021-05-21")
    assert row["status_label"] == "Đã tiếp nhận, chưa triển khai xuống"

    link = link_of(mailbox, web, "LDLD")
    with httpx.Client(timeout=30) as client:
        page = client.get(link)
        assert "Soạn văn bản triển khai" in page.text
        form_page = client.get(link + "/author")
        assert (
            form_page.status_code == 200 and "D_TD" not in form_page.text and "LĐLĐ huyện Tam Đường" in form_page.text
        )
        # the form has the number from the federation's register and its signer on record, prefilled
        assert 'value="01"' in form_page.text and "/KH-LĐLĐ" in form_page.text and "Nguyễn Thị Thiện" in form_page.text
        form = next(f for f in forms_in(form_page.text) if f["method"] == "post")
        fields = dict(form["fields"])  # type: ignore[arg-type]
        url = httpx.URL(link).join(str(form["action"]))
        empty = client.post(url, data={**fields, "tasks": " "})
        assert empty.status_code == 422 and "Cần ít nhất một nhiệm vụ" in empty.text
        unsigned = client.post(url, data={**fields, "signer_name": " ", "tasks": "Tổ chức hội nghị quán triệt"})
        assert unsigned.status_code == 422 and "Cần ghi chức vụ và họ tên người ký" in unsigned.text
        done = client.post(
            url,
            data={
                **fields,
                "tasks": "Tổ chức hội nghị quán triệt\nĐăng tin trên trang Công đoàn",
                "report_due": "2021-12-20",
            },
        )
        assert done.status_code == 200 and "01/KH-LĐLĐ" in done.text
        again = client.post(url, data={**fields, "tasks": "x"})
        assert again.status_code == 409
    dispatch_pending()
    got = numbers_by_unit(mailbox)
    assert got["D_TD"] == got["D_SH"] == got["CDN_GD"] == ["01/KH-LĐLĐ"]
    text = mail_by_unit(mailbox)["D_SH"][0].text()
    assert "1. Tổ chức hội nghị quán triệt" in text and "2. Đăng tin trên trang Công đoàn" in text
    assert "Hạn báo cáo kết quả: 20/12/2021" in text
    assert "CHỦ TỊCH" in text and "Nguyễn Thị Thiện" in text  # signed, by the signer the form was given
    assert status_units("31-KH/TU")["LDLD"]["edxml"] == "04"


def test_author_mode_by_launching_a_file_whose_basis_names_the_parent(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    federation_confirms_in_author_mode(mailbox, web, tmp_path)
    own = yaml.safe_load((DATA / "31-KH-TU.yaml").read_text(encoding="utf-8"))
    own.update(number="252/KH-LĐLĐ", issuer="LDLD", issued_on="2021-05-20", basis="31-KH/TU",
               basis_issued_on="2021-05-17", report_due="2021-12-15",
               recipients=[{"unit": "D_TD", "role": "act"}, {"unit": "TGNC", "role": "info"}],
               tasks=[{"to": ["D_TD"], "text": "Bám sát các nội dung Kế hoạch của LĐLĐ tỉnh"}])  # fmt: skip
    path = tmp_path / "252.yaml"
    path.write_text(yaml.safe_dump(own, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 0, result.output
    got = numbers_by_unit(mailbox)
    assert got["D_TD"] == got["TGNC"] == ["252/KH-LĐLĐ"]
    tree = status_units("31-KH/TU")
    assert (tree["LDLD"]["edxml"], tree["LDLD"]["implementing_directive"]) == ("04", "252/KH-LĐLĐ")
    assert tree["D_TD"]["level"] == 2


def test_refusal_tells_the_issuer_and_reroute_sends_it_on(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))
    link = link_of(mailbox, web, "VP_TU")
    with httpx.Client(timeout=30) as client:
        page = client.get(link)
        refuse_form = next(f for f in forms_in(page.text) if str(f["action"]).endswith("/refuse"))
        url = httpx.URL(link).join(str(refuse_form["action"]))
        fields = dict(refuse_form["fields"])  # type: ignore[arg-type]
        assert client.post(url, data={**fields, "reason": ""}).status_code == 422
        refused = client.post(url, data={**fields, "reason": "Không đúng đơn vị: gửi Ban Tuyên giáo"})
        assert refused.status_code == 200 and "từ chối tiếp nhận" in refused.text
        ack_form = next(f for f in forms_in(page.text) if str(f["action"]).endswith("/ack"))
        late_ack = client.post(httpx.URL(link).join(str(ack_form["action"])), data=dict(ack_form["fields"]))  # type: ignore[arg-type]
        assert late_ack.status_code == 409
    row = status_units("31-KH/TU")["VP_TU"]
    assert (row["edxml"], row["refused_reason"]) == ("02", "Không đúng đơn vị: gửi Ban Tuyên giáo")
    dispatch_pending()
    told = mail_by_unit(mailbox)["TU"]
    assert len(told) == 1 and "từ chối tiếp nhận văn bản số 31-KH/TU" in told[0].subject
    # the email links to the console's decision page (tests/test_decisions.py); the command line still reroutes
    assert f"{web}/admin/refusals/" in told[0].text() and "cascade reroute" not in told[0].text()

    result = CliRunner().invoke(app, ["reroute", "31-KH/TU", "--from", "VP_TU", "--to", "TGNC"])
    assert result.exit_code == 0, result.output
    assert numbers_by_unit(mailbox)["TGNC"] == ["31-KH/TU"]
    wrong = CliRunner().invoke(app, ["reroute", "31-KH/TU", "--from", "LDLD", "--to", "TGNC"])
    assert wrong.exit_code == 2 and "has not refused" in wrong.stderr
    twice = CliRunner().invoke(app, ["reroute", "31-KH/TU", "--from", "VP_TU", "--to", "D_TD"])
    assert twice.exit_code == 2 and "already rerouted" in twice.stderr


def test_dissolved_unit_hands_its_open_work_to_its_successor(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))
    click(mailbox, web, "LDLD")
    dispatch_pending()
    # 2025: Sìn Hồ's district federation is dissolved; a new commune-level union takes over its work
    tree = yaml.safe_load((DATA / "tree-2021-four-levels.yaml").read_text(encoding="utf-8"))
    for unit in tree["units"]:
        if unit["code"] == "D_SH":
            unit.update(dissolved=True, successor="CD_SH")
        if unit["code"] == "G_SH1":
            unit["parent"] = "CD_SH"
    tree["units"].append({"code": "CD_SH", "name": "Công đoàn xã Sìn Hồ", "kind": "commune_union", "parent": "LDLD",
                          "email": "cd-sh@t.example", "symbol": "CĐX-SH"})  # fmt: skip
    path = tmp_path / "tree-2025.yaml"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 0 and "1 open assignment(s) of dissolved units moved" in result.output
    dispatch_pending()
    assert numbers_by_unit(mailbox)["CD_SH"] == ["01/LĐLĐ"]
    rows = status_units("31-KH/TU")
    assert "D_SH" not in rows and rows["CD_SH"]["level"] == 2
    with session_scope() as session:
        moved = session.exec(select(AuditLog).where(AuditLog.event == "assignment_moved")).one()
    assert (moved.unit_code, moved.unit_name, moved.detail["to"]) == ("D_SH", "LĐLĐ huyện Sìn Hồ", "CD_SH")


def test_author_unit_that_has_not_passed_it_on_is_chased(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    from flows.monitor import monitor_deadlines

    federation_confirms_in_author_mode(mailbox, web, tmp_path)  # Thu 20/05/2021: pass it on by Fri 21/05
    monitor_deadlines(now="2021-05-21T09:00:00+07:00")
    monitor_deadlines(now="2021-05-21T09:00:00+07:00")  # the same instant again sends nothing new
    notice, *reminders = mail_by_unit(mailbox)["LDLD"]
    assert "31-KH/TU" in notice.subject and len(reminders) == 1
    assert (
        "Hôm nay, ngày 21/05/2021, là hạn ban hành văn bản triển khai tới các đơn vị trực thuộc" in reminders[0].text()
    )


def test_author_form_needs_its_csrf_token(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    federation_confirms_in_author_mode(mailbox, web, tmp_path)
    link = link_of(mailbox, web, "LDLD")
    with httpx.Client(timeout=30) as client:
        client.get(link + "/author")
        forged = client.post(link + "/author", data={"tasks": "Tổ chức hội nghị", "report_due": "2021-12-20"})
        assert forged.status_code == 403
    assert status_units("31-KH/TU")["LDLD"]["pass_on"] == "pending"


def test_a_mode_given_as_a_plain_string_still_holds_the_unit_for_its_own_plan(settings: Settings) -> None:
    """The directive's mode set as the plain value "author" (not the enum member): acknowledging holds the
    unit for its own plan and records the mode, instead of failing on `.value` of a str."""
    from datetime import UTC, datetime

    from cascade.core.workdays import WorkCalendar
    from cascade.replies.passon import on_acknowledged, subordinates
    from models import Assignment, Directive, Unit
    from tests.cascade_helpers import plant_tree

    import_tree("tree-2021-four-levels.yaml")
    with session_scope() as session:
        directive = plant_tree(session, "TU", [{"unit": "LDLD", "status": "acknowledged"}])
        directive.cascade_mode = "author"  # type: ignore[assignment]  # what a caller with a plain value sets
        federation = session.exec(select(Unit).where(Unit.code == "LDLD")).one()
        below = {u.code for u in subordinates(session, federation.id)}  # type: ignore[arg-type]
        assert "TGNC" not in below and {"D_TD", "D_SH", "CDN_GD"} <= below  # its own board is not a unit below
        assignment = session.exec(select(Assignment).where(Assignment.directive_id == directive.id)).one()
        on_acknowledged(session, assignment, datetime(2021, 5, 20, 3, tzinfo=UTC), WorkCalendar())
        held = session.exec(select(AuditLog).where(AuditLog.event == "awaiting_implementing_directive")).one()
        assert held.detail == {"pass_on_due": "2021-05-21", "mode": "author"}
        assert assignment.mode == "author" and assignment.implementing_directive_id is None
        assert session.exec(select(Directive).where(Directive.parent_directive_id == directive.id)).all() == []
