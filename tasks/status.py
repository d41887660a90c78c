"""Publishes a directive's status as Prefect artifacts a supervisor finds from the run page."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_progress_artifact, create_table_artifact

from cascade.db import session_scope
from cascade.status import directive_status
from models import ACKNOWLEDGED_STATES, Directive


def artifact_key(directive: Directive) -> str:
    # Artifact keys allow lowercase letters, digits and dashes only.
    return f"directive-{directive.id}-status"


@task(name="publish-status")
def publish_status_task(directive_id: int) -> float:
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        status = directive_status(session, directive)
        key = artifact_key(directive)
    own = [u for u in status["units"] if u["level"] == 1]
    done = sum(1 for u in own if u["status"] in ACKNOWLEDGED_STATES)
    progress = round(100.0 * done / len(own), 1) if own else 100.0
    table = [
        {
            k: u[k]
            for k in (
                "unit",
                "name",
                "role",
                "status_label",
                "edxml",
                "ack_due",
                "report_due",
                "acknowledged_at",
            )
        }
        for u in own
    ]
    create_table_artifact(table=table, key=key, description=f"{status['number']}: người nhận và trạng thái")
    create_progress_artifact(
        progress=progress, key=f"{key}-progress", description=f"{status['number']}: tỉ lệ đã xác nhận"
    )
    return progress
