"""Tasks that store, find, check and close a directive, and the name its flow run carries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from cascade.core.db import session_scope
from cascade.core.settings import get_settings
from cascade.directives.specfile import parse_directive_file
from cascade.directives.store import undispatched_directives
from cascade.directives.unit_check import check_units
from cascade.documents.originals import check_original, store_with_original
from cascade.replies.passon import mark_dispatched
from cascade.status.titles import directive_title
from cascade.status.tree import find_directive
from models import Directive


def run_title(params: Mapping[str, Any]) -> str:
    """The run's name from its parameters: the directive's number and issuer, else the file's name."""
    try:
        with session_scope() as session:
            title = directive_title(
                session,
                directive_id=params.get("directive_id"),
                number=params.get("number"),
                issuer=params.get("issuer"),
                directive_file=str(params["directive_file"]) if params.get("directive_file") else None,
            )
        if title is not None:
            return title
    except Exception:  # noqa: BLE001 - a name is cosmetic; the flow reports real errors itself
        pass
    if params.get("directive_file"):
        return f"{Path(str(params['directive_file'])).name}"
    return "cascade-directive"


@task(name="store-directive")
def store_directive_task(directive_file: str) -> int:
    """Store the directive of a file (its signed original checked and kept), or find it stored by an earlier run;
    returns its id."""
    spec = parse_directive_file(Path(directive_file))
    with session_scope() as session:
        directive, created = store_with_original(session, spec, get_settings().documents)
        get_run_logger().info("%s %s", "stored" if created else "resuming", directive.number)
        assert directive.id is not None
        return directive.id


@task(name="find-directive")
def find_directive_task(number: str, issuer: str | None) -> int:
    """The id of the stored directive with this number (and issuer)."""
    with session_scope() as session:
        directive = find_directive(session, number, issuer)
        assert directive.id is not None
        return directive.id


@task(name="check-directive")
def check_directive_task(directive_file: str) -> int:
    """Validate a directive file against the tree and publish its recipients; stores and sends nothing."""
    spec = parse_directive_file(Path(directive_file))
    check_original(spec, get_settings().documents)
    with session_scope() as session:
        units = check_units(session, spec)
    lines = [f"| {code} | {units[code].name} | {role} |" for code, role in spec.recipients]
    create_markdown_artifact(
        key="dry-run",
        markdown=f"## {spec.number} (dry run)\n\n{spec.summary}\n\n| unit | name | role |\n|---|---|---|\n"
        + "\n".join(lines),
        description=f"{spec.number}: recipients, nothing sent",
    )
    return len(spec.recipients)


@task(name="mark-dispatched")
def mark_dispatched_task(directive_id: int) -> None:
    """Record the directive as dispatched (and a unit's implementing directive as passed on)."""
    with session_scope() as session:
        directive = session.get(Directive, directive_id)
        if directive is not None:
            mark_dispatched(session, directive)


@task(name="find-pending-directives", retries=2, retry_delay_seconds=2)
def find_pending_directives_task() -> list[int]:
    """Directives stored but not dispatched yet (issued on acknowledgement, by a unit's form, or interrupted)."""
    with session_scope() as session:
        return undispatched_directives(session)


@task(name="find-owed-pass-ons", retries=2, retry_delay_seconds=2)
def find_owed_task(directive_ids: list[int]) -> list[int]:
    """Those of these directives still owed a dispatch (not dispatched, not recalled or replaced)."""
    wanted = set(directive_ids)
    with session_scope() as session:
        return [i for i in undispatched_directives(session) if i in wanted]
