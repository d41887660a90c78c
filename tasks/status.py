"""Publishes a directive's status as Prefect artifacts a supervisor finds from the run page."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from cascade.db import session_scope
from cascade.status import directive_status
from models import ACKNOWLEDGED_STATES, Directive


def artifact_key(directive: Directive) -> str:
    # Artifact keys allow lowercase letters, digits and dashes only.
    return f"directive-{directive.id}-status"


def supervisor_markdown(directive_id: int, status: dict[str, Any], progress: float) -> str:
    """A short summary with the link to the directive's supervisor view in the web app."""
    from cascade.oversight import ack_overdue, today_vn, with_supervisors
    from cascade.render import STATUS_LABELS
    from cascade.settings import get_settings

    url = f"{get_settings().public_url.rstrip('/')}/admin/directives/{directive_id}"
    rows = with_supervisors(status["units"], status["issuer"] or "")
    late = ack_overdue(rows, today_vn())
    counts = ", ".join(f"{STATUS_LABELS.get(s, s)}: {n}" for s, n in sorted(status["counts"].items()))
    lines = [
        f"## {status['number']}",
        f"_{status['summary']}_",
        "",
        f"- Đã xác nhận (đơn vị nhận trực tiếp): **{progress}%**",
        f"- Trạng thái: {counts}",
        f"- Quá hạn xác nhận: **{len(late)}** đơn vị {', '.join(r['unit'] for r in late[:10])}",
        "",
        f"**[Mở trang theo dõi (cây đơn vị, quá hạn, xuất Excel)]({url})**",
    ]
    return "\n".join(lines)


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
    create_markdown_artifact(markdown=supervisor_markdown(directive_id, status, progress), key=f"{key}-summary")
    return progress
