"""The `amend-directive` flow: a directive's new version (đính chính) from its file; one update notice per unit
holding it (or a pass-on of it) saying what changed, and an artifact of what was sent."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.recall import LifecycleTotals
from models.schema import init_db
from tasks.lifecycle import amend_task, lifecycle_run_name, publish_outcome_task, send_notices
from tasks.status import publish_status_task


def run_name() -> str:
    return lifecycle_run_name("amend", flow_run.parameters or {})


@flow(name="amend-directive", flow_run_name=run_name, log_prints=False)
def amend_directive(
    directive_file: str, reacknowledge: bool = False, number: str | None = None, actor: str = "cli"
) -> LifecycleTotals:
    """Amend a directive with its file's new version (same number and issuer).

    Args:
        directive_file: Path of the directive file's new version (YAML).
        reacknowledge: The units confirm the new version again (and are chased for it).
        number: The number of the directive amended, when given it must be the file's.
        actor: Who amended it, for the audit log.
    """
    init_db()
    outcome = amend_task(directive_file, reacknowledge, number, actor)
    sent = send_notices(outcome["message_ids"])
    publish_outcome_task(outcome)
    publish_status_task(outcome["directive_id"])
    get_run_logger().info("amended %s: %s", outcome["number"], sent.as_dict())
    return {"directive_id": outcome["directive_id"], "notices": len(outcome["message_ids"]), "sent": sent.sent,
            "failed": sent.failed, "bounced": sent.bounced, "cancelled": 0}  # fmt: skip
