"""The `publish-status` artifacts: figures computed in SQL that agree with the full status tree, at most
`max_rows` direct recipients in the table (saying so, and where the full list is), and memory that does not
grow with the number of recipients."""

from __future__ import annotations

import json
import re
import tracemalloc
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.orggen import generate, shape
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments
from cascade.org.orgtree import import_org, parse_org
from cascade.replies.acknowledge import acknowledge
from cascade.status.batch import batch_figures
from cascade.status.oversight import today_vn
from cascade.status.summary import summarise
from cascade.status.tree import directive_status
from models import Assignment, CascadeMode, Directive, Recipient, Status, Unit
from tasks.status import publish_status_task
from tests.cascade_helpers import assignment_id_of, store_sample

COLUMNS = (
    *("unit", "name", "role", "role_label", "status_label", "edxml", "ack_due", "report_due", "acknowledged_at"),
    "days_late",
)
NOW = datetime(2021, 5, 21, 2, tzinfo=UTC)
# The sample's Nơi nhận as the test reads it: the five bodies above the federation it reports to, and its 24
# recipients of which one, the drafting department (Lưu: VT, TgNc), gets no assignment.
SUPERIORS = {"TU_LC", "TLD_VN", "VP_TU", "BDV_TU", "BTG_TU"}
ASSIGNED, ASKED = 23, 18  # 24 recipients less Ban Tuyên giáo - Nữ công; of them, less the five superiors
# What a person may never read in an artifact, a page, an export or the command line's tree: a unit code, a
# kind, a role's raw value.
CODES = re.compile(r"\b(?:[A-Z]+_[A-Z0-9_]+|act|coordinate|info|superior|district_federation|grassroots_union)\b")


def working_days_late(due: date, today: date) -> int:
    """The test's own count of working days from `due` to `today`: weekdays that are not Vietnamese public
    holidays (the `holidays` package's calendar, not cascade/core/workdays.py)."""
    days_off = holidays.country_holidays("VN", years=range(due.year, today.year + 1))
    day, late = due, 0
    while day < today:
        day += timedelta(days=1)
        late += day.weekday() < 5 and day not in days_off
    return late


def two_level_sample() -> int:
    """The sample directive: three units acknowledged, LDLD_TD's own plan dispatched one level down (forward),
    LDLD_PT left to write its own (author mode, pending); the others overdue today."""
    with session_scope() as session:
        directive = store_sample(session)
        assert directive.id is not None
        unit_id = session.exec(select(Unit.id).where(Unit.code == "LDLD_PT")).one()
        recipient = session.exec(
            select(Recipient).where(Recipient.directive_id == directive.id, Recipient.unit_id == unit_id)
        ).one()
        recipient.mode = CascadeMode.author
        session.add(recipient)
        for code in ("LDLD_TD", "LDLD_PT", "CDCS_XOSO"):
            acknowledge(session, assignment_id_of(session, code), remote_addr="t", user_agent="t", now=NOW)
        district = session.get(Assignment, assignment_id_of(session, "LDLD_TD"))
        child = session.get(Directive, district.implementing_directive_id)  # type: ignore[union-attr]
        assert child is not None
        create_assignments(session, child, WorkCalendar())
        return directive.id


def supervised(units: list[dict[str, Any]], root_issuer: str) -> list[dict[str, Any]]:
    """The test's own supervisor of each row of the depth-first tree: the nearest row above it one level up (the
    directive's issuer for level 1); none for a superior, informed and never chased."""
    above, out = {0: root_issuer}, []
    for u in units:
        above[u["level"]] = u["name"]
        chaser = None if u["role"] == "superior" else above.get(u["level"] - 1, root_issuer)
        out.append({**u, "supervisor": chaser})
    return out


def late_units(units: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The test's own list of the units late to acknowledge, with their working days late: asked to acknowledge
    (not a superior), not acknowledged, due before today; most overdue first, then by level and unit code."""
    late = [
        {**u, "days_late": working_days_late(date.fromisoformat(u["ack_due"]), today)}
        for u in units
        if u["role"] != "superior" and u["status"] in ("queued", "arrived") and u["ack_due"] < today.isoformat()
    ]
    return sorted(late, key=lambda u: (-u["days_late"], u["level"], u["unit"]))


def latest(key: str) -> Any:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC, limit=1
        )
    assert found, key
    return found[0]


@pytest.mark.usefixtures("sample_org")
def test_sql_figures_agree_with_the_full_status_tree(settings: Settings) -> None:
    directive_id = two_level_sample()
    today = today_vn()
    with session_scope() as session:
        full = directive_status(session, session.get(Directive, directive_id))  # type: ignore[arg-type]
        for limit in (5, 200):
            summary = summarise(session, directive_id, today, limit)
            own = [u for u in full["units"] if u["level"] == 1]
            late = late_units(full["units"], today)
            assert full["units"][-1]["level"] == 1 and any(u["level"] == 2 for u in full["units"])
            assert summary.counts == dict(Counter(u["status"] for u in full["units"]))
            # The share counts the 18 units asked to acknowledge: 3 of them did (the superiors are not asked).
            assert (summary.total, summary.acknowledged, summary.progress) == (ASKED, 3, 16.7)
            assert (summary.overdue, summary.overdue_names) == (len(late), [r["name"] for r in late[:10]])
            assert not SUPERIORS & {r["unit"] for r in late} and summary.recipients == len(own) == ASSIGNED
            assert summary.rows == [{k: u[k] for k in COLUMNS} for u in own][:limit]
            assert summary.truncated == (limit < ASSIGNED)
    pending = next(r for r in summary.rows if r["unit"] == "LDLD_PT")
    assert pending["status_label"] == "Đã tiếp nhận, chưa triển khai xuống"


@pytest.mark.usefixtures("sample_org")
def test_a_batch_of_directives_gets_the_figures_of_each_alone(settings: Settings) -> None:
    # The monitor republishes many directives from a few queries per batch (cascade/status/batch.py): each
    # directive's figures must be the ones summarise gives it alone, at either level of the two-level sample.
    root = two_level_sample()
    today = today_vn()
    with session_scope() as session:
        xoso = session.get(Assignment, assignment_id_of(session, "CDCS_XOSO"))
        assert xoso is not None
        xoso.status = Status.completed  # reported for its one cycle
        session.add(xoso)
        session.flush()
        child = session.exec(select(Directive.id).where(Directive.parent_directive_id == root)).one()
        assert child is not None
        for limit, named in ((5, 3), (200, 10)):
            batch = batch_figures(session, [root, child], today, limit, named)
            for directive_id in (root, child):
                assert batch[directive_id].summary == summarise(session, directive_id, today, limit, named)
        own = session.exec(select(Assignment).where(Assignment.directive_id == root)).all()
    owing = [a for a in own if a.report_due is not None and a.status != Status.refused]
    assert (batch[root].owe_report, batch[root].reported) == (len(owing), 1) and len(owing) > 1
    assert batch[child].summary.total > 0 and batch[child].summary.rows


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_the_table_artifact_is_capped_and_says_where_the_full_list_is(settings: Settings) -> None:
    directive_id = two_level_sample()
    url = f"{settings.web.public_url}/admin/directives/{directive_id}"
    key = f"directive-{directive_id}-status"
    assert publish_status_task(directive_id, max_rows=5) == 16.7
    table = latest(key)
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    header = ["Đơn vị", "Vai trò", "Trạng thái", "Mã edXML", "Hạn xác nhận", "Đã xác nhận lúc", "Hạn báo cáo"]
    assert len(rows) == 5 and list(rows[0]) == [*header, "Quá hạn xác nhận"]
    assert f"5 trên {ASSIGNED}" in table.description and url in table.description
    summary = str(latest(f"{key}-summary").data)
    assert f"**16,7%** (3/{ASKED})" in summary and f"]({url})" in summary  # a Vietnamese decimal comma
    assert f"Bảng người nhận chỉ gồm 5 trên {ASSIGNED} đơn vị nhận trực tiếp" in summary
    assert latest(f"{key}-progress").data == 16.7

    publish_status_task(directive_id)  # the default cap holds all 23: nothing to say about truncation
    table = latest(key)
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert len(rows) == ASSIGNED and url not in table.description
    summary = str(latest(f"{key}-summary").data)
    assert "Bảng người nhận chỉ gồm" not in summary
    by_name = {r["Đơn vị"]: r for r in rows}
    party, district = by_name["Tỉnh ủy Lai Châu"], by_name["Liên đoàn Lao động huyện Mường Tè"]
    today = today_vn()
    assert party["Vai trò"] == "Để báo cáo" and party["Quá hạn xác nhận"] == ""  # informed, never late
    late = f"{working_days_late(date(2021, 5, 21), today):,}".replace(",", ".")  # 1.234: a Vietnamese number
    assert district["Vai trò"] == "Thực hiện" and district["Quá hạn xác nhận"] == f"quá {late} ngày làm việc"
    assert district["Hạn xác nhận"] == "21/05/2021" and by_name["Văn phòng LĐLĐ tỉnh"]["Vai trò"] == "Để biết"
    assert "Ban Tuyên giáo - Nữ công LĐLĐ tỉnh" not in by_name  # the drafting department is not asked
    assert "Tỉnh ủy Lai Châu" not in summary and "Liên đoàn Lao động huyện Mường Tè" in summary  # named, by name
    for text in [summary, table.description, *(value for r in rows for value in r.values())]:
        assert not CODES.search(text), text


def test_memory_stays_flat_with_thousands_of_recipients(settings: Settings, tmp_path: Path) -> None:
    org, directive_file = tmp_path / "org.yaml", tmp_path / "directive.yaml"
    generate(org, shape(3_000), directive_file)
    with session_scope() as session:
        import_org(session, parse_org(org), source=str(org))
    with session_scope() as session:
        directive, _ = store_directive(session, parse_directive(directive_file))
        create_assignments(session, directive, WorkCalendar())
        directive_id = directive.id
    assert directive_id is not None
    with session_scope() as session:
        summarise(session, directive_id, today_vn(), 200)  # warm: compiled statements, connection
        tracemalloc.start()
        summary = summarise(session, directive_id, today_vn(), 200)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert summary.total > 3_000 and len(summary.rows) == 200 and summary.truncated
    assert sum(summary.counts.values()) == summary.total
    # Every row of the tree as dicts would be ~20 MB here (650 MiB at 100,000); 200 rows are well under 2 MB.
    assert peak < 2 * 1024 * 1024, peak
