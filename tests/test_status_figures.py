"""A directive's status figures (cascade/status/summary.py, the one implementation, in SQL) against figures this
test counts itself from the raw Assignment rows, on a small three-level tree holding every status; and the same
figures in `cascade status` and in both supervisor views (the tree, and the paged view a big directive gets).
On a real SQLite file, or PostgreSQL with CASCADE_TEST_DATABASE_URL."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

import web.admin
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.rendering.render import STATUS_LABELS
from cascade.status.oversight import today_vn
from cascade.status.page import late_rows
from cascade.status.summary import acknowledged_shares, count_rows, level_counts, summarise, tree_size
from cascade.status.tree import directive_status
from models import Assignment, Directive, Unit
from tests.cascade_helpers import plant_tree
from tests.test_status_artifact import working_days_late
from tests.test_status_paging import admin_web  # noqa: F401  (fixture)

NUMBER = "17/KH-LĐLĐ"
# The test's own words for the statuses, not the code's sets.
ACKNOWLEDGED = {"acknowledged", "assigned", "in_progress", "completed"}
WAITING = {"queued", "arrived"}
LEVELS = re.compile(r'<tr><th scope="row">(\d+)</th><td>(\d+)</td>\n((?:<td>\d*</td>)*)<td>(\d+)%</td></tr>')


def mixed_units(today: date) -> list[dict[str, Any]]:
    """Every status, three levels, an `info` recipient and a `superior` one (its acknowledgement long past due, yet
    never late: it is informed, not asked); deadlines past, recent and to come."""
    recent, later, long_ago = today - timedelta(days=3), today + timedelta(days=3), today - timedelta(days=40)
    return [
        {
            "unit": "LDLD_TD",
            "status": "assigned",
            "report_due": long_ago,
            "below": [
                {"unit": "LDLD_TD_CS1", "status": "completed", "report_due": long_ago},
                {"unit": "LDLD_TD_CS2", "status": "arrived", "ack_due": recent},
                {"unit": "LDLD_TD_CS3", "status": "queued", "ack_due": later},
            ],
        },
        {
            "unit": "LDLD_PT",
            "status": "acknowledged",
            "report_due": recent,
            "below": [
                {"unit": "LDLD_PT_CS1", "status": "in_progress", "report_due": recent},
                {"unit": "LDLD_PT_CS2", "status": "refused", "ack_due": long_ago, "report_due": long_ago},
                {"unit": "LDLD_PT_CS3", "status": "arrived", "ack_due": long_ago},
            ],
        },
        {"unit": "LDLD_SH", "status": "arrived", "ack_due": recent},
        {"unit": "LDLD_MT", "status": "queued", "ack_due": long_ago, "report_due": later},
        {"unit": "LDLD_NN", "status": "queued", "ack_due": later},
        {"unit": "LDLD_VP", "role": "info", "status": "arrived", "ack_due": recent},
        {"unit": "TU_LC", "role": "superior", "status": "arrived", "ack_due": long_ago},
        {
            "unit": "CDN_GD",
            "status": "acknowledged",
            "below": [
                {
                    "unit": "CDN_GD_CS1",
                    "status": "assigned",
                    "below": [
                        {"unit": "CDN_GD_CS2", "status": "queued", "ack_due": recent},
                        {"unit": "CDVC_CS1", "status": "completed"},
                    ],
                }
            ],
        },
        {"unit": "CDN_YT", "status": "refused"},
    ]


@dataclass
class Raw:
    """One assignment of the tree as the test reads it from the table, with the level the test gives it."""

    level: int
    code: str
    a: Assignment


@pytest.fixture
def mixed(settings: Settings, sample_org: None) -> int:
    with session_scope() as session:
        directive = plant_tree(session, "LDLD_LC", mixed_units(today_vn()), NUMBER)
        assert directive.id is not None
        return directive.id


def raw_tree(directive_id: int) -> list[Raw]:
    """Every assignment under the directive, each with its level: the directive's own are level 1, those of a
    directive a level-n assignment implements are level n + 1."""
    with session_scope() as session:
        assignments = list(session.exec(select(Assignment)).all())
        codes = {u.id: u.code for u in session.exec(select(Unit)).all()}
        session.expunge_all()
    level_of, placed = {directive_id: 1}, True
    while placed:
        placed = False
        for a in assignments:
            child = a.implementing_directive_id
            if a.directive_id in level_of and child is not None and child not in level_of:
                level_of[child], placed = level_of[a.directive_id] + 1, True
    return [Raw(level_of[a.directive_id], codes[a.unit_id], a) for a in assignments if a.directive_id in level_of]


def asked(r: Raw) -> bool:
    """Asked to acknowledge: every role but a superior's ("để báo cáo")."""
    return r.a.role != "superior"


def late_to_acknowledge(tree: list[Raw], today: date) -> list[Raw]:
    late = [r for r in tree if asked(r) and r.a.status in WAITING and r.a.ack_due < today]
    return sorted(late, key=lambda r: (r.a.ack_due, r.level, r.code))


def late_to_report(tree: list[Raw], today: date) -> list[Raw]:
    def owes(r: Raw) -> bool:  # a report deadline is the one fact of owing a report
        due = r.a.report_due
        return due is not None and due < today and r.a.status not in ("completed", "refused")

    return sorted((r for r in tree if owes(r)), key=lambda r: (r.a.report_due, r.level, r.code))


def per_level(tree: list[Raw]) -> list[tuple[int, int, dict[str, int], int, int]]:
    """(level, units, count of each status in STATUS_LABELS order, acknowledged, their share in %) per level; the
    share of the units asked to acknowledge."""
    lines = []
    for level in sorted({r.level for r in tree}):
        statuses = Counter(r.a.status for r in tree if r.level == level)
        owing = [r for r in tree if r.level == level and asked(r)]
        done = sum(1 for r in owing if r.a.status in ACKNOWLEDGED)
        counts = {s: statuses.get(s, 0) for s in STATUS_LABELS}
        lines.append((level, sum(statuses.values()), counts, done, round(100 * done / len(owing))))
    return lines


def test_sql_figures_match_the_raw_rows(mixed: int) -> None:
    today, tree = today_vn(), raw_tree(mixed)
    by_status = Counter(r.a.status for r in tree)
    direct = [r for r in tree if r.level == 1 and asked(r)]
    acknowledged = sum(1 for r in direct if r.a.status in ACKNOWLEDGED)
    late, owing = late_to_acknowledge(tree, today), late_to_report(tree, today)
    assert {r.level for r in tree} == {1, 2, 3} and set(by_status) == set(STATUS_LABELS)  # the tree is mixed
    assert len(late) == 6 and len(owing) == 3 and 0 < acknowledged < len(direct)
    assert "TU_LC" not in {r.code for r in late}  # the superior, 40 days past its date, is not late
    with session_scope() as session:
        summary = summarise(session, mixed, today, limit=50, named=4)
        levels = level_counts(session, directive_id=mixed)
        status = directive_status(session, session.get(Directive, mixed))  # type: ignore[arg-type]
        size = tree_size(session, directive_id=mixed)
        filtered = {f: count_rows(session, directive_id=mixed, today=today, status=f) for f in STATUS_LABELS}
        unacknowledged = count_rows(session, directive_id=mixed, today=today, status="unacknowledged")
        late_listed = late_rows(session, directive_id=mixed, today=today, status="overdue")
        owing_rows = late_rows(session, directive_id=mixed, today=today, status="report_overdue")
        children = {r.a.implementing_directive_id for r in tree if r.a.implementing_directive_id is not None}
        shares = acknowledged_shares(session, [mixed, *children])

    assert summary.counts == dict(by_status) == status["counts"] and size == len(tree) == 18
    assert filtered == {s: by_status.get(s, 0) for s in STATUS_LABELS}
    assert unacknowledged == sum(1 for r in tree if asked(r) and r.a.status in WAITING) == summary.unacknowledged
    assert (summary.total, summary.acknowledged) == (len(direct), acknowledged) == (8, 3)
    assert summary.progress == round(100 * acknowledged / len(direct), 1) == 37.5
    names = {r.code: u["name"] for r in tree for u in status["units"] if u["unit"] == r.code}
    assert summary.overdue == len(late) and summary.overdue_names == [names[r.code] for r in late[:4]]
    every_direct = [r for r in tree if r.level == 1]  # the superior too: it is listed, just not counted late
    assert [r["unit"] for r in summary.rows] == [r.code for r in sorted(every_direct, key=lambda r: (r.a.role, r.code))]
    assert [
        (line["level"], line["total"], line["counts"], line["acknowledged"], line["percent"]) for line in levels
    ] == (per_level(tree))
    assert [(r["unit"], r["level"], r["days_late"]) for r in late_listed] == [
        (r.code, r.level, working_days_late(r.a.ack_due, today)) for r in late
    ]  # in working days: 40 calendar days late are some 28 working days
    assert [(r["unit"], r["days_late"]) for r in owing_rows] == [
        (r.code, working_days_late(r.a.report_due, today))  # type: ignore[arg-type]
        for r in owing
    ]
    for directive_id, (total, done) in shares.items():
        own = [r for r in tree if r.a.directive_id == directive_id and asked(r)]
        assert (total, done) == (len(own), sum(1 for r in own if r.a.status in ACKNOWLEDGED))
    assert set(shares) == {mixed, *children}
    assert Counter(u["status"] for u in status["units"]) == by_status  # the rows are the same assignments
    assert [(u["unit"], u["level"]) for u in status["units"]][:5] == [
        ("CDN_GD", 1),
        ("CDN_GD_CS1", 2),
        ("CDN_GD_CS2", 3),
        ("CDVC_CS1", 3),
        ("CDN_YT", 1),
    ]  # depth first: each unit, then the units of the directive it issued


def test_cascade_status_prints_the_counts_in_words(mixed: int) -> None:
    by_status = Counter(r.a.status for r in raw_tree(mixed))
    result = CliRunner().invoke(app, ["status", NUMBER, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == dict(by_status)  # --json keeps the values, for programs
    printed = CliRunner().invoke(app, ["status", NUMBER])
    assert printed.exit_code == 0, printed.output
    counts = dict(re.findall(r"([^:,]+):\s+(\d+)", printed.output.split("Counts: ")[-1]))
    assert {label.strip(): int(n) for label, n in counts.items()} == {STATUS_LABELS[s]: n for s, n in by_status.items()}
    for raw in ("queued", "arrived", "acknowledged", "in_progress", "TU_LC", "LDLD_SH", "superior", "act", "info"):
        assert raw not in printed.output, raw


def test_both_supervisor_views_show_the_raw_figures(
    mixed: int,
    admin_web: httpx.Client,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today, tree = today_vn(), raw_tree(mixed)
    late, owing = late_to_acknowledge(tree, today), late_to_report(tree, today)
    expected_levels = [
        (level, total, [str(n or "") for n in counts.values()], percent)
        for level, total, counts, _, percent in per_level(tree)
    ]

    def levels_on(text: str) -> list[tuple[int, int, list[str], int]]:
        return [
            (int(level), int(total), re.findall(r"<td>(\d*)</td>", cells), int(percent))
            for level, total, cells, percent in LEVELS.findall(text)
        ]

    small = admin_web.get(f"/admin/directives/{mixed}")
    assert small.status_code == 200 and 'id="tree"' in small.text
    assert f"Quá hạn xác nhận ({len(late)})" in small.text and f"Quá hạn báo cáo ({len(owing)})" in small.text
    assert levels_on(small.text) == expected_levels

    monkeypatch.setattr(web.admin, "TREE_LIMIT", 0)  # the view of a big directive, for the same tree
    paged = admin_web.get(f"/admin/directives/{mixed}")
    assert paged.status_code == 200 and 'id="page-info"' in paged.text
    assert levels_on(paged.text) == expected_levels
    direct = [r for r in tree if r.level == 1 and asked(r)]
    done = sum(1 for r in direct if r.a.status in ACKNOWLEDGED)
    percent = f"{round(100 * done / len(direct), 1)}".replace(".", ",")  # 37,5: a Vietnamese decimal comma
    assert f"<strong>{percent}%</strong> ({done}/{len(direct)})" in paged.text
    assert f'<strong id="overdue-count">{len(late)}</strong>' in paged.text
    assert f"Quá hạn báo cáo</a>: {len(owing)}" in paged.text and f"Tất cả ({len(tree)})" in paged.text
    for status, label in STATUS_LABELS.items():
        assert f"{label} ({sum(1 for r in tree if r.a.status == status)})" in paged.text
