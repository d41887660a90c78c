"""Publishes a directive's status as Prefect artifacts a supervisor finds from the run page.

The artifacts are a summary, not the tree: figures computed by the database and at most TABLE_ROWS direct
recipients, so publishing costs the same memory for 100,000 recipients as for 20 (building every row took
650 MiB there). The full list is the web app's supervisor view, which the artifacts link to."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, create_table_artifact

from cascade.core.db import session_scope
from cascade.status.summary import Summary, summarise
from models import Directive

TABLE_ROWS = 200


def artifact_key(directive: Directive) -> str:
    # Artifact keys allow lowercase letters, digits and dashes only.
    return f"directive-{directive.id}-status"


def supervisor_url(directive_id: int) -> str:
    from cascade.core.settings import get_settings

    return f"{get_settings().web.public_url.rstrip('/')}/admin/directives/{directive_id}"


def truncation_note(summary: Summary, url: str) -> str:
    """What the table leaves out and where the full list is ("" when it holds every direct recipient)."""
    if not summary.truncated:
        return ""
    return f"Bảng chỉ gồm {len(summary.rows)} trên {summary.total} đơn vị nhận trực tiếp; danh sách đầy đủ: {url}"


def supervisor_markdown(directive: Directive, summary: Summary, url: str) -> str:
    """A short summary with the link to the directive's supervisor view in the web app."""
    from cascade.rendering.render import STATUS_LABELS

    counts = ", ".join(f"{STATUS_LABELS.get(s, s)}: {n}" for s, n in sorted(summary.counts.items()))
    named = ", ".join(summary.overdue_codes) + (", …" if summary.overdue > len(summary.overdue_codes) else "")
    lines = [
        f"## {directive.number}",
        f"_{directive.summary}_",
        "",
        f"- Đã xác nhận (đơn vị nhận trực tiếp): **{summary.progress}%** ({summary.acknowledged}/{summary.total})",
        f"- Trạng thái (mọi cấp): {counts}",
        f"- Quá hạn xác nhận: **{summary.overdue}** đơn vị {named}",
    ]
    if summary.truncated:
        shown = f"{len(summary.rows)} trên {summary.total}"
        lines.append(
            f"- Bảng người nhận chỉ gồm {shown} đơn vị nhận trực tiếp đầu tiên: danh sách đầy đủ ở trang theo dõi."
        )
    lines += ["", f"**[Mở trang theo dõi (cây đơn vị, quá hạn, xuất Excel)]({url})**"]
    return "\n".join(lines)


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
        table=summary.rows,
        key=key,
        description=f"{directive.number}: người nhận và trạng thái" + (f". {note}" if note else ""),
    )
    create_progress_artifact(
        progress=summary.progress, key=f"{key}-progress", description=f"{directive.number}: tỉ lệ đã xác nhận"
    )
    create_markdown_artifact(markdown=supervisor_markdown(directive, summary, url), key=f"{key}-summary")
    return summary.progress
