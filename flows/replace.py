"""The `replace-directive` flow: a directive whose file says `replaces: "NUMBER"`. Storing it closes the old one
(and its pass-ons); their units are told what replaced it (an artifact of what was sent), then the new directive
cascades in its own `cascade-directive` run. Acknowledgements of the old one are not carried over."""

from __future__ import annotations

from typing import TypedDict

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.cascade_directive import DispatchTotals, cascade_directive
from models.schema import init_db
from tasks.directive import store_directive_task
from tasks.lifecycle import lifecycle_run_name, notify_replaced_task, publish_outcome_task, send_notices


class ReplaceTotals(TypedDict):
    directive_id: int
    replaced_notices: int
    replaced_sent: int
    cancelled: int
    dispatch: DispatchTotals  # the new directive's cascade


def run_name() -> str:
    return lifecycle_run_name("replace", flow_run.parameters or {})


@flow(name="replace-directive", flow_run_name=run_name, log_prints=False)
def replace_directive(directive_file: str | None = None, directive_id: int | None = None) -> ReplaceTotals:
    """Launch a directive that replaces another of its issuer's: close the old one, tell its units, cascade it.

    Args:
        directive_file: Path of the new directive's file (YAML), which says `replaces: "NUMBER"`.
        directive_id: Or the id of such a directive already stored (the console stores it at launch).
    """
    init_db()
    if directive_file:
        directive_id = store_directive_task(directive_file)
    if directive_id is None:
        raise ValueError("give directive_file (a directive YAML file that says replaces:) or directive_id")
    outcome = notify_replaced_task(directive_id)
    sent = send_notices(outcome["message_ids"])
    publish_outcome_task(outcome)
    dispatch = cascade_directive(directive_id=directive_id)
    get_run_logger().info("replaced by %s: %s, then %s", outcome["number"], sent.as_dict(), dispatch)
    return {"directive_id": directive_id, "replaced_notices": len(outcome["message_ids"]),
            "replaced_sent": sent.sent, "cancelled": outcome["cancelled"], "dispatch": dispatch}  # fmt: skip
