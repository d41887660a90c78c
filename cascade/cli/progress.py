"""A rich progress display for `cascade launch`: polls the outbox while the flow runs (rendered, sent)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func
from sqlmodel import Session, col, select

from cascade.core.db import get_engine
from models import Directive, MailStatus, OutboxMessage, Unit


def _counts(session: Session, number: str, issuer: str) -> tuple[int, int]:
    """(notices rendered, notices sent) of the directive `number` of `issuer`, once it is stored."""
    directive_id = session.exec(
        select(Directive.id)
        .join(Unit, col(Unit.id) == col(Directive.issuer_id))
        .where(Directive.number == number, Unit.code == issuer)
        .order_by(col(Directive.id).desc())
    ).first()
    if directive_id is None:
        return 0, 0
    rows = session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.directive_id == directive_id, OutboxMessage.kind == "notice")
        .group_by(col(OutboxMessage.status))
    ).all()
    by_status = {status: int(n) for status, n in rows}
    return sum(by_status.values()), by_status.get(MailStatus.sent, 0)


@contextmanager
def dispatch_progress(console: Console, number: str, issuer: str, total: int, every: float = 1.0) -> Iterator[None]:
    """Bars for the notices rendered and sent, refreshed from the database every `every` seconds."""
    stop = threading.Event()
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        rendered_bar = progress.add_task("rendered", total=total)
        sent_bar = progress.add_task("sent", total=total)

        def poll() -> None:
            while not stop.is_set():
                try:
                    with Session(get_engine()) as session:
                        rendered, sent = _counts(session, number, issuer)
                    progress.update(rendered_bar, completed=rendered)
                    progress.update(sent_bar, completed=sent)
                except Exception:  # noqa: BLE001 - a display must never break the dispatch
                    pass
                stop.wait(every)

        thread = threading.Thread(target=poll, name="cascade-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)
            with Session(get_engine()) as session:
                rendered, sent = _counts(session, number, issuer)
            progress.update(rendered_bar, completed=rendered)
            progress.update(sent_bar, completed=sent)
