"""The report form behind its own signed link, over real HTTP: GET changes nothing, drafts and reports are
versions, figures and files are checked, a file is never served to another unit, cycles move 05 then 06."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import CalendarSettings, Settings
from cascade.core.workdays import VN_TZ, WorkCalendar, local_date, work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.dev.links import forms_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches, outbox_batches
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.reports import ReportError, save_report
from models import Assignment, Directive, Unit, utcnow
from models.report import Report, ReportAttachment, ReportVersion

ORG = """
units:
  - {code: TINH, name: LĐLĐ tỉnh, kind: federation, parent: null, email: tinh@t.example, symbol: LĐLĐ}
  - {code: H1, name: LĐLĐ huyện Một, kind: district_federation, parent: TINH, email: h1@t.example}
  - {code: H2, name: LĐLĐ huyện Hai, kind: district_federation, parent: TINH, email: h2@t.example}
  - {code: TU, name: Tỉnh ủy, kind: party_committee, parent: null, email: tu@t.example}
"""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def directive_yaml(issued: date, middle: date, due: date) -> str:
    return f"""
number: 7/KH-LĐLĐ
type: KẾ HOẠCH
issuer: TINH
issued_on: '{issued}'
place: Lai Châu
summary: Tuyên truyền
signer: {{title: CHỦ TỊCH, name: Nguyễn Văn A}}
report_due: '{due}'
report_schedule: ['{middle}']
indicators:
  - {{code: conferences, name: Hội nghị, unit: cuộc, type: int}}
  - {{code: budget, name: Kinh phí, unit: triệu đồng, type: number}}
recipients:
  - {{unit: H1, role: act}}
  - {{unit: H2, role: act}}
  - {{unit: TU, role: info}}
"""


@pytest.fixture(autouse=True)
def small_uploads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASCADE_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("CASCADE_UPLOAD_MAX_BYTES", "2048")


def launch(settings: Settings, tmp_path: Path, issued: date, middle: date, due: date) -> int:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(directive_yaml(issued, middle, due), encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        directive, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        create_assignments(session, directive, work_calendar(settings))
        for batch in notice_batches(session, directive.id or 0, 100):
            enqueue_notices(session, settings, directive.id or 0, batch)
        assert directive.id is not None
        directive_id = directive.id
    with session_scope() as session:
        for batch in list(outbox_batches(session, None, 100)):
            send_outbox_batch(session, settings, batch)
    return directive_id


def links(mailbox: SmtpSink, address: str, kind: str) -> str:
    text = mailbox.handler.to(address)[0].text()
    found = re.findall(r"http://[^\s]+/" + kind + r"/[A-Za-z0-9_\-.]+", text)
    assert len(found) == 1, text
    return found[0]


def assignment(code: str) -> Assignment:
    with session_scope() as session:
        query = select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id)).where(Unit.code == code)
        return session.exec(query).one()


def test_report_form_over_http(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    today = local_date(utcnow())  # the project's clock, as the app reads it
    launch(settings, tmp_path, today - timedelta(days=3), today + timedelta(days=20), today + timedelta(days=50))
    report_link, ack_link = links(mailbox, "h1@t.example", "r"), links(mailbox, "h1@t.example", "u")
    other = links(mailbox, "h2@t.example", "r")
    assert "/r/" not in mailbox.handler.to("tu@t.example")[0].text()  # info units report nothing
    with httpx.Client() as client:
        assert "Báo cáo kết quả thực hiện" in client.get(ack_link).text and report_link in client.get(ack_link).text
        page = client.get(report_link)
        assert page.status_code == 200 and 'name="fig_conferences"' in page.text and "Gửi báo cáo" in page.text
        form = next(f for f in forms_in(page.text) if f["method"] == "post")
        csrf = form["fields"]["csrf_token"]  # type: ignore[index]
        forged = client.post(report_link, data={"cycle": "1", "action": "draft", "text": "x"})
        assert forged.status_code == 403  # no CSRF field: refused before anything is read
        assert client.head(report_link).status_code == 200
        # each link has its own purpose: the acknowledgement link cannot report and vice versa
        assert client.get(ack_link.replace("/u/", "/r/")).status_code == 403
        assert client.post(report_link.replace("/r/", "/u/") + "/ack").status_code == 403
        assert assignment("H1").status == "arrived"
        with session_scope() as session:
            assert session.exec(select(Report)).all() == []

        draft = client.post(
            report_link,
            data={"csrf_token": csrf, "cycle": "1", "action": "draft", "text": "Đang tổng hợp", "fig_conferences": "2"},
            files=[("files", ("bien-ban hop.pdf", PDF, "application/pdf"))],
        )
        assert draft.status_code == 200 and "Đã lưu bản nháp" in draft.text
        a = assignment("H1")
        assert a.status == "in_progress" and a.edxml == "05"

        bad = client.post(
            report_link,
            data={"csrf_token": csrf, "cycle": "1", "action": "submit", "text": "x", "fig_conferences": "2,5"},
        )
        assert bad.status_code == 400 and "“Hội nghị” phải là một số nguyên không âm" in bad.text
        assert "Chưa nhập số liệu “Kinh phí”" in bad.text
        for name, content in (("virus.pdf", b"MZ\x90\x00"), ("big.pdf", PDF + b"0" * 4096), ("a.exe", PDF)):
            refused = client.post(
                report_link,
                data={
                    "csrf_token": csrf,
                    "cycle": "1",
                    "action": "submit",
                    "text": "x",
                    "fig_conferences": "1",
                    "fig_budget": "1",
                },
                files=[("files", (name, content, "application/pdf"))],
            )
            assert refused.status_code == 400 and name in refused.text
        fields = {
            "csrf_token": csrf,
            "cycle": "1",
            "action": "submit",
            "text": "Đã tổ chức 2 hội nghị",
            "fig_conferences": "2",
        }
        sent = client.post(report_link, data={**fields, "fig_budget": "12.5"})
        assert sent.status_code == 200 and "Đã gửi báo cáo (phiên bản 2)" in sent.text
        corrected = client.post(report_link, data={**fields, "fig_conferences": "3", "fig_budget": "12.5"})
        assert "phiên bản 3" in corrected.text
        assert assignment("H1").status == "in_progress"  # cycle 2 is still owed

        with session_scope() as session:
            report = session.exec(select(Report)).one()
            assert (report.version, report.status, report.figures) == (
                3,
                "submitted",
                {"conferences": 3, "budget": 12.5},
            )
            versions = session.exec(select(ReportVersion).order_by(col(ReportVersion.version))).all()
            assert [(v.version, v.submitted, v.figures.get("conferences")) for v in versions] == [
                (1, False, 2),
                (2, True, 2),
                (3, True, 3),
            ]
            attachment = session.exec(select(ReportAttachment)).one()
        stored = Path(settings.web.upload_dir) / attachment.stored_name
        assert settings.web.upload_dir == str(tmp_path / "uploads")
        assert stored.read_bytes() == PDF and "bien" not in attachment.stored_name
        own = client.get(f"{report_link}/files/{attachment.id}")
        assert own.status_code == 200 and own.content == PDF and own.headers["content-type"] == "application/pdf"
        assert client.get(f"{other}/files/{attachment.id}").status_code == 404  # never to another unit

        final = client.post(
            report_link,
            data={
                "csrf_token": csrf,
                "cycle": "2",
                "action": "submit",
                "text": "Kỳ 2",
                "fig_conferences": "1",
                "fig_budget": "0",
            },
        )
        assert final.status_code == 200
        a = assignment("H1")
        assert a.status == "completed" and a.edxml == "06"
    assert assignment("H2").status == "arrived"


def test_corrections_stop_at_the_deadline_and_late_reports_are_marked(settings: Settings, tmp_path: Path) -> None:
    directive_id = launch(settings, tmp_path, date(2024, 1, 15), date(2024, 3, 1), date(2024, 6, 28))
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        cycles = ensure_cycles(session, directive, work_calendar(settings))
        assert [c.due for c in cycles] == [date(2024, 3, 1), date(2024, 6, 28)]
        indicators = effective_plan(session, directive).indicators
        h1, h2 = session.get(Assignment, assignment("H1").id), session.get(Assignment, assignment("H2").id)
        assert h1 is not None and h2 is not None
        figures = {"conferences": "1", "budget": "2"}

        def on(day: date) -> datetime:
            return datetime.combine(day, time(16), tzinfo=VN_TZ).astimezone(UTC)

        def send(a: Assignment, day: date) -> Report:
            return save_report(
                session, settings, a, cycles[0], indicators, text="ok", raw_figures=figures, uploads=[],
                submit=True, now=on(day),
            )  # fmt: skip

        assert send(h1, date(2024, 3, 1)).late is False
        assert send(h1, date(2024, 3, 1)).version == 2  # a correction on the deadline day
        with pytest.raises(ReportError, match="không còn sửa được"):
            send(h1, date(2024, 3, 4))
        late = send(h2, date(2024, 3, 5))  # never sent before: accepted after the deadline, marked late
        assert late.late is True and late.submitted_at == on(date(2024, 3, 5))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (date(2024, 2, 9), date(2024, 2, 15)),  # Lunar New Year's Eve (Friday), Tết until Wednesday 14/02
        (date(2025, 1, 25), date(2025, 2, 3)),  # Saturday before Tết 2025 (27/01 – 01/02)
        (date(2024, 6, 29), date(2024, 7, 1)),  # a Saturday
        (date(2024, 4, 30), date(2024, 5, 2)),  # Reunification Day and Labour Day
    ],
)
def test_deadlines_on_weekends_and_tet_move_to_the_next_working_day(
    settings: Settings, tmp_path: Path, given: date, expected: date
) -> None:
    directive_id = launch(settings, tmp_path, given - timedelta(days=60), given - timedelta(days=30), given)
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        assert ensure_cycles(session, directive, work_calendar(settings))[-1].due == expected
        assert assignment("H1").report_due == expected


def test_extra_days_off_are_configurable(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    assert work_calendar(settings).on_or_after(date(2024, 7, 1)) == date(2024, 7, 1)
    extra = Settings(calendar=CalendarSettings(extra_days_off="2024-07-01, 2024-07-02"))
    assert work_calendar(extra).on_or_after(date(2024, 7, 1)) == date(2024, 7, 3)
    assert WorkCalendar().add_working_days(date(2024, 2, 15), -3) == date(2024, 2, 5)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("indicators: [{code: Bad Code, name: X, unit: u, type: int}]", "indicator code 'Bad Code'"),
        ("indicators: [{code: a, name: X, unit: u, type: float}]", "indicator type 'float' must be int or number"),
        ("indicators: {code: a}", "`indicators` must be a list"),
        (
            "indicators: [{code: ty_le, name: Tỷ lệ, unit: '%', type: number, rollup: avg}]",
            "indicator 'ty_le': rollup 'avg' must be sum, mean or none",
        ),
        ("report_schedule: ['2024-13-01']", "`report_schedule` dates must be YYYY-MM-DD"),
        ("report_schedule: {every_months: 0}", "every_months` must be a whole number from 1 to 24"),
        ("escalation: {before: -1}", "`escalation` values are whole numbers"),
        ("escalation: {later: 3}", "`escalation` takes before, parent_after, escalate_after"),
        ("follow_up: {name: X}", "`follow_up` needs `name` and `email`"),
    ],
)
def test_bad_reporting_keys_are_named(tmp_path: Path, extra: str, message: str) -> None:
    from cascade.core.errors import InputError

    path = tmp_path / "d.yaml"
    path.write_text(directive_yaml(date(2024, 1, 2), date(2024, 2, 1), date(2024, 3, 1)) + extra + "\n", "utf-8")
    with pytest.raises(InputError) as caught:
        parse_directive(path)
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems
