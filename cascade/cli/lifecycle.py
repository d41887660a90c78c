"""`cascade recall`, `cascade amend` and `cascade add-recipients`: a directive's life after launch. Each checks
its input first (a clear error, nothing written), then runs its Prefect flow (flows/recall.py, amend.py,
add_recipients.py), which does it in one transaction and publishes an artifact of what was sent. A directive
that replaces another is launched with `cascade launch` (its file says `replaces:`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from cascade.cli.common import console, fail, mail_stops
from cascade.core.errors import InputError

ACTOR = typer.Option(help="Who does it, for the audit log (default: cli)")
T = TypeVar("T")


def _quiet_prefect() -> None:
    import os

    # The SQLite-backed ephemeral server logs "database is locked" from its telemetry otherwise.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def recall_cli(
    number: str,
    issuer: Annotated[str, typer.Option(help="The issuing unit's code: only the issuer recalls its directive")],
    reason: Annotated[str, typer.Option(help="Why it is recalled, as the units will read it")],
    actor: Annotated[str, ACTOR] = "cli",
) -> None:
    """Recall (thu hồi) a directive and the implementing directives issued under it: every unit holding them is
    told, once, with the reason; their unsent mail is cancelled and nothing is chased any more."""
    from cascade.core.db import session_scope
    from cascade.lifecycle.recall import check_recall
    from models.schema import init_db

    init_db()
    try:
        with session_scope() as session:
            check_recall(session, number, issuer, reason)
    except InputError as exc:
        raise fail(exc) from None
    _quiet_prefect()
    from flows.recall import recall_directive

    with mail_stops():
        totals = run_flow(lambda: recall_directive(number=number, issuer=issuer, reason=reason, actor=actor))
    console.print(
        f"[green]{number}[/] recalled: {totals['sent']} recall notice(s) sent, {totals['failed']} to retry, "
        f"{totals['cancelled']} unsent message(s) cancelled."
    )


def amend_cli(
    file: Path,
    reacknowledge: Annotated[
        bool, typer.Option("--reacknowledge", help="The units confirm the new version again (and are chased)")
    ] = False,
    number: Annotated[
        str | None, typer.Option(help="The number of the directive amended (checked against the file's)")
    ] = None,
    actor: Annotated[str, ACTOR] = "cli",
) -> None:
    """Amend (đính chính) a directive with its file's new version, same number and issuer: the old version is
    kept, the units get one notice saying what changed, a later report deadline moves the ones below with it."""
    from cascade.core.db import session_scope
    from cascade.core.settings import get_settings
    from cascade.core.workdays import local_date, work_calendar
    from cascade.directives.specfile import parse_directive_file
    from cascade.lifecycle.amend import plan_amendment
    from models import utcnow
    from models.schema import init_db

    init_db()
    try:
        spec = parse_directive_file(file)
        with session_scope() as session:
            plan = plan_amendment(session, get_settings(), spec, today=local_date(utcnow()), calendar=work_calendar(),
                                  number=number, reacknowledge=reacknowledge)  # fmt: skip
            changes = [c.words for c in plan.changes]
            session.rollback()  # a check: the flow writes it
    except InputError as exc:
        raise fail(exc) from None
    console.print(f"Amending {spec.number}:")
    for line in changes:
        console.print(f"  • {line}", markup=False, highlight=False)
    _quiet_prefect()
    from flows.amend import amend_directive

    with mail_stops():
        totals = run_flow(
            lambda: amend_directive(
                directive_file=str(file.resolve()), reacknowledge=reacknowledge, number=number, actor=actor
            )  # fmt: skip
        )
    console.print(
        f"[green]{spec.number}[/] amended: {totals['sent']} update notice(s) sent, {totals['failed']} to retry."
    )


def add_recipients_cli(
    number: str,
    file: Path,
    issuer: Annotated[str, typer.Option(help="The issuing unit's code")],
    actor: Annotated[str, ACTOR] = "cli",
) -> None:
    """Send a directive already out to more units (bổ sung nơi nhận): FILE lists `recipients` ({unit, role}) and
    `tasks` ({to, text}); their deadlines count from today."""
    from cascade.core.db import session_scope
    from cascade.directives.recipients_file import parse_recipients_file
    from cascade.lifecycle.add_recipients import check_additions
    from models.schema import init_db

    init_db()
    try:
        spec = parse_recipients_file(file)
        with session_scope() as session:
            check_additions(session, number, issuer, spec)
    except InputError as exc:
        raise fail(exc) from None
    _quiet_prefect()
    from flows.add_recipients import add_recipients

    with mail_stops():
        totals = run_flow(
            lambda: add_recipients(number=number, issuer=issuer, recipients_file=str(file.resolve()), actor=actor)
        )
    console.print(f"[green]{number}[/]: {totals['added']} unit(s) added, {totals['sent']} email(s) sent.")


def run_flow(call: Callable[[], T]) -> T:
    """Run the flow; bad input found only then (another change came first) ends the command as the checks do."""
    try:
        return call()
    except InputError as exc:
        raise fail(exc) from None
