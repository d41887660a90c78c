"""How the API starts a claimed draft's flow when the Prefect server has the `cascade-directive` deployment: through
run_deployment (a worker would run it), the same flow run for a second start (its idempotency key); and, with
no worker taking it, the directive waits stored and undispatched until `dispatch-pending` sends it, as
web/launching.py says. The background path (no deployment) is tests/test_api_directives.py's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
import yaml

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.store import undispatched_directives
from tests.api_helpers import LIMIT, PLAN_DAY, SAMPLE_YAML, accounts, served, upload
from web import launching

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"


def test_the_background_run_loads_the_deployments_entrypoint() -> None:
    deployments = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]
    [entry] = [d["entrypoint"] for d in deployments if d["name"] == "cascade-directive"]
    path, _, name = entry.partition(":")
    assert launching.ENTRYPOINT == f"{path.removesuffix('.py').replace('/', '.')}:{name}"


@pytest.fixture
def deployment(prefect_harness: None) -> Iterator[UUID]:
    """The cascade-directive deployment on the test server (no work pool, no worker: its runs stay scheduled)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("cascade-directive")
        made = client.create_deployment(flow_id=flow_id, name="cascade-directive",
                                        entrypoint="flows/cascade_directive.py:cascade_directive")  # fmt: skip
    try:
        yield made
    finally:  # the other tests' launches must take the background path again
        with get_client(sync_client=True) as client:
            client.delete_deployment(made)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", PLAN_DAY)
    monkeypatch.setenv("CASCADE_ORIGINAL_MAX_BYTES", str(LIMIT))


def test_launch_through_the_deployment(
    env: None, settings: Settings, sample_org: None, deployment: UUID, mailbox: SmtpSink
) -> None:
    from prefect.client.orchestration import get_client

    from flows.dispatch_pending import dispatch_pending

    heads = accounts()
    with served(settings) as base, httpx.Client(base_url=base, timeout=60) as client:
        draft = upload(client, heads["province"], "252.yaml", SAMPLE_YAML.read_bytes()).json()
        answer = client.post(f"/api/directives/{draft['id']}/launch", headers=heads["province"])
        assert answer.status_code == 202, answer.text
        launched: dict[str, Any] = answer.json()
        assert launched["flow_run_url"] is None  # no CASCADE_PREFECT_UI_URL: no link
    directive_id = launched["directive_id"]
    with get_client(sync_client=True) as prefect:
        run = prefect.read_flow_run(UUID(launched["flow_run_id"]))
    assert run.deployment_id == deployment and run.parameters == {"directive_id": directive_id}
    assert run.idempotency_key == f"directive-{directive_id}"
    assert launching.start_flow(directive_id) == launched["flow_run_id"]  # the same run, not a second one
    assert directive_id not in launching.RUNNING  # nothing ran in the web process
    # No worker runs it here: nothing is sent, and dispatch-pending is what picks the directive up
    assert mailbox.messages == []
    with session_scope() as session:
        assert undispatched_directives(session) == [directive_id]
    assert dispatch_pending()["directives"] == 1
    assert len(mailbox.messages) == 23  # 24 recipients, but the drafting department is owed none
    with session_scope() as session:
        assert undispatched_directives(session) == []


def test_a_failed_start_leaves_the_directive_to_dispatch_pending(
    env: None, settings: Settings, sample_org: None, prefect_harness: None, mailbox: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from flows.dispatch_pending import dispatch_pending

    def prefect_down(directive_id: int) -> str:
        raise httpx.ConnectError("the Prefect API does not answer")

    monkeypatch.setattr(launching, "start_flow", prefect_down)
    heads = accounts()
    with served(settings) as base, httpx.Client(base_url=base, timeout=60) as client:
        draft = upload(client, heads["province"], "252.yaml", SAMPLE_YAML.read_bytes()).json()
        answer = client.post(f"/api/directives/{draft['id']}/launch", headers=heads["province"])
    assert answer.status_code == 202 and answer.json()["flow_run_id"] is None
    with session_scope() as session:
        assert undispatched_directives(session) == [answer.json()["directive_id"]]
    assert dispatch_pending()["directives"] == 1 and len(mailbox.messages) == 23
