"""The seed's plan: units report figures, the real `monitor-deadlines` flow (CLI, Prefect harness) chases the
others, consolidates once the deadline has passed and publishes the consolidated report as an artifact."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.replies.reports import save_report
from flows.cascade_directive import cascade_directive
from models import Assignment, AuditLog, Directive, Unit
from tests.conftest import SAMPLE_DIRECTIVE

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
NOTICES = 23  # the seed's notices

REPORTS = {
    "LDLD_TD": {"conferences": "3", "participants": "210", "posts": "12", "banners": "8"},
    "LDLD_PT": {"conferences": "2", "participants": "95", "posts": "4", "banners": "5"},
    "CDN_GD": {"conferences": "6", "participants": "480", "posts": "20", "banners": "2"},
    "CDVC": {"conferences": "1", "participants": "60", "posts": "3", "banners": "0"},
    "CDCS_XOSO": {"conferences": "1", "participants": "25", "posts": "1", "banners": "1"},
}


def monitor(now: str) -> str:
    result = CliRunner().invoke(app, ["monitor", "--now", now])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_plan_consolidated_by_the_monitor_flow(settings: Settings, mailbox: SmtpSink) -> None:
    started = datetime.now(UTC)  # the harness's server is shared by the session: count this test's events only
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    # 24 recipients; the drafting department (Lưu: VT, TgNc) is not sent its own plan
    assert len(mailbox.messages) == NOTICES == 23
    with session_scope() as session:
        directive = session.exec(select(Directive)).one()
        cycle = ensure_cycles(session, directive, work_calendar(settings))[0]
        indicators = effective_plan(session, directive).indicators
        assert [i["code"] for i in indicators] == ["conferences", "participants", "posts", "banners"]
        for code, figures in REPORTS.items():
            a = session.exec(
                select(Assignment).join(Unit, col(Unit.id) == col(Assignment.unit_id)).where(Unit.code == code)
            ).one()
            save_report(
                session, settings, a, cycle, indicators, text=f"Kết quả của {code}", raw_figures=figures,
                uploads=[], submit=True, now=datetime(2021, 12, 10, 3, tzinfo=UTC),
            )  # fmt: skip
        directive_id = directive.id

    started = datetime.now(UTC)  # the session's Prefect server has other tests' artifacts of the same keys
    out = monitor("2021-12-16T08:00:00+07:00")  # the day after the deadline (Wednesday 15/12/2021)
    assert "9 reminder" not in out and "1 consolidated reports" in out
    new = mailbox.messages[NOTICES:]
    kinds = sorted(str(m.message["X-Cascade-Key"]).split(":")[0] for m in new)
    # 9 act units never reported: one reminder each (the day's step); 13 acknowledgements long overdue (the 18
    # units asked to acknowledge, less the 5 that reported and so have shown receipt; the 5 superiors are never
    # chased) reach the top step at once, with no burst of stale reminders: ONE escalation email lists them all;
    # and the issuer's consolidated report.
    assert kinds == ["consolidated"] + ["escalation"] + ["remind"] * 9
    escalation = next(m for m in new if str(m.message["X-Cascade-Key"]).startswith("escalation"))
    assert escalation.rcpt_tos == ("tuyengiao.nucong.ldld@laichau.example",)
    assert escalation.text().count("chưa xác nhận đã nhận văn bản") == 13
    for superior in ("Tỉnh ủy Lai Châu", "Tổng Liên đoàn Lao động Việt Nam", "Văn phòng Tỉnh ủy", "Ban Dân vận"):
        assert superior not in escalation.text()
    consolidated = next(m for m in new if str(m.message["X-Cascade-Key"]).startswith("consolidated"))
    assert consolidated.rcpt_tos == ("ldld@laichau.example",)

    totals = {k: sum(int(f[k]) for f in REPORTS.values()) for k in ("conferences", "participants", "posts", "banners")}
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"directive-{directive_id}-report-1"]))
        )
    artifacts = [a for a in artifacts if a.created is not None and a.created >= started]  # this run's
    assert len(artifacts) == 1
    markdown = str(artifacts[0].data)
    assert markdown == consolidated.text().rstrip("\n") or markdown.strip() == consolidated.text().strip()
    assert f"| Lượt đoàn viên, CNVCLĐ tham gia | lượt người | {totals['participants']} |" in markdown
    assert f"| Hội nghị chuyên đề, buổi sinh hoạt đã tổ chức | cuộc | {totals['conferences']} |" in markdown
    assert "## Đơn vị chưa báo cáo (9)" in markdown and "- Liên đoàn Lao động huyện Mường Tè\n" in markdown
    assert "# Báo cáo tổng hợp kỳ 1: Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021\n" in markdown
    assert "LDLD_" not in markdown and "LDLD_" not in consolidated.html() and "V/v" not in markdown

    again = monitor("2021-12-16T08:00:00+07:00")
    assert "0 reminder/escalation steps, 0 consolidated reports, 0 emails sent" in again
    assert len(mailbox.messages) == NOTICES + 11

    status = CliRunner().invoke(app, ["status", "252/KH-LĐLĐ", "--json"])
    rows = {u["unit"]: u for u in json.loads(status.stdout)["units"]}
    assert rows["LDLD_TD"]["report_status"] == "submitted" and rows["LDLD_TD"]["edxml"] == "06"
    assert rows["LDLD_MT"]["report_status"] == "missing" and rows["LDLD_MT"]["escalation_step"] == "r1:due"
    assert rows["TU_LC"]["report_status"] is None and rows["TU_LC"]["escalation_step"] is None  # never chased
    summed = {k: sum(r["rolled_up"].get(k, 0) for r in rows.values() if r["level"] == 1) for k in totals}
    assert summed == totals
    with session_scope() as session:
        events = [e.event for e in session.exec(select(AuditLog).where(col(AuditLog.event).startswith("escalation_")))]
        assert events.count("escalation_escalate") == 13 and events.count("escalation_due") == 9
    assert sorted(prefect_events(started)) == sorted(f"cascade.{e}".replace("_", ".", 1) for e in events)


def prefect_events(since: datetime) -> list[str]:
    """The escalation events the flow emitted, once the server has stored them all (they arrive asynchronously)."""
    names: list[str] = []
    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            page = client.read_events(
                EventFilter(
                    event=EventNameFilter(prefix=["cascade.escalation."]), occurred=EventOccurredFilter(since=since)
                ),
                limit=50,
            )
            names = [e.event for e in page.events]
            if len(names) >= 22:
                break
            time.sleep(0.5)
    return names
