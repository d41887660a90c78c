"""The `add-recipients` flow: a directive already sent goes to more units (bổ sung nơi nhận), with their roles,
tasks and deadlines counted from today; their notices go out in a `cascade-directive` run of the directive (which
reaches only the units without one), and an artifact lists what was sent."""

from __future__ import annotations

from typing import TypedDict

from prefect import flow
from prefect.runtime import flow_run

from flows.cascade_directive import cascade_directive
from models.schema import init_db
from tasks.lifecycle import add_recipients_task, lifecycle_run_name, publish_outcome_task


class AddTotals(TypedDict):
    directive_id: int
    added: int
    sent: int
    failed: int
    bounced: int


def run_name() -> str:
    return lifecycle_run_name("add-recipients", flow_run.parameters or {})


@flow(name="add-recipients", flow_run_name=run_name, log_prints=False)
def add_recipients(number: str, issuer: str, recipients_file: str, actor: str = "cli") -> AddTotals:
    """Send a directive to more units.

    Args:
        number: The directive's number.
        issuer: The issuing unit's code.
        recipients_file: A YAML file of `recipients` ({unit, role}) and `tasks` ({to, text}).
        actor: Who added them, for the audit log.
    """
    init_db()
    outcome = add_recipients_task(number, issuer, recipients_file, actor)
    totals = cascade_directive(directive_id=outcome["directive_id"])
    publish_outcome_task(outcome)
    return {"directive_id": outcome["directive_id"], "added": len(outcome.get("assignment_ids", [])),
            "sent": totals["sent"], "failed": totals["failed"], "bounced": totals["bounced"]}  # fmt: skip
