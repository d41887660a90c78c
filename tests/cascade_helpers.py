"""Helpers shared by the multi-level cascade tests: trees, directives, mail by unit, clicks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import WorkCalendar
from cascade.dev.links import confirm_receipt, links_in
from cascade.dev.smtp_sink import Received, SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.directives.store import store_directive
from cascade.dispatch.notices import create_assignments, enqueue_notices, notice_batches
from cascade.org.orgtree import import_org, parse_org
from models import ACKNOWLEDGED_STATES, Assignment, Directive, Unit

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_DIRECTIVE = Path(__file__).resolve().parent.parent / "examples" / "252-KH-LDLD.yaml"


def store_sample(session: Session, settings: Settings | None = None) -> Directive:
    """The sample directive stored with its assignments (no flow, no mail); with `settings`, its notices
    rendered into the outbox too."""
    directive, _ = store_directive(session, parse_directive(SAMPLE_DIRECTIVE))
    create_assignments(session, directive, WorkCalendar())
    assert directive.id is not None
    if settings is not None:
        for batch in notice_batches(session, directive.id, 100):
            enqueue_notices(session, settings, directive.id, batch)
    return directive


def assignment_id_of(session: Session, code: str) -> int:
    unit = session.exec(select(Unit).where(Unit.code == code)).one()
    found = session.exec(select(Assignment.id).where(Assignment.unit_id == unit.id)).one()
    assert found is not None
    return found


def import_tree(name: str) -> None:
    path = DATA / name
    with session_scope() as session:
        import_org(session, parse_org(path), source=str(path))


def directive_file(tmp_path: Path, name: str = "31-KH-TU.yaml", **changes: Any) -> Path:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    data.update(changes)
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def mail_by_unit(mailbox: SmtpSink) -> dict[str, list[Received]]:
    with session_scope() as session:
        codes = {u.email: u.code for u in session.exec(select(Unit)).all()}
    out: dict[str, list[Received]] = {}
    for message in mailbox.messages:
        for rcpt in message.rcpt_tos:
            out.setdefault(codes[rcpt], []).append(message)
    return out


def numbers_by_unit(mailbox: SmtpSink) -> dict[str, list[str]]:
    """Which directive numbers each unit received a notice of, from the subjects of the emails."""
    out: dict[str, list[str]] = {}
    for code, messages in mail_by_unit(mailbox).items():
        out[code] = [m.group(1) for msg in messages if (m := re.search(r" số (\S+) của ", msg.subject))]
    return out


def click(mailbox: SmtpSink, base_url: str, code: str) -> httpx.Response:
    """The unit opens the link in the last notice it received and confirms receipt."""
    message = mail_by_unit(mailbox)[code][-1]
    link = links_in(message.text(), base_url)[0]
    with httpx.Client(timeout=30) as client:
        response = confirm_receipt(client, link)
    response.raise_for_status()
    return response


def status_units(number: str, issuer: str | None = None) -> dict[str, dict[str, Any]]:
    args = ["status", number, "--json"] + (["--issuer", issuer] if issuer else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return {u["unit"]: u for u in json.loads(result.stdout)["units"]}


def plant_tree(
    session: Session, issuer: str, units: list[dict[str, Any]], number: str = "9/KH-THU", parent: int | None = None
) -> Directive:
    """A directive from unit `issuer` to `units` written straight into the tables (no flow, no mail), each
    {"unit": code, "status": ..., and optionally "role", "ack_due", "report_due", "below": [units]}: a unit with
    "below" passed it on (forward) in a directive of its own to those units. Returns the top directive."""
    by_code = {u.code: u for u in session.exec(select(Unit)).all()}
    directive = Directive(
        number=number,
        doc_type="KẾ HOẠCH",
        issued_on=date(2021, 5, 20),
        place="Lai Châu",
        summary=f"Kế hoạch thử {number}",
        report_due=date(2021, 6, 30),
        issuer_id=by_code[issuer].id,  # type: ignore[arg-type]
        year=2021,
        parent_directive_id=parent,
        source="file" if parent is None else "forward",
        dispatched_at=datetime(2021, 5, 20, 2, tzinfo=UTC),
    )
    session.add(directive)
    session.flush()
    assert directive.id is not None
    for spec in units:
        status = spec["status"]
        assignment = Assignment(
            directive_id=directive.id,
            unit_id=by_code[spec["unit"]].id,  # type: ignore[arg-type]
            role=spec.get("role", "act"),
            status=status,
            ack_due=spec.get("ack_due", date(2021, 5, 21)),
            report_due=spec.get("report_due"),
            acknowledged_at=datetime(2021, 5, 21, 2, tzinfo=UTC) if status in ACKNOWLEDGED_STATES else None,
        )
        if spec.get("below"):
            child = plant_tree(session, spec["unit"], spec["below"], f"{number}-{spec['unit']}", directive.id)
            assignment.implementing_directive_id, assignment.mode = child.id, "forward"
        session.add(assignment)
    session.flush()
    return directive


def with_web(settings: Settings, **changes: object) -> Settings:
    """A copy of `settings` with some web settings changed (public URL, inbox folder, signing key)."""
    return settings.model_copy(update={"web": settings.web.model_copy(update=changes)})


@contextmanager
def pg_database(server_url: str, name: str) -> Iterator[str]:
    """A PostgreSQL database of its own (created, then dropped) on the server of `server_url`; yields its URL."""
    import psycopg

    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def issued_by(code: str) -> int:
    """The id of the one directive the unit `code` issued (its implementing directive)."""
    with session_scope() as session:
        query = select(Directive.id).join(Unit, col(Unit.id) == col(Directive.issuer_id)).where(Unit.code == code)
        found = session.exec(query).one()
        assert found is not None
        return found
