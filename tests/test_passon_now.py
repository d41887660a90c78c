"""The pass-on goes out at once, from the web process itself when there is no Prefect server with the `pass-on`
deployment (the embedded default): the real app over HTTP, the real `pass-on` flow on the session's Prefect test
server, real mail. The sink's record of what it received is the oracle; no `dispatch-pending` run is made until
the end, where it finds nothing left to do."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.webserver import BackgroundServer
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from models import UserRole
from tests.accounts_helpers import add_account
from tests.cascade_helpers import click, directive_file, import_tree, issued_by, mail_by_unit, numbers_by_unit
from tests.lifecycle_helpers import prefect_client
from tests.test_decisions import ADMIN, TAM_DUONG, code_of, launch, pick_form, refuse_by_link, signed_in
from web.app import create_app
from web.passon_trigger import notifier_of

pytestmark = pytest.mark.usefixtures("prefect_harness")
COALESCE_MS = 2000  # long enough for two clicks made one after the other to fall in one window on a busy machine


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


@pytest.fixture
def app_now(settings: Settings) -> Iterator[tuple[str, Any]]:
    """The web app with CASCADE_PASSON_DISPATCH=now (the product's default; the suite's fixture turns it off)."""
    web = settings.web.model_copy(update={"passon_dispatch": "now", "passon_coalesce_ms": COALESCE_MS})
    app = create_app(settings.model_copy(update={"web": web}))
    with BackgroundServer(app, settings.web.public_host, settings.web.public_port):
        yield settings.web.public_url, app.state


@pytest.fixture
def started() -> datetime:
    return datetime.now(UTC)


def pass_on_runs(directive_ids: set[int], started: datetime) -> list[Any]:
    """This test's `pass-on` runs that carried any of these directives (the session's server keeps other tests'
    runs, and ids start again in each test's database)."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with prefect_client() as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["pass-on"])))
    mine = [r for r in runs if r.created is not None and r.created >= started]
    return [r for r in mine if directive_ids & set(r.parameters.get("directive_ids") or [])]


def test_acknowledgements_pass_the_directive_on_at_once(
    settings: Settings, mailbox: SmtpSink, app_now: tuple[str, Any], tmp_path: Path, started: datetime
) -> None:
    base, state = app_now
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))

    click(mailbox, base, "LDLD")  # forward mode: its Công văn is issued, and goes out without any schedule
    assert notifier_of(state).wait_idle(120)
    got = numbers_by_unit(mailbox)
    assert {code: got.get(code) for code in ("D_TD", "D_SH", "CDN_GD")} == dict.fromkeys(
        ("D_TD", "D_SH", "CDN_GD"), ["01/LĐLĐ"]
    )
    federation = issued_by("LDLD")
    assert [r.parameters["directive_ids"] for r in pass_on_runs({federation}, started)] == [[federation]]

    # Two acknowledgements within the coalescing window: one run carries both pass-ons.
    click(mailbox, base, "D_TD")
    click(mailbox, base, "CDN_GD")
    assert notifier_of(state).wait_idle(120)
    got = numbers_by_unit(mailbox)
    assert got["G_TD1"] == got["G_TD2"] == ["01/LĐLĐ-TĐ"] and got["G_GD1"] == ["01/CĐN"]
    district, sector = issued_by("D_TD"), issued_by("CDN_GD")
    runs = pass_on_runs({district, sector}, started)
    assert [sorted(r.parameters["directive_ids"]) for r in runs] == [sorted([district, sector])]
    assert all(r.state.is_completed() for r in pass_on_runs({federation, district, sector}, started))

    # The safety net finds nothing owed, and nobody got anything twice.
    assert dispatch_pending() == {"directives": 0, "other_messages": 0}
    assert {code: len(numbers) for code, numbers in numbers_by_unit(mailbox).items()} == {
        "LDLD": 1, "VP_TU": 1, "D_TD": 1, "D_SH": 1, "CDN_GD": 1, "G_TD1": 1, "G_TD2": 1, "G_GD1": 1,
    }  # fmt: skip


def test_schedule_mode_leaves_the_pass_on_to_dispatch_pending(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path, started: datetime
) -> None:
    """CASCADE_PASSON_DISPATCH=schedule (the suite's fixture): nothing goes down until a dispatch-pending run."""
    import_tree("tree-2021-four-levels.yaml")
    cascade_directive(directive_file=str(directive_file(tmp_path)))
    click(mailbox, web, "LDLD")
    time.sleep(3)  # well past the coalescing window (200 ms) of the immediate pass-on, had it been on
    assert "D_TD" not in numbers_by_unit(mailbox)
    assert pass_on_runs({issued_by("LDLD")}, started) == []
    assert dispatch_pending()["directives"] == 1
    assert numbers_by_unit(mailbox)["D_TD"] == ["01/LĐLĐ"]


@pytest.mark.usefixtures("sample_org")
def test_a_refusal_reaches_the_issuer_and_its_reroute_the_new_unit_at_once(
    settings: Settings, mailbox: SmtpSink, app_now: tuple[str, Any], tmp_path: Path, started: datetime
) -> None:
    base, state = app_now
    launch(tmp_path)
    refused = refuse_by_link(mailbox, base, "LDLD_PT", "Nội dung này thuộc huyện Tam Đường.")
    assert notifier_of(state).wait_idle(120)
    [told] = mail_by_unit(mailbox)["LDLD_LC"]  # the issuer's notice of the refusal, with no schedule
    assert f"/admin/refusals/{refused}" in told.text()

    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    with signed_in(base, ADMIN, f"/admin/refusals/{refused}") as admin:
        found = admin.get(f"/admin/refusals/{refused}", params={"q": "tam duong"})
        action, fields = pick_form(found.text, "unit", code_of(TAM_DUONG))
        assert admin.post(action, data=fields).status_code == 200
    assert notifier_of(state).wait_idle(120)
    [notice] = mail_by_unit(mailbox)["LDLD_TD"]
    assert "12/KH-LĐLĐ" in notice.subject
    assert dispatch_pending() == {"directives": 0, "other_messages": 0}
