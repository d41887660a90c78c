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
(flows/dispatch_pending.py, every five minutes in prefect.yaml, or `cascade dispatch`) finds it through
cascade/directives/store.py `undispatched_directives` and runs `cascade-directive` for it, which sends only what
is still owed. The draft then keeps no flow run id (the API answers null for it)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from cascade.core.settings import Settings
from models import DirectiveDraft

log = logging.getLogger("cascade.web.launching")

DEPLOYMENT = "cascade-directive/cascade-directive"
# prefect.yaml's entrypoint (flows/cascade_directive.py:cascade_directive), in its module form: it is found on
# the import path wherever the package is installed, not only from the project's folder.
ENTRYPOINT = "flows.cascade_directive:cascade_directive"
# The background runs of this process, by directive id (tests wait for them; a finished one is dropped).
RUNNING: dict[int, threading.Thread] = {}


def flow_run_url(settings: Settings, flow_run_id: str | None) -> str | None:
    """The flow run's page in the Prefect UI, or None when no UI is configured (CASCADE_PREFECT_UI_URL)."""
    base = settings.web.prefect_ui_url.rstrip("/")
    return f"{base}/runs/flow-run/{flow_run_id}" if base and flow_run_id else None


def api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def _deployment_exists() -> bool:
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(DEPLOYMENT)
        except ObjectNotFound:
            return False
    return True


def _by_deployment(directive_id: int) -> str:
    from prefect.deployments import run_deployment

    flow_run: Any = run_deployment(
        DEPLOYMENT,
        parameters={"directive_id": directive_id},
        timeout=0,
        as_subflow=False,
        idempotency_key=f"directive-{directive_id}",
    )
    return str(flow_run.id)


def _in_background(directive_id: int) -> str:
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.flows import load_flow_from_entrypoint

    flow: Any = load_flow_from_entrypoint(ENTRYPOINT)
    parameters = {"directive_id": directive_id}
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(flow, parameters=parameters)

    def run() -> None:
        try:
            run_flow(flow, flow_run=flow_run, parameters=parameters)
        except BaseException:  # noqa: BLE001 - logged; dispatch-pending finishes what this run did not
            log.exception("flow run %s of directive %s failed; dispatch-pending resumes it", flow_run.id, directive_id)
        finally:
            RUNNING.pop(directive_id, None)

    thread = threading.Thread(target=run, name=f"cascade-directive-{directive_id}", daemon=True)
    RUNNING[directive_id] = thread
    thread.start()
    return str(flow_run.id)


def start_flow(directive_id: int) -> str:
    """Start the directive's flow run; its id."""
    if api_url() and _deployment_exists():
        return _by_deployment(directive_id)
    return _in_background(directive_id)


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
