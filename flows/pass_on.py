"""The `pass-on` flow: dispatches, at once, the directives units have just issued below them.

A unit's acknowledgement that passes the directive on (forward mode), the implementing plan a unit writes on its
page, and a refusal rerouted from the console each leave a directive stored and not dispatched. The web process
then asks for this flow (web/passon_trigger.py): on a Prefect server with the `pass-on` deployment it emits the
event `cascade.pass-on.owed`, and the deployment's trigger in prefect.yaml starts a run with the event's
directives; without a server it runs this flow in its own background. Each run dispatches only those of its
directives still undispatched, so an event delivered twice, or a directive the hourly `dispatch-pending` safety net
sent first, costs a lookup and sends nothing."""

from __future__ import annotations

from typing import TypedDict

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.cascade_directive import dispatch_stored
from flows.sending import send_other_mail
from models.schema import init_db
from tasks.directive import find_owed_task, run_title


class PassOnTotals(TypedDict):
    directives: int  # dispatched by this run
    sent: int


def pass_on_run_name() -> str:
    """'pass-on · 12/CV-CĐ · Công đoàn …' (and '+ 3' when one run carries several)."""
    ids = list((flow_run.parameters or {}).get("directive_ids") or [])
    if not ids:
        return "pass-on"
    more = f" + {len(ids) - 1}" if len(ids) > 1 else ""
    return f"pass-on · {run_title({'directive_id': ids[0]})}{more}"


@flow(name="pass-on", flow_run_name=pass_on_run_name, log_prints=False)
def pass_on(directive_ids: list[int], other_mail: bool = False) -> PassOnTotals:
    """Dispatch the directives units have just issued to the units under them, if not dispatched yet.

    Args:
        directive_ids: The database ids of the directives (the event's payload).
        other_mail: Also send the other mail owed (a refusal's notice to the issuer, a successor's notices).
    """
    init_db()
    log = get_run_logger()
    owed = find_owed_task(directive_ids)
    sent, failed = 0, []
    for directive_id in owed:
        try:
            sent += dispatch_stored(directive_id)["sent"]
        except Exception:  # one directive's failure does not hold the others back; the run fails at the end
            log.exception("directive %s was not passed on; dispatch-pending sends what it still owes", directive_id)
            failed.append(directive_id)
    others = send_other_mail() if other_mail else 0
    log.info("%d of %d directive(s) passed on, %d notice(s) and %d other message(s) sent", len(owed) - len(failed),
             len(directive_ids), sent, others)  # fmt: skip
    if failed:
        raise RuntimeError(f"directives {failed} were not passed on (see the log above)")
    return {"directives": len(owed), "sent": sent + others}
