"""The same progress in the Prefect UI: the dispatch run's progress artifact advances batch by batch, and every
`monitor-deadlines` run republishes the keyed status artifacts of the open directives, so their history shows the
share confirmed and reported rising. Read back through the Prefect client of a real test server; the oracle is
the clicks made on the emailed links, the mail received and the rows written here, not the artifact code."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings, reset_settings
from cascade.dev.links import confirm_receipt, forms_in, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.topology import wait_until
from flows.cascade_directive import cascade_directive
from flows.monitor import monitor_deadlines
from models import Assignment, Directive
from tests.cascade_helpers import click, mail_by_unit, plant_tree
from tests.conftest import SAMPLE_DIRECTIVE
from tests.test_status_artifact import ASKED, ASSIGNED

TITLE = "252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu"
BATCH = 5  # 23 notices: batches of 5, 5, 5, 5 and 3


def versions(key: str, since: datetime) -> list[Any]:
    """Every version of a keyed artifact created since the test began, oldest first (the Prefect test server
    serves the whole session, and every test's database numbers its directives from 1)."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC
        )
    return [a for a in reversed(found) if a.created and a.created >= since]


def rows_of(table: Any) -> list[dict[str, str]]:
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert isinstance(rows, list)
    return rows


def vn_share(part: int, whole: int) -> str:
    """12,5 / 50: a share as the artifacts print it (a Vietnamese decimal comma, no ",0")."""
    return str(round(100 * part / whole, 1)).removesuffix(".0").replace(".", ",")


def run_flow_name(flow_run_id: Any) -> tuple[str, str]:
    """(the flow's name, the run's name) of the run an artifact belongs to."""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        return client.read_flow(run.flow_id).name, run.name


def updates_of(artifact_id: Any, expected: int) -> list[dict[str, Any]]:
    """The payloads of the `prefect.artifact.updated` events the server recorded for the artifact, in order
    (the server persists events a few seconds after they arrive)."""

    def read() -> list[dict[str, Any]] | None:
        with get_client(sync_client=True) as client:
            page = client.read_events(
                EventFilter(
                    event=EventNameFilter(name=["prefect.artifact.updated"]),
                    resource=EventResourceFilter(id=[f"prefect.artifact.{artifact_id}"]),
                ),
                limit=50,  # the most the API gives in a page
            )
        events = sorted(page.events, key=lambda e: e.occurred)
        return [e.payload for e in events] if len(events) >= expected else None

    found: list[dict[str, Any]] = wait_until(read, f"{expected} updates of the progress artifact", timeout=60)
    return found


@pytest.mark.usefixtures("prefect_harness", "sample_org")
@pytest.mark.parametrize("processes", [1, 2], ids=["one-process", "process-pool"])
def test_the_dispatch_progress_advances_batch_by_batch(
    settings: Settings, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    since = datetime.now(UTC)
    monkeypatch.setenv("CASCADE_BATCH_SIZE", str(BATCH))
    monkeypatch.setenv("CASCADE_DISPATCH_PROCESSES", str(processes))
    reset_settings()
    totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    received = len(mailbox.messages)
    assert received == totals["sent"] == ASSIGNED
    with session_scope() as session:
        directive_id = session.exec(select(Directive.id).where(Directive.number == "252/KH-LĐLĐ")).one()
    (artifact,) = versions(f"directive-{directive_id}-sending", since)
    assert artifact.type == "progress" and float(artifact.data) == 100.0
    assert artifact.description == f"252/KH-LĐLĐ: đã gửi {received}/{received} thông báo"
    assert run_flow_name(artifact.flow_run_id) == ("cascade-directive", TITLE)  # the dispatch run's own

    # The test's own count: one update per batch sent, each the share of the 23 notices sent so far; over a
    # process pool the five batches first render (still 0 sent), then send.
    batches = math.ceil(received / BATCH)
    sent_so_far = [min(received, BATCH * (i + 1)) for i in range(batches)]
    shares = [round(100 * n / received, 1) for n in sent_so_far]
    rendering = batches if processes > 1 else 0
    updates = updates_of(artifact.id, rendering + batches)
    assert [u["data"] for u in updates] == [0.0] * rendering + shares
    assert len(updates) > 1 and shares[-1] == 100.0
    assert updates[rendering]["description"] == f"252/KH-LĐLĐ: đã gửi {BATCH}/{received} thông báo"
    if rendering:
        assert updates[0]["description"] == f"252/KH-LĐLĐ: đã gửi 0/{received} thông báo; đã soạn {BATCH}"


def report_on(mailbox: SmtpSink, base_url: str, code: str) -> None:
    """The unit opens the report link of its notice and submits a report with every figure filled in."""
    notice = mail_by_unit(mailbox)[code][0].text()
    (link,) = set(re.findall(re.escape(base_url) + r"/r/[A-Za-z0-9_\-.]+", notice))
    with httpx.Client(timeout=30) as client:
        page = client.get(link)
        page.raise_for_status()
        form = next(f for f in forms_in(page.text) if f["method"] == "post")
        fields = {k: v for k, v in form["fields"].items() if k != "files"}  # type: ignore[attr-defined]
        fields.update({k: "1" for k in fields if k.startswith("fig_")}, text="Đã tổ chức tuyên truyền", action="submit")
        sent = client.post(link, data=fields)
    assert sent.status_code == 200 and "Đã gửi báo cáo" in sent.text, sent.text


def confirm_first_notice(mailbox: SmtpSink, base_url: str, code: str) -> None:
    """Confirm receipt through the link of the unit's notice (reminders came after it)."""
    link = links_in(mail_by_unit(mailbox)[code][0].text(), base_url)[0]
    with httpx.Client(timeout=30) as client:
        confirm_receipt(client, link).raise_for_status()


def planted() -> dict[str, int]:
    """Directives written straight into the tables, each open or not for a reason read from its rows (the report
    deadline of every planted directive, 30/6/2021, has passed)."""
    with session_scope() as session:
        trees = {
            # every unit reported or refused: nothing left to wait for
            "closed": plant_tree(session, "LDLD_THU", [
                {"unit": "LDLD_THU_CS1", "status": "completed"}, {"unit": "LDLD_THU_CS2", "status": "refused"}],
                "7/KH-DONG"),
            # acknowledged, but a report is still owed
            "report owed": plant_tree(session, "LDLD_NN", [
                {"unit": "LDLD_NN_CS2", "status": "acknowledged", "report_due": date(2021, 6, 30)}], "5/KH-BC"),
            # done at its own level; the level below has not acknowledged
            "open below": plant_tree(session, "LDLD_LC", [{"unit": "LDLD_TUY", "status": "completed", "below": [
                {"unit": "LDLD_TUY_CS1", "status": "arrived"}]}], "8/KH-MO"),
            "not dispatched": plant_tree(session, "LDLD_MT", [{"unit": "LDLD_MT_CS1", "status": "queued"}],
                "6/KH-CHUA"),
        }  # fmt: skip
        trees["not dispatched"].dispatched_at = None
        session.add(trees["not dispatched"])
        ids = {name: int(d.id or 0) for name, d in trees.items()}
        below = session.exec(select(Directive.id).where(Directive.parent_directive_id == ids["open below"])).one()
        return {**ids, "the level below": int(below or 0)}


def confirmed_in_db(directive_id: int) -> tuple[int, int]:
    """(units asked to acknowledge, how many did), counted in the database by the test."""
    with session_scope() as session:
        rows = session.exec(
            select(Assignment.status).where(Assignment.directive_id == directive_id, col(Assignment.role) != "superior")
        ).all()
    return len(rows), sum(s in ("acknowledged", "assigned", "in_progress", "completed") for s in rows)


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_each_monitor_run_republishes_the_open_directives(settings: Settings, mailbox: SmtpSink, web: str) -> None:
    since = datetime.now(UTC)
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    with session_scope() as session:
        sample = int(session.exec(select(Directive.id).where(Directive.number == "252/KH-LĐLĐ")).one() or 0)
        owing = len(session.exec(
            select(Assignment.id).where(Assignment.directive_id == sample, col(Assignment.report_due).is_not(None))
        ).all())  # fmt: skip
    key = f"directive-{sample}-status"
    assert [v.data for v in versions(f"{key}-progress", since)] == [0.0]  # the dispatch's, before anyone answered
    others = planted()

    for code in ("CDCS_CAPNUOC", "CDCS_XOSO", "LDLD_VP"):  # two grassroots unions and a department
        click(mailbox, web, code)
    assert monitor_deadlines()["republished"] == 4  # the sample, and three of the planted directives
    assert confirmed_in_db(sample) == (ASKED, 3)
    assert [v.data for v in versions(f"{key}-progress", since)] == [0.0, round(100 * 3 / ASKED, 1)]
    newest = versions(f"{key}-summary", since)[-1]
    assert run_flow_name(newest.flow_run_id)[0] == "monitor-deadlines"
    admin = f"{settings.web.public_url}/admin/directives/{sample}"
    assert f"]({admin})" in newest.data and f"]({admin}/live)" in newest.data
    assert f"(3/{ASKED})" in newest.data and f"(0/{owing})" in newest.data
    tables = versions(key, since)
    assert len(tables) == 2 and sum(bool(r["Đã xác nhận lúc"]) for r in rows_of(tables[-1])) == 3  # the clicks
    published = {name for name, i in others.items() if versions(f"directive-{i}-status-progress", since)}
    assert published == {"report owed", "open below", "the level below"}

    assert monitor_deadlines()["republished"] == 0  # nothing moved: no new version of anything
    assert len(versions(f"{key}-progress", since)) == 2

    report_on(mailbox, web, "CDCS_CAPNUOC")  # acknowledged earlier: its report raises the share reported only
    confirm_first_notice(mailbox, web, "CDCS_AGRIBANK")
    assert monitor_deadlines()["republished"] == 1
    assert confirmed_in_db(sample) == (ASKED, 4)
    assert [v.data for v in versions(f"{key}-progress", since)] == [
        0.0,
        round(100 * 3 / ASKED, 1),
        round(100 * 4 / ASKED, 1),
    ]
    newest = versions(f"{key}-summary", since)[-1]
    assert f"(4/{ASKED})" in newest.data and f"**{vn_share(1, owing)}%** (1/{owing})" in newest.data
