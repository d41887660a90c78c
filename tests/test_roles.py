"""The protocol roles (cascade/dispatch/duties.py) over weeks of an injected clock, on a real SQLite file and a real
SMTP server: a superior ("để báo cáo") is sent the directive and may confirm receipt, but is never reminded,
escalated or counted late, while the act unit beside it gets every step up to and past the report deadline; a
coordinating unit is chased for its acknowledgement, and for a report only when a task names it; the department
that drafted the directive gets nothing at all. The figures, the command line and the export say the same, in words."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch import duties
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.acknowledge import acknowledge
from cascade.status.export import to_csv
from cascade.status.summary import count_rows, summarise
from cascade.status.tree import tree_rows
from models import Assignment, AuditLog, Directive, Recipient, Unit
from tests.test_monitor import assignment_of, at, dispatch, monitor, send_all, tag
from tests.test_status_artifact import CODES

ORG = """
units:
  - {code: TW, name: Tổng Liên đoàn Lao động thử, kind: confederation, parent: null, email: tw@t.example, symbol: TLĐ}
  - {code: TU, name: Tỉnh ủy thử, kind: party_committee, parent: null, email: tu@t.example, symbol: TU}
  - {code: TINH, name: LĐLĐ tỉnh thử, kind: federation, parent: TU, email: tinh@t.example, symbol: LĐLĐ}
  - {code: TINH_TGNC, name: Ban Tuyên giáo - Nữ công, kind: department, parent: TINH, email: tgnc@t.example}
  - {code: TINH_VP, name: Văn phòng LĐLĐ tỉnh thử, kind: department, parent: TINH, email: vp@t.example}
  - {code: TINH_D7, name: Ban Thi đua - Khen thưởng, kind: department, parent: TINH, email: tdkt@t.example,
     symbol: TĐKT}
  - {code: H1, name: LĐLĐ huyện Một, kind: district_federation, parent: TINH, email: h1@t.example}
  - {code: NGANH, name: Công đoàn ngành Y tế thử, kind: sector_union, parent: TINH, email: nganh@t.example}
  - {code: VC, name: Công đoàn Viên chức thử, kind: civil_servants_union, parent: TINH, email: vc@t.example}
"""

DIRECTIVE = """
number: 21/KH-LĐLĐ
type: KẾ HOẠCH
issuer: TINH
issued_on: '2024-03-04'
place: Lai Châu
summary: Tuyên truyền Nghị quyết
signer: {title: CHỦ TỊCH, name: Nguyễn Văn A}
report_due: '2024-03-29'
report_to: TINH_TGNC
archive: "VT, TgNc"
follow_up: {name: Trần Văn Đôn, email: donoc@t.example}
indicators:
  - {code: conferences, name: Hội nghị đã tổ chức, unit: cuộc, type: int}
recipients:
  - {unit: H1, role: act}
  - {unit: NGANH, role: coordinate}
  - {unit: VC, role: coordinate}
  - {unit: TINH_VP, role: info}
  - {unit: TINH_TGNC, role: info}
  - {unit: TU, role: superior}
  - {unit: TW, role: superior}
tasks:
  - {to: [H1], text: Triển khai tới đoàn viên.}
  - {to_kinds: [civil_servants_union], text: Phối hợp tuyên truyền trong cán bộ, công chức, viên chức.}
"""

# Acknowledgement due Tuesday 05/03/2024 (the next working day): its reminder that day, the parent's copy two
# working days on (Thursday 07/03), the escalation five working days on (Tuesday 12/03). Report due Friday
# 29/03: two working days before (Wednesday 27/03), on the day, Tuesday 02/04, Friday 05/04; consolidated the
# day after it (Saturday 30/03). VC and the superior Tỉnh ủy confirm receipt on the day they get it.
EXPECTED = {
    "tinh@t.example": ["03-07 digest", "03-30 consolidated", "04-02 digest"],
    "donoc@t.example": ["03-12 escalation", "04-05 escalation"],
    "h1@t.example": [
        "03-04 notice", "03-05 remind ack:due", "03-07 remind ack:parent",
        "03-27 remind r1:before", "03-29 remind r1:due", "04-02 remind r1:parent",
    ],
    # coordinating, named by no task: chased for its acknowledgement only
    "nganh@t.example": ["03-04 notice", "03-05 remind ack:due", "03-07 remind ack:parent"],
    # coordinating, named by a task (by its kind): it acknowledged, and is chased for the report
    "vc@t.example": ["03-04 notice", "03-27 remind r1:before", "03-29 remind r1:due", "04-02 remind r1:parent"],
    "vp@t.example": ["03-04 notice", "03-05 remind ack:due", "03-07 remind ack:parent"],  # informed: ack only
    "tu@t.example": ["03-04 notice"],  # superiors: the directive, and nothing else, ever
    "tw@t.example": ["03-04 notice"],
}  # fmt: skip
SUPERIOR_NAMES = ("Tỉnh ủy thử", "Tổng Liên đoàn Lao động thử")


@pytest.fixture
def tree(settings: Settings, tmp_path: Path) -> int:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "d.yaml").write_text(DIRECTIVE, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        directive, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        assert directive.id is not None
        return directive.id


def run_weeks(settings: Settings, mailbox: SmtpSink, directive_id: int, last: date) -> dict[str, list[str]]:
    """The monitor at 08:00 every day from the issue date to `last`, as tests/test_monitor.py drives it; the
    directive dispatched on its first day, VC and the superior TU confirming receipt that afternoon. Returns what
    the SMTP server received, per address, as "MM-DD kind"."""
    received: dict[str, list[str]] = {}
    seen, day = 0, date(2024, 3, 4)
    while day <= last:
        monitor(settings, at(day, 8))
        assert monitor(settings, at(day, 8)) == (0, 0), day  # the same instant again: nothing new
        if day == date(2024, 3, 4):
            with session_scope() as session:
                directive = session.get(Directive, directive_id)
                assert directive is not None
                dispatch(session, settings, directive)
            send_all(settings)
            for hour, code in ((15, "VC"), (16, "TU")):
                with session_scope() as session:
                    a = assignment_of(session, code)
                    done = acknowledge(session, a.id or 0, remote_addr="t", user_agent="t", now=at(day, hour))
                    assert done is not None and done.recorded and done.author_due is None  # passes nothing on
        for message in mailbox.messages[seen:]:
            for rcpt in message.rcpt_tos:
                received.setdefault(rcpt, []).append(f"{day.strftime('%m-%d')} {tag(message)}")
        seen = len(mailbox.messages)
        day += timedelta(days=1)
    return received


def test_superiors_are_never_chased_while_the_units_beside_them_are(
    settings: Settings, mailbox: SmtpSink, tree: int
) -> None:
    received = run_weeks(settings, mailbox, tree, date(2024, 4, 19))  # two weeks past the last escalation
    assert received == EXPECTED
    assert "tgnc@t.example" not in received and "tdkt@t.example" not in received  # the drafting department

    chasing = [m for m in mailbox.messages if tag(m) in ("digest", "escalation")]
    assert len(chasing) == 4
    for message in chasing:  # the digests to the issuer and the officer's escalations name units by name only
        text, html = message.text(), message.html()
        assert "LĐLĐ huyện Một" in text and ("thuộc LĐLĐ tỉnh thử" in text or tag(message) == "digest")
        for superior in SUPERIOR_NAMES:
            assert superior not in text and superior not in html and superior not in message.subject
        assert not CODES.search(text) and not CODES.search(message.subject), CODES.search(text + message.subject)
        assert "ngày làm việc" in text
    first = next(m for m in chasing if tag(m) == "escalation")
    # acknowledgement due 05/03, escalated 12/03: 5 working days late (the calendar says 7)
    assert "hạn 05/03/2024, quá 5 ngày làm việc" in first.text()
    assert {"LĐLĐ huyện Một", "Công đoàn ngành Y tế thử", "Văn phòng LĐLĐ tỉnh thử"} <= set(
        re.findall(r"^  - (.+?) \(thuộc", first.text(), re.M)
    )
    with session_scope() as session:
        steps = session.exec(select(AuditLog).where(col(AuditLog.event).startswith("escalation_"))).all()
        assert {s.unit_code for s in steps} == {"H1", "NGANH", "VC", "TINH_VP"}  # never TU, TW or TINH_TGNC
        assert len(steps) == 3 * 3 + 4 * 2  # ack: H1, NGANH, VP × due, parent, escalate; r1: H1, VC × 4 steps
        assert assignment_of(session, "TU").status == "acknowledged"  # it may confirm, as anyone can
        assert assignment_of(session, "TW").status == "arrived"  # and need not: never late for it


def test_what_each_role_owes_is_set_once_when_the_assignments_are_created(
    settings: Settings, mailbox: SmtpSink, tree: int
) -> None:
    with session_scope() as session:
        directive = session.get(Directive, tree)
        assert directive is not None
        dispatch(session, settings, directive)
        owed = {
            code: (a.role, a.report_due)
            for a, code in session.exec(
                select(Assignment, Unit.code).join(Unit, col(Unit.id) == col(Assignment.unit_id))
            ).all()
        }
    due = date(2024, 3, 29)
    assert owed == {
        "H1": ("act", due),
        "VC": ("coordinate", due),  # named by a task, by its kind
        "NGANH": ("coordinate", None),
        "TINH_VP": ("info", None),
        "TU": ("superior", None),
        "TW": ("superior", None),
    }  # and no assignment for TINH_TGNC, whose line the archive "VT, TgNc" names
    send_all(settings)
    notices = {m.rcpt_tos[0]: m for m in mailbox.messages}
    assert set(notices) == {f"{u}@t.example" for u in ("h1", "vc", "nganh", "vp", "tu", "tw")}
    with_report = {address for address, m in notices.items() if "/r/" in m.text()}
    assert with_report == {"h1@t.example", "vc@t.example"}  # the report link goes to those who owe a report
    own = "Nhiệm vụ của đơn vị:\n  1. Phối hợp tuyên truyền trong cán bộ"  # its own task, above the whole plan
    assert own in notices["vc@t.example"].text() and "Nhiệm vụ của đơn vị" not in notices["nganh@t.example"].text()


def test_a_coordinating_unit_named_by_code_owes_a_report_too(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    named = DIRECTIVE.replace("- {to: [H1], text:", "- {to: [H1, NGANH], text:")
    (tmp_path / "d.yaml").write_text(named, encoding="utf-8")
    with session_scope() as session:
        import_org(session, parse_org(tmp_path / "org.yaml"), source="org.yaml")
        directive, _ = store_directive(session, parse_directive(tmp_path / "d.yaml"))
        from cascade.dispatch.notices import create_assignments

        assert create_assignments(session, directive, WorkCalendar()) == 6
        assert assignment_of(session, "NGANH").report_due == date(2024, 3, 29)


def test_figures_never_count_a_superior_late(settings: Settings, mailbox: SmtpSink, tree: int) -> None:
    run_weeks(settings, mailbox, tree, date(2024, 3, 4))
    today = date(2024, 4, 19)
    with session_scope() as session:
        summary = summarise(session, tree, today, limit=50, named=10)
        late = count_rows(session, directive_id=tree, today=today, status="overdue")
        waiting = count_rows(session, directive_id=tree, today=today, status="unacknowledged")
        reports = count_rows(session, directive_id=tree, today=today, status="report_overdue")
    # H1, NGANH and VP are late to acknowledge; TW, a superior, has not confirmed and is not late
    assert (summary.overdue, late, waiting, summary.unacknowledged) == (3, 3, 3, 3)
    assert sorted(summary.overdue_names) == ["Công đoàn ngành Y tế thử", "LĐLĐ huyện Một", "Văn phòng LĐLĐ tỉnh thử"]
    assert reports == 2  # H1 and VC, the two that owe a report
    # of the 4 units asked to acknowledge (not TU and TW), VC did; TU's confirmation counts in its status only
    assert (summary.total, summary.acknowledged, summary.progress, summary.recipients) == (4, 1, 25.0, 6)
    assert summary.counts == {"arrived": 4, "acknowledged": 2}
    rows = {r["name"]: r for r in summary.rows}
    assert rows["Tổng Liên đoàn Lao động thử"]["days_late"] == 0 and rows["LĐLĐ huyện Một"]["days_late"] > 20


def test_the_status_in_words(settings: Settings, mailbox: SmtpSink, tree: int) -> None:
    run_weeks(settings, mailbox, tree, date(2024, 3, 4))
    printed = CliRunner().invoke(app, ["status", "21/KH-LĐLĐ"])
    assert printed.exit_code == 0, printed.output
    lines = {line.split(" · ")[0].lstrip("├└─│ "): line for line in printed.output.splitlines() if " · " in line}
    assert set(lines) == {
        "LĐLĐ huyện Một Thực hiện",
        "Công đoàn ngành Y tế thử Phối hợp",
        "Công đoàn Viên chức thử Phối hợp",
        "Văn phòng LĐLĐ tỉnh thử Để biết",
        "Tỉnh ủy thử Để báo cáo",
        "Tổng Liên đoàn Lao động thử Để báo cáo",
    }
    assert "QUÁ HẠN" in lines["LĐLĐ huyện Một Thực hiện"] and "ngày làm việc" in lines["LĐLĐ huyện Một Thực hiện"]
    assert "QUÁ HẠN" not in lines["Tổng Liên đoàn Lao động thử Để báo cáo"]
    assert not CODES.search(printed.output), CODES.search(printed.output)

    as_json = CliRunner().invoke(app, ["status", "21/KH-LĐLĐ", "--json"])
    units = {u["unit"]: u for u in json.loads(as_json.stdout)["units"]}  # for programs: the values stay
    assert (units["TW"]["role"], units["TW"]["role_label"], units["TW"]["kind_label"]) == (
        "superior",
        "Để báo cáo",
        "Tổng Liên đoàn Lao động",
    )

    with session_scope() as session:
        exported = to_csv(tree_rows(session, tree)).decode("utf-8-sig")
    assert {"Thực hiện", "Phối hợp", "Để biết", "Để báo cáo"} <= set(re.split(r"[,\r\n]", exported))
    assert not CODES.search(exported), CODES.search(exported)


def drafting(session: Session, directive_id: int, **changes: Any) -> str | None:
    directive = session.get(Directive, directive_id)
    assert directive is not None
    for name, value in changes.items():
        setattr(directive, name, value)
    found = duties.drafting_department(session, directive)
    return found.code if found else None


def test_the_drafting_department_is_found_by_its_archive_abbreviation_or_report_to(tree: int) -> None:
    with session_scope() as session:
        assert drafting(session, tree) == "TINH_TGNC"  # "VT, TgNc": the code's last part, any case
        assert drafting(session, tree, archive="Lưu: VT, tg-nc (02b).", report_to=None) == "TINH_TGNC"
        assert drafting(session, tree, archive="VT, TđKT") == "TINH_D7"  # its symbol, accents aside
        assert drafting(session, tree, archive="VT, tdkt") == "TINH_D7"
        assert drafting(session, tree, archive="VT", report_to="TINH_VP") == "TINH_VP"  # no second part
        assert drafting(session, tree, archive="VT, XYZ", report_to="TINH_VP") == "TINH_VP"  # names none
        assert drafting(session, tree, archive=None, report_to=None) is None
        # a unit outside the issuer's departments is never taken for its drafting department
        assert drafting(session, tree, archive="VT, H1", report_to=None) is None
        session.rollback()
        recipients = session.exec(select(Recipient).where(Recipient.directive_id == tree)).all()
        assert len(recipients) == 7  # the drafting department keeps its line in the Nơi nhận
