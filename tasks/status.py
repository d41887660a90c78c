"""Publishes a directive's status as Prefect artifacts a supervisor finds from the run page.

The artifacts are a summary, not the tree: figures computed by the database and at most TABLE_ROWS direct
recipients, so publishing costs the same memory for 100,000 recipients as for 20 (building every row took
650 MiB there). The full list is the web app's supervisor view, which the artifacts link to. What they say, in
words a person reads (no codes), is cascade/status/readable.py's."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from cascade.core.db import session_scope
from cascade.status.readable import artifact_rows, status_markdown, truncation_note
from cascade.status.summary import summarise
from models import Directive

TABLE_ROWS = 200


def artifact_key(directive: Directive) -> str:
    # Artifact keys allow lowercase letters, digits and dashes only.
    return f"directive-{directive.id}-status"


def supervisor_url(directive_id: int) -> str:
    from cascade.core.settings import get_settings

    return f"{get_settings().web.public_url.rstrip('/')}/admin/directives/{directive_id}"


@task(name="publish-status")
def publish_status_task(directive_id: int, max_rows: int = TABLE_ROWS) -> float:
    from cascade.status.oversight import today_vn

    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        summary = summarise(session, directive_id, today_vn(), max_rows)
        key = artifact_key(directive)
    url = supervisor_url(directive_id)
    note = truncation_note(summary, url)
    create_table_artifact(
        table=artifact_rows(summary),
        key=key,
        description=f"{directive.number}: người nhận và trạng thái" + (f". {note}" if note else ""),
    )
    create_progress_artifact(
        progress=summary.progress, key=f"{key}-progress", description=f"{directive.number}: tỉ lệ đã xác nhận"
    )
    create_markdown_artifact(markdown=status_markdown(directive, summary, url), key=f"{key}-summary")
    return summary.progress
