"""The `recall-directive` flow: a directive withdrawn (thu hồi), with the implementing directives issued under it;
one recall notice per unit holding any of them, and an artifact of what was sent."""

from __future__ import annotations

from typing import TypedDict

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from models.schema import init_db
from tasks.lifecycle import lifecycle_run_name, publish_outcome_task, recall_task, send_notices
from tasks.status import publish_status_task


class LifecycleTotals(TypedDict):
    """What a lifecycle run did; the CLI and the tests read it as a dict."""

    directive_id: int
    notices: int
    sent: int
    failed: int
    bounced: int
    cancelled: int


def run_name() -> str:
    return lifecycle_run_name("recall", flow_run.parameters or {})


@flow(name="recall-directive", flow_run_name=run_name, log_prints=False)
def recall_directive(number: str, issuer: str, reason: str, actor: str = "cli") -> LifecycleTotals:
    """Recall a directive: close it and its pass-ons, cancel their unsent mail, tell every unit holding them.

    Args:
        number: The directive's number, e.g. 31-KH/TU.
        issuer: The issuing unit's code (only the issuer recalls its directive).
        reason: Why it is recalled, as the units read it.
        actor: Who recalled it, for the audit log.
    """
    init_db()
    outcome = recall_task(number, issuer, reason, actor)
    sent = send_notices(outcome["message_ids"])
    publish_outcome_task(outcome)
    publish_status_task(outcome["directive_id"])
    get_run_logger().info("recalled %s: %s", number, sent.as_dict())
    return {"directive_id": outcome["directive_id"], "notices": len(outcome["message_ids"]), "sent": sent.sent,
            "failed": sent.failed, "bounced": sent.bounced, "cancelled": outcome["cancelled"]}  # fmt: skip
