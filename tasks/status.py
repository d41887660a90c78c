"""Publishes a directive's status as Prefect artifacts a supervisor finds from the run page, and the progress of
its dispatch while it runs.

The status artifacts (`directive-<id>-status`, `-status-progress`, `-status-summary`) are published at the end of
the dispatch, then again by every `monitor-deadlines` run for each open directive whose figures changed: the same
keys, so the Prefect UI keeps their history (the share confirmed and reported rising day by day). They are a
summary, not the tree: figures computed by the database and at most TABLE_ROWS direct recipients, so publishing
costs the same memory for 100,000 recipients as for 20 (building every row took 650 MiB there). The full list is
the web app's supervisor view and the console's live page, which the artifacts link to. What they say, in words a
person reads (no codes), is cascade/status/readable.py's.

The dispatch's progress artifact (`directive-<id>-sending`) is created when the dispatch starts and updated after
each batch: one API call a batch, never one a notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactCollectionFilter, ArtifactCollectionFilterKey

from cascade.core.db import session_scope
from cascade.core.settings import get_settings
from cascade.core.workdays import local_date
from cascade.delivery.counts import SendCounts
from cascade.dispatch.notices import outbox_batches
from cascade.rendering.render import vn_number
from cascade.status.batch import Figures, batch_figures, load_directives, open_directives
from cascade.status.readable import artifact_rows, status_markdown, truncation_note
from models import Directive

TABLE_ROWS = 200
# Directives per republishing task: each holds up to TABLE_ROWS rows in memory, so 50 keep a batch near 10,000.
STATUS_BATCH = 50


def artifact_key(directive: Directive | int) -> str:
    # Artifact keys allow lowercase letters, digits and dashes only.
    return f"directive-{directive if isinstance(directive, int) else directive.id}-status"


def supervisor_url(directive_id: int) -> str:
    return f"{get_settings().web.public_url.rstrip('/')}/admin/directives/{directive_id}"


def live_url(directive_id: int) -> str:
    """The console's live progress page of the directive (web/live.py)."""
    return f"{supervisor_url(directive_id)}/live"


def summary_markdown(directive: Directive, figures: Figures) -> str:
    """The `-status-summary` artifact's text (the dispatch and the monitor publish the same)."""
    reported = (figures.owe_report, figures.reported)
    url = supervisor_url(directive.id or 0)
    return status_markdown(directive, figures.summary, url, reported=reported, live_url=live_url(directive.id or 0))


def publish_figures(directive: Directive, figures: Figures, markdown: str | None = None) -> None:
    """The three status artifacts of one directive: three API calls."""
    key, summary, url = artifact_key(directive), figures.summary, supervisor_url(directive.id or 0)
    note = truncation_note(summary, url)
    create_table_artifact(
        table=artifact_rows(summary),
        key=key,
        description=f"{directive.number}: người nhận và trạng thái" + (f". {note}" if note else ""),
    )
    reported = f", {vn_number(figures.reported_share, 1)}% đã báo cáo" if figures.owe_report else ""
    create_progress_artifact(
        progress=summary.progress, key=f"{key}-progress", description=f"{directive.number}: tỉ lệ đã xác nhận{reported}"
    )
    create_markdown_artifact(markdown=markdown or summary_markdown(directive, figures), key=f"{key}-summary")


@task(name="publish-status")
def publish_status_task(directive_id: int, max_rows: int = TABLE_ROWS) -> float:
    """The dispatch's last step: the status artifacts as the dispatch leaves them."""
    from cascade.status.oversight import today_vn

    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        figures = batch_figures(session, [directive_id], today_vn(), max_rows)[directive_id]
    publish_figures(directive, figures)
    return figures.summary.progress


@task(name="find-open-directives", retries=2, retry_delay_seconds=2)
def find_open_directives_task(now: datetime) -> list[list[int]]:
    """The open directives on the monitor's day (cascade/status/batch.py says which), in batches."""
    with session_scope() as session:
        found = open_directives(session, local_date(now))
    return [found[i : i + STATUS_BATCH] for i in range(0, len(found), STATUS_BATCH)]


@task(name="republish-status", retries=2, retry_delay_seconds=2)
def republish_status_task(directive_ids: list[int], now: datetime) -> int:
    """Republish the status artifacts of a batch of open directives whose figures changed since their latest
    version; returns how many were republished. Six queries (the directives, then cascade/status/batch.py's
    five) and one API call to read the latest summaries for the batch, then three calls per directive that
    changed: an unchanged one adds no version, so a history read day by day shows when the figures moved, and
    a directive nobody answers does not grow Prefect's database every day."""
    today: date = local_date(now)
    with session_scope() as session:
        directives = load_directives(session, directive_ids)
        figures = batch_figures(session, list(directives), today, TABLE_ROWS)
    latest = latest_summaries([f"{artifact_key(i)}-summary" for i in directives])
    published = 0
    for directive_id, directive in directives.items():
        markdown = summary_markdown(directive, figures[directive_id])
        if latest.get(f"{artifact_key(directive_id)}-summary") == markdown:
            continue  # every figure the artifacts show is in the summary: nothing moved
        publish_figures(directive, figures[directive_id], markdown)
        published += 1
    get_run_logger().info("status of %d of %d open directives republished", published, len(directives))
    return published


def latest_summaries(keys: list[str]) -> dict[str, str]:
    """{key: the markdown of its latest version} for the keys that have one: one API call."""
    if not keys:
        return {}
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=keys)), limit=len(keys)
        )
    return {a.key: str(a.data) for a in found if a.key}


@dataclass
class SendingProgress:
    """The dispatch run's progress artifact: the share of the planned notices the mail server has taken (sent,
    or refused for good), updated by the flow after each batch."""

    artifact_id: UUID
    number: str
    planned: int
    rendered: int = 0
    sent: int = 0
    bounced: int = 0

    @property
    def percent(self) -> float:
        done = self.sent + self.bounced
        return round(100.0 * min(done, self.planned) / self.planned, 1) if self.planned else 100.0

    def description(self) -> str:
        done = f"{self.number}: đã gửi {vn_number(self.sent + self.bounced)}/{vn_number(self.planned)} thông báo"
        bounced = f", {vn_number(self.bounced)} bị trả lại (địa chỉ sai)" if self.bounced else ""
        rendering = self.rendered < self.planned and self.sent + self.bounced == 0
        return done + bounced + (f"; đã soạn {vn_number(self.rendered)}" if rendering else "")

    def advance(self, *, rendered: int = 0, counts: SendCounts | None = None) -> None:
        """After a batch: one API call."""
        self.rendered += rendered
        if counts is not None:
            self.sent, self.bounced = self.sent + counts.sent, self.bounced + counts.bounced
        self._publish()

    def show(self, *, rendered: int, sent: int, bounced: int) -> None:
        """Set the figures read elsewhere (a partitioned dispatch's parent reads its children's from the outbox)."""
        self.rendered, self.sent, self.bounced = rendered, sent, bounced
        self._publish()

    def _publish(self) -> None:
        # A bounce queues a "bad address" notice to the unit above, sent by the same run: the plan grows with it.
        self.planned = max(self.planned, self.sent + self.bounced)
        try:
            update_progress_artifact(self.artifact_id, progress=self.percent, description=self.description())
        except Exception:  # noqa: BLE001 - a progress bar never stops a dispatch; the next batch updates it again
            get_run_logger().warning("could not update the progress artifact of the dispatch", exc_info=True)


@task(name="start-sending-progress", retries=2, retry_delay_seconds=2)
def start_sending_progress_task(directive_id: int, to_render: int, part: str = "") -> SendingProgress:
    """Create the dispatch's progress artifact at 0: the plan is the notices still to render (`to_render`) and
    the rows a stopped run left owed in the outbox. A partition's run (`part` = "2/5") has its own artifact and
    plans only its notices to render."""
    settings = get_settings()
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        assert directive is not None
        owed = 0 if part else sum(len(b) for b in outbox_batches(session, directive_id, settings.delivery.batch_size))
        number = f"{directive.number} (phần {part})" if part else directive.number
    progress = SendingProgress(artifact_id=UUID(int=0), number=number, planned=to_render + owed)
    progress.artifact_id = cast(UUID, create_progress_artifact(  # typed as sync-or-async by Prefect
        progress=progress.percent if progress.planned == 0 else 0.0,
        key=f"directive-{directive_id}-sending" + (f"-part-{part.split('/')[0]}" if part else ""),
        description=progress.description(),
    ))  # fmt: skip
    return progress
