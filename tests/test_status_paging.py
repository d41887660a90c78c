"""Big directives in the supervisor view and `cascade status`: figures from SQL, pages of PAGE_SIZE units,
status filters that find exactly the late ones; small directives keep the whole tree. Over real HTTP on a
real SQLite file (or PostgreSQL with CASCADE_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from sqlalchemy import update
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app, console
from cascade.cli.statusview import counts_line, status_tree
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.orggen import generate, shape
from cascade.dev.webserver import BackgroundServer
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments
from cascade.org.orgtree import import_org, parse_org
from cascade.status.oversight import today_vn
from cascade.status.page import PAGE_SIZE, TREE_LIMIT
from cascade.status.tree import directive_status
from models import Assignment, Directive, Unit
from tests.accounts_helpers import add_account, log_in
from tests.cascade_helpers import with_web
from tests.test_status_artifact import CODES, late_units, supervised, two_level_sample
from web.app import create_app

ADMIN = "van.phong@tld.example"  # an operator: the generated tree's top is the confederation
GRASSROOTS = 600  # with 4 federations and 4 intermediate units: 608 recipients, 7 pages of 100
ROW = re.compile(r'<tr data-unit="([^"]+)">')


@pytest.fixture
def admin_web(settings: Settings) -> Iterator[httpx.Client]:
    add_account(ADMIN, "operator")
    app_ = create_app(with_web(settings, inbox_dir=None))
    with BackgroundServer(app_, settings.web.public_host, settings.web.public_port):
        with httpx.Client(base_url=settings.web.public_url, timeout=60) as client:
            assert log_in(client, ADMIN).status_code == 303
            yield client


@pytest.fixture
def big(settings: Settings, tmp_path: Path) -> dict[str, Any]:
    """A national-shaped directive to 608 units, their statuses set by position in code order: every 5th
    acknowledged, every 5th + 1 arrived, every 50th + 2 refused, the rest queued; the not acknowledged ones at
    positions divisible by 7 are not due yet. Returns the directive's id, number and the expected sets."""
    org, directive_file = tmp_path / "org.yaml", tmp_path / "directive.yaml"
    generate(org, shape(GRASSROOTS), directive_file)
    today = today_vn()
    with session_scope() as session:
        import_org(session, parse_org(org), source=str(org))
    with session_scope() as session:
        directive, _ = store_directive(session, parse_directive(directive_file))
        create_assignments(session, directive, WorkCalendar())
        found = session.exec(
            select(Assignment.id, Unit.code, Unit.name).join(Unit, col(Unit.id) == col(Assignment.unit_id))
        ).all()
        codes = sorted(code for _, code, _ in found)
        ids = {code: aid for aid, code, _ in found}
        names = {code: name for _, code, name in found}
        status: dict[str, str] = {}
        for i, code in enumerate(codes):
            status[code] = ["acknowledged", "arrived", "queued", "queued", "queued"][i % 5]
            if i % 50 == 2:
                status[code] = "refused"
        at = datetime(2025, 9, 16, 3, tzinfo=UTC)
        for name in ("acknowledged", "arrived", "refused"):
            chosen = [ids[c] for c in codes if status[c] == name]
            values: dict[str, Any] = {"status": name} | ({"acknowledged_at": at} if name == "acknowledged" else {})
            session.execute(update(Assignment).where(col(Assignment.id).in_(chosen)).values(**values))
        waiting = [c for c in codes if status[c] in ("queued", "arrived")]
        not_due = [c for c in waiting if codes.index(c) % 7 == 0]
        later = today + timedelta(days=3)
        session.execute(
            update(Assignment).where(col(Assignment.id).in_([ids[c] for c in not_due])).values(ack_due=later)
        )
        assert directive.id is not None
        return {
            "id": directive.id,
            "number": directive.number,
            "codes": codes,
            "names": names,  # how a person finds each unit on a page, in an export or in the command line
            "status": status,
            "overdue": [c for c in waiting if c not in not_due],
        }


def units_on(client: httpx.Client, url: str) -> tuple[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.text, ROW.findall(response.text)


def test_pages_hold_every_unit_once_in_order_with_sql_figures(big: dict[str, Any], admin_web: httpx.Client) -> None:
    codes, base = big["codes"], f"/admin/directives/{big['id']}"
    assert len(codes) == 608 > TREE_LIMIT and PAGE_SIZE == 100
    seen: list[str] = []
    for number in range(1, 8):
        text, page = units_on(admin_web, f"{base}?page={number}")
        assert len(page) == (100 if number < 7 else 8)
        assert f"Trang {number}/7" in text
        seen += page
    assert seen == codes  # one level, one role: unit code order, as the full tree lists them
    text, first = units_on(admin_web, base)
    assert first == codes[:100] and 'id="tree"' not in text and 'rel="next" href="' + base + '?page=2"' in text
    assert f'<strong id="overdue-count">{len(big["overdue"])}</strong>' in text
    acknowledged = sum(1 for s in big["status"].values() if s == "acknowledged")
    percent = f"{round(100 * acknowledged / 608, 1)}".replace(".", ",")  # a Vietnamese decimal comma
    assert f"<strong>{percent}%</strong> ({acknowledged}/608)" in text
    assert "Danh sách đơn vị (608)" in text and "Từ chối tiếp nhận (13)" in text
    _, last = units_on(admin_web, f"{base}?page=99")  # past the end: the last page
    assert last == codes[600:]


def test_the_overdue_filter_finds_exactly_the_late_units(big: dict[str, Any], admin_web: httpx.Client) -> None:
    base, overdue = f"/admin/directives/{big['id']}", big["overdue"]
    assert 0 < len(overdue) < sum(1 for s in big["status"].values() if s in ("queued", "arrived"))
    text, page1 = units_on(admin_web, f"{base}?status=overdue")
    assert f"Quá hạn xác nhận ({len(overdue)})" in text and f"Trang 1/{-(-len(overdue) // 100)}" in text
    pages = [page1] + [units_on(admin_web, f"{base}?status=overdue&page={n}")[1] for n in range(2, 6)]
    assert len(overdue) == 406 and [len(p) for p in pages] == [100, 100, 100, 100, 6]
    assert sum(pages, []) == overdue  # all due the same day, all level 1: by code
    refused = [c for c in big["codes"] if big["status"][c] == "refused"]
    _, found = units_on(admin_web, f"{base}?status=refused")
    assert found == refused and len(refused) == 13
    assert admin_web.get(f"{base}?status=nonsense").status_code == 400
    assert admin_web.get(f"{base}?page=0").status_code == 422


@pytest.mark.usefixtures("sample_org")
def test_small_trees_keep_the_tree_and_filter_across_levels(settings: Settings, admin_web: httpx.Client) -> None:
    directive_id = two_level_sample()
    today = today_vn()
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        full = supervised(directive_status(session, directive)["units"], "Liên đoàn Lao động tỉnh Lai Châu")
    assert any(u["level"] == 2 for u in full)
    text, rows = units_on(admin_web, f"/admin/directives/{directive_id}")
    assert 'id="tree"' in text and 'id="page-info"' not in text and rows == [u["unit"] for u in full]
    late = late_units(full, today)
    text, found = units_on(admin_web, f"/admin/directives/{directive_id}?status=overdue")
    # 15 of the province's recipients (not the 5 superiors, never late) and the 3 units of the district's plan
    assert found == [r["unit"] for r in late] and len(found) == len(late) == 18
    cells = re.findall(
        r'<tr data-unit="([^"]+)">.*?</td>\n<td>(\d)</td>.*?<td>([^<]*)</td><td>[^<]*</td></tr>', text, re.S
    )
    assert [(c, int(level), who) for c, level, who in cells] == [(r["unit"], r["level"], r["supervisor"]) for r in late]
    assert "Liên đoàn Lao động huyện Tam Đường" in {r["supervisor"] for r in late}  # a level-2 unit's chaser


def test_cascade_status_prints_figures_and_the_first_units_of_a_big_directive(big: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["status", big["number"], "--limit", "7"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    listed = [line for line in lines if line.startswith("  L1 ")]
    assert len(listed) == 7 and len(lines) == 4 + 7 + 1 and not any(c in result.output for c in big["codes"])
    names = [big["names"][c] for c in big["codes"][:7]]  # by name, the role in words: no unit code, no role value
    assert all(line.startswith(f"  L1 {name} Thực hiện · ") for line, name in zip(listed, names, strict=True))
    acknowledged = sum(1 for s in big["status"].values() if s == "acknowledged")
    assert f"({acknowledged}/608) · Late to acknowledge: {len(big['overdue'])}" in lines[1]
    assert lines[3] == "7 of 608 units:" and lines[-1].startswith("… 601 more: --limit N")

    late = CliRunner().invoke(app, ["status", big["number"], "--overdue", "--limit", "5"])
    assert late.exit_code == 0, late.output
    listed = [line for line in late.output.splitlines() if line.startswith("  L1 ")]
    overdue = [big["names"][c] for c in big["overdue"][:5]]
    assert len(listed) == 5 and all(line.startswith(f"  L1 {n} ") for line, n in zip(listed, overdue, strict=True))
    assert all("QUÁ HẠN" in line and " ngày làm việc · hạn " in line for line in listed)
    assert "5 of 406 units late to acknowledge" in late.output and "?status=overdue" in late.output


@pytest.mark.usefixtures("sample_org")
def test_cascade_status_of_a_small_directive_is_still_the_whole_tree(settings: Settings) -> None:
    directive_id = two_level_sample()
    result = CliRunner().invoke(app, ["status", "252/KH-LĐLĐ"])
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        data = directive_status(session, session.get(Directive, directive_id))  # type: ignore[arg-type]
    expected = Console(file=io.StringIO(), width=max(console.width, 160), no_color=True)
    expected.print(status_tree(data))
    expected.print(counts_line(data))
    assert result.output == expected.file.getvalue()  # type: ignore[attr-defined]
    assert "Liên đoàn Lao động huyện Tam Đường Thực hiện" in result.output and "units:" not in result.output
    assert "Tỉnh ủy Lai Châu Để báo cáo · Chờ gửi" in result.output  # informed: no "QUÁ HẠN" on its line
    party = next(line for line in result.output.splitlines() if "Tỉnh ủy Lai Châu" in line)
    assert "QUÁ HẠN" not in party and "hạn" not in party  # nor a deadline: it owes no acknowledgement
    assert not CODES.search(result.output), CODES.search(result.output)
