"""The seed directive cascades end to end: real SMTP, real HTTP, real database, real Prefect engine."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import confirm_receipt, forms_in, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from flows.cascade_directive import cascade_directive
from models import Acknowledgement, Assignment, OutboxMessage, Unit
from tests.conftest import SAMPLE_DIRECTIVE

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")


def status_json(number: str = "252/KH-LĐLĐ") -> dict[str, dict]:
    result = CliRunner().invoke(app, ["status", number, "--json"])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u for u in json.loads(result.stdout)["units"]}


def emails_by_unit(mailbox: SmtpSink) -> dict[str, list]:
    with session_scope() as session:
        codes = {u.email: u.code for u in session.exec(select(Unit)).all()}
    out: dict[str, list] = {}
    for message in mailbox.messages:
        for rcpt in message.rcpt_tos:
            out.setdefault(codes[rcpt], []).append(message)
    return out


def test_every_recipient_gets_exactly_one_email_with_its_own_link(settings: Settings, mailbox: SmtpSink) -> None:
    spec = parse_directive(SAMPLE_DIRECTIVE)
    totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    # every recipient but the drafting department (archive "VT, TgNc"), not sent its own plan
    assert totals["sent"] == len(spec.recipients) - 1 == 23
    by_unit = emails_by_unit(mailbox)
    assert set(by_unit) == {code for code, _ in spec.recipients} - {"LDLD_TGNC"}
    links = {}
    for code, messages in by_unit.items():
        assert len(messages) == 1, code
        message = messages[0]
        # the whole subject, diacritics and spaces intact after MIME encoding and folding
        assert message.subject == f"Kế hoạch số 252/KH-LĐLĐ của Liên đoàn Lao động tỉnh Lai Châu: {spec.summary}"
        text = message.text()
        assert "252/KH-LĐLĐ" in text and "31-KH/TU" in text
        # asked to acknowledge by a date, but a superior ("để báo cáo"): informed, it may confirm, never by a date
        superior = dict(spec.recipients)[code] == "superior"
        assert ("Hạn xác nhận đã nhận văn bản: 21/05/2021" in text) is not superior, code
        found = links_in(text, settings.web.public_url)
        assert len(found) == 1 and found[0] in message.html()
        links[code] = found[0]
    assert len(set(links.values())) == len(links)  # each unit its own link
    # act units see their tasks and a report deadline; info units neither
    assert "Hạn báo cáo kết quả: 15/12/2021" in by_unit["LDLD_TD"][0].text()
    assert "Phân công cán bộ" not in by_unit["TU_LC"][0].text() and "Hạn báo cáo" not in by_unit["TU_LC"][0].text()
    assert "Bám sát các nội dung Kế hoạch của LĐLĐ tỉnh" in by_unit["LDLD_TD"][0].text()
    statuses = status_json()
    assert {s["status"] for s in statuses.values()} == {"arrived"}
    assert {s["edxml"] for s in statuses.values()} == {"01"}


def test_get_and_head_change_nothing_and_only_the_post_acknowledges(
    settings: Settings, mailbox: SmtpSink, web: str
) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    link = next(links_in(m.text(), web)[0] for m in mailbox.messages if "ldld.tamduong@laichau.example" in m.rcpt_tos)
    with httpx.Client() as client:
        page = client.get(link)
        assert page.status_code == 200
        assert "Liên đoàn Lao động huyện Tam Đường" in page.text and "Xác nhận đã nhận" in page.text
        assert client.head(link).status_code == 200
        assert client.get(link).status_code == 200
        before = status_json()
        assert before["LDLD_TD"]["acknowledged_at"] is None and before["LDLD_TD"]["status"] == "arrived"
        # no page auto-submits: no script at all
        assert "<script" not in page.text.lower()
        response = confirm_receipt(client, link)
        assert response.status_code == 200 and "đã xác nhận đã nhận" in response.text
        after = status_json()
        assert after["LDLD_TD"]["status"] == "acknowledged" and after["LDLD_TD"]["edxml"] == "03"
        assert after["LDLD_TD"]["acknowledged_at"] is not None
        others = {code: s["status"] for code, s in after.items() if code != "LDLD_TD"}
        assert set(others.values()) == {"arrived"}
        # a second POST says it was confirmed already and records nothing more
        action = forms_in(page.text)[0]["action"]
        fields = forms_in(page.text)[0]["fields"]
        again = client.post(httpx.URL(link).join(str(action)), data=fields)  # type: ignore[arg-type]
        # 409: a replay changes nothing (web/unit_pages.py), and the page still says why
        assert again.status_code == 409 and "đã được xác nhận trước đó" in again.text
        assert client.get(link).text.count("Xác nhận đã nhận</button>") == 0
    with session_scope() as session:
        assert len(session.exec(select(Acknowledgement)).all()) == 1


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), lambda t: "x" + t, lambda t: "garbage"],
)
def test_tampered_or_unknown_token_gets_a_clear_4xx_page(
    settings: Settings, mailbox: SmtpSink, web: str, mangle
) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    link = links_in(mailbox.messages[0].text(), web)[0]
    token = link.rsplit("/", 1)[1]
    bad = f"{web}/u/{mangle(token)}"
    with httpx.Client() as client:
        page = client.get(bad)
        assert page.status_code == 403 and "Liên kết không hợp lệ" in page.text
        assert client.post(bad + "/ack").status_code == 403
    assert all(s["acknowledged_at"] is None for s in status_json().values())


def test_rerunning_the_flow_sends_nothing_twice(settings: Settings, mailbox: SmtpSink) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    again = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    assert again["sent"] == 0 and again["assignments"] == 0 and again["rendered"] == 0
    assert len(mailbox.messages) == 23  # 24 recipients, less the drafting department
    with session_scope() as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 23
        assert len(session.exec(select(Assignment)).all()) == 23


def test_cli_launch_then_status(settings: Settings, mailbox: SmtpSink) -> None:
    result = CliRunner().invoke(app, ["launch", str(SAMPLE_DIRECTIVE)])
    assert result.exit_code == 0, result.output
    assert "23 emails sent" in result.output and "cascade status" in result.output  # not to the drafting dept.
    table = CliRunner().invoke(app, ["status", "252/KH-LĐLĐ"])
    assert table.exit_code == 0 and "Liên đoàn Lao động huyện Tam Đường" in table.output and "Đã đến" in table.output
    assert len(mailbox.messages) == 23


def test_dry_run_checks_the_file_and_sends_nothing(settings: Settings, mailbox: SmtpSink) -> None:
    totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE), dry_run=True)
    assert totals["recipients"] == 24 and totals["sent"] == 0
    assert mailbox.messages == []
    with session_scope() as session:
        assert session.exec(select(Assignment)).all() == []
