"""Start the `cascade-directive` flow for a draft the console has claimed (cascade/console/launch_claim.py), and
keep its flow run's id and Prefect UI link on the draft.

- With a Prefect API configured (PREFECT_API_URL in Prefect's settings) that has the `cascade-directive`
  deployment (`prefect deploy --all`, prefect.yaml): `run_deployment(…, timeout=0, as_subflow=False,
  idempotency_key=f"directive-{id}")`, so a worker runs it, and a second start of the same directive is the
  same flow run (Prefect's idempotency key).
- Otherwise (no API, the ephemeral one, or a server without the deployment, such as `prefect server start` alone
  or the test harness): in the background of the web process. The flow run is created first with the Prefect
  client, which gives its id at once, then a worker thread runs the same flow function on it (Prefect's
  `run_flow`), so what runs and what the Prefect UI shows are the same as under a worker. The web layer sits
  below `flows/` (pyproject's import contracts): the flow is loaded by its entrypoint, as prefect.yaml names it
  and a worker loads it (`load_flow_from_entrypoint`), not imported.

If the start fails after the claim (the Prefect API down, the process stopped before the thread ran it), the
directive is stored and not dispatched (`dispatched_at` is NULL): the `dispatch-pending` flow
(flows/dispatch_pending.py, hourly in prefect.yaml, or `cascade dispatch`) finds it through
cascade/directives/store.py `undispatched_directives` and runs `cascade-directive` for it, which sends only what
is still owed. The draft then keeps no flow run id (the API answers null for it)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from cascade.core.settings import Settings
from models import DirectiveDraft

log = logging.getLogger("cascade.web.launching")

DEPLOYMENT = "cascade-directive/cascade-directive"
# prefect.yaml's entrypoint (flows/cascade_directive.py:cascade_directive), in its module form: it is found on
# the import path wherever the package is installed, not only from the project's folder.
ENTRYPOINT = "flows.cascade_directive:cascade_directive"
REPLACE_DEPLOYMENT, REPLACE_ENTRYPOINT = "replace-directive/replace-directive", "flows.replace:replace_directive"
RECALL_DEPLOYMENT, RECALL_ENTRYPOINT = "recall-directive/recall-directive", "flows.recall:recall_directive"
# The background runs of this process, by directive id (tests wait for them; a finished one is dropped).
RUNNING: dict[int, threading.Thread] = {}


def flow_run_url(settings: Settings, flow_run_id: str | None) -> str | None:
    """The flow run's page in the Prefect UI, or None when no UI is configured (CASCADE_PREFECT_UI_URL)."""
    base = settings.web.prefect_ui_url.rstrip("/")
    return f"{base}/runs/flow-run/{flow_run_id}" if base and flow_run_id else None


def api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


@dataclass(frozen=True)
class FlowStart:
    """A flow to start for a directive: its deployment (prefect.yaml), its entrypoint in module form (found on the
    import path wherever the package is installed) and its parameters."""

    deployment: str
    entrypoint: str
    parameters: dict[str, Any]
    directive_id: int
    key: str  # Prefect's idempotency key: a second start of the same thing is the same flow run


def deployment_exists(name: str) -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(name)
        except ObjectNotFound:
            return False
    return True


def _by_deployment(start: FlowStart) -> str:
    from prefect.deployments import run_deployment

    flow_run: Any = run_deployment(
        start.deployment, parameters=start.parameters, timeout=0, as_subflow=False, idempotency_key=start.key
    )
    return str(flow_run.id)


def created_run(entrypoint: str, parameters: dict[str, Any]) -> tuple[Any, Any]:
    """The flow of an entrypoint and a new flow run of it (its id known at once), to run in this process."""
    from prefect.client.orchestration import get_client
    from prefect.flows import load_flow_from_entrypoint

    flow: Any = load_flow_from_entrypoint(entrypoint)
    with get_client(sync_client=True) as client:
        return flow, client.create_flow_run(flow, parameters=parameters)


def run_created(flow: Any, flow_run: Any, parameters: dict[str, Any], key: str) -> None:
    """Run a created flow run in this thread (Prefect's `run_flow`, as a worker would); a failure is logged."""
    from prefect.flow_engine import run_flow

    try:
        run_flow(flow, flow_run=flow_run, parameters=parameters)
    except BaseException:  # noqa: BLE001 - logged; dispatch-pending finishes what this run did not
        log.exception("flow run %s (%s) failed; dispatch-pending resumes what it owed", flow_run.id, key)


def _in_background(start: FlowStart) -> str:
    flow, flow_run = created_run(start.entrypoint, start.parameters)

    def run() -> None:
        try:
            run_created(flow, flow_run, start.parameters, start.key)
        finally:
            RUNNING.pop(start.directive_id, None)

    thread = threading.Thread(target=run, name=start.key, daemon=True)
    RUNNING[start.directive_id] = thread
    thread.start()
    return str(flow_run.id)


def run_flow_for(start: FlowStart) -> str:
    """Start the flow run: through its deployment when the configured Prefect API has it, else in the background."""
    if api_url() and deployment_exists(start.deployment):
        return _by_deployment(start)
    return _in_background(start)


def start_flow(directive_id: int) -> str:
    """Start the directive's flow run; its id. A directive that replaces another runs `replace-directive`, which
    tells the old one's units what replaced it before it cascades."""
    if _replaces_another(directive_id):
        return run_flow_for(FlowStart(REPLACE_DEPLOYMENT, REPLACE_ENTRYPOINT, {"directive_id": directive_id},
                                      directive_id, f"replace-{directive_id}"))  # fmt: skip
    return run_flow_for(FlowStart(DEPLOYMENT, ENTRYPOINT, {"directive_id": directive_id}, directive_id,
                                  f"directive-{directive_id}"))  # fmt: skip


def start_recall(*, directive_id: int, number: str, issuer: str, reason: str, actor: str) -> str:
    """Start the `recall-directive` flow run (the same as `cascade recall`); its id."""
    parameters = {"number": number, "issuer": issuer, "reason": reason, "actor": actor}
    return run_flow_for(FlowStart(RECALL_DEPLOYMENT, RECALL_ENTRYPOINT, parameters, directive_id,
                                  f"recall-{directive_id}"))  # fmt: skip


def _replaces_another(directive_id: int) -> bool:
    from cascade.core.db import session_scope
    from models import Directive

    with session_scope() as session:
        query = select(Directive.id).where(Directive.replaced_by_id == directive_id)
        return session.exec(query).first() is not None


def launch(state: Any, draft_id: int) -> tuple[str | None, str | None]:
    """Start the flow of a claimed draft (request.app.state: its settings and engine) and keep the flow run on
    the draft; (flow_run_id, flow_run_url). A draft already started gives its run again; a start that fails is
    logged and gives (None, None): its directive is dispatched by dispatch-pending."""
    settings: Settings = state.settings
    with Session(state.engine) as session:
        draft = session.get(DirectiveDraft, draft_id)
        if draft is None or draft.directive_id is None:
            raise LookupError(f"draft {draft_id} is not launched")
        if draft.flow_run_id:
            return draft.flow_run_id, draft.flow_run_url
        directive_id = draft.directive_id
    try:
        run_id = start_flow(directive_id)
    except Exception:  # noqa: BLE001 - the directive is stored: dispatch-pending sends it
        log.exception("could not start the flow of directive %s; dispatch-pending will send it", directive_id)
        return None, None
    url = flow_run_url(settings, run_id)
    table = DirectiveDraft.__table__  # type: ignore[attr-defined]
    with Session(state.engine) as session:
        session.execute(
            update(table)
            .where(table.c.id == draft_id, table.c.flow_run_id.is_(None))
            .values(flow_run_id=run_id, flow_run_url=url)
        )
        session.commit()
        draft = session.get(DirectiveDraft, draft_id)
        assert draft is not None
        return draft.flow_run_id, draft.flow_run_url
