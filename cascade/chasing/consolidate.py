"""The consolidated report an issuer gets once a cycle's reports are all in or its deadline has passed:
totals, a row per unit at every level, the units that did not report; HTML and Markdown (Jinja2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cascade.core.workdays import WorkCalendar, local_date
from cascade.delivery.outbox_store import enqueue_mail
from cascade.directives.indicators import rollup_rules, total_text
from cascade.directives.reportplan import effective_plan, ensure_cycles
from cascade.documents.wording import document_reference
from cascade.rendering.render import render
from cascade.status.report_rows import combined, issuer_row, refused_units, unit_rows
from cascade.status.rollup import owes_this_report
from models import Assignment, AuditEvent, Directive, MailStatus, Unit, record_audit
from models.report import Report, ReportCycle, ReportState, ReportStatus


class PublishedReport(TypedDict):
    """A cycle consolidated now, for the caller to publish as a Markdown artifact under `key`."""

    key: str
    markdown: str
    description: str
    directive_id: int
    cycle: int
    totals: dict[str, float]


def consolidated(session: Session, directive: Directive, cycle: ReportCycle) -> dict[str, Any]:
    """Totals, a row per unit at every level, and the units that did not report. The totals count the issuer's
    own report when it passed on a directive from above (`own`): they are what the level above sees of it."""
    assert directive.id is not None
    rows = unit_rows(session, directive.id, cycle.seq)
    own = issuer_row(session, directive, cycle.seq)
    indicators = effective_plan(session, directive).indicators
    rules = rollup_rules(indicators)
    tally = combined([r for r in rows if r["level"] == 1] + ([own] if own else []))
    totals = tally.values(rules)
    issuer = session.get(Unit, directive.issuer_id)
    return {
        "directive": directive,
        "issuer": issuer,
        # "Kế hoạch số 252/KH-LĐLĐ ngày 20/5/2021" as running text names it (the issuer has its own line)
        "reference": document_reference(directive.doc_type, directive.number, directive.issued_on, None),
        "short_reference": document_reference(directive.doc_type, directive.number, None, None),  # the subject's
        "cycle": cycle,
        "indicators": indicators,
        "rules": rules,
        "rows": rows,
        "own": own,
        "totals": totals,
        # each indicator's total in words: "2.200", "51,13 (bình quân của 4 đơn vị)", "Không cộng (…)"
        "total_texts": {code: total_text(rule, totals, tally.counts, code) for code, rule in rules.items()},
        "missing": [r for r in rows if r["status"] == ReportState.missing],
        "refused": refused_units(session, directive.id),
    }


def render_consolidated(data: dict[str, Any]) -> dict[str, str]:
    return {
        "markdown": render("reports/consolidated.md", **data),
        "html": render("reports/consolidated.html", **data),
        "subject": " ".join(render("reports/consolidated_subject.txt", **data).split()),
    }


def _reports_missing(session: Session, directive_id: int, seq: int) -> bool:
    """Whether a unit that owes a report for the cycle (rollup.owes_this_report) has not submitted it:
    asked of the database, not of 100,000 assignments loaded every monitor run of a national directive."""
    submitted = (
        sa.exists()
        .where(col(Report.assignment_id) == col(Assignment.id), col(Report.cycle_seq) == seq)
        .where(col(Report.status) == ReportStatus.submitted)
    )
    query = (
        sa.select(sa.literal(1))
        .select_from(Assignment)
        .join(Unit, col(Unit.id) == col(Assignment.unit_id))
        .where(*owes_this_report(directive_id), ~submitted)
    )
    return session.execute(query.limit(1)).first() is not None


def consolidate_due(
    session: Session, now: datetime, calendar: WorkCalendar, directive_ids: list[int] | None = None
) -> list[PublishedReport]:
    """Consolidate every cycle whose reports are all in or whose deadline has passed, once; the issuer gets it
    by email. Returns, per cycle consolidated now, what the caller publishes as an artifact."""
    today = local_date(now)
    if directive_ids is None:
        # the one fact of owing a report (models.owes_report)
        query = select(Assignment.directive_id).where(col(Assignment.report_due).is_not(None)).distinct()
        directive_ids = sorted(set(session.exec(query).all()))
    published: list[PublishedReport] = []
    for directive_id in directive_ids:
        directive = session.get(Directive, directive_id)
        if directive is None or directive.closed_at is not None:  # recalled or replaced: nothing to consolidate
            continue
        for cycle in ensure_cycles(session, directive, calendar):
            if cycle.consolidated_at is not None:
                continue
            if not (today > cycle.due or not _reports_missing(session, directive_id, cycle.seq)):
                continue
            data = consolidated(session, directive, cycle)
            out = render_consolidated(data)
            issuer = data["issuer"]
            enqueue_mail(
                session,
                [{"key": f"consolidated:{directive_id}:{cycle.seq}", "kind": "consolidated",
                  "directive_id": directive_id, "assignment_id": None, "to_addr": issuer.email,
                  "to_name": issuer.name, "subject": out["subject"], "body_text": out["markdown"],
                  "body_html": out["html"], "status": MailStatus.pending, "attempts": 0, "created_at": now}],
            )  # fmt: skip
            cycle.consolidated_at = now
            session.add(cycle)
            record_audit(
                session,
                AuditEvent.report_consolidated,
                unit=issuer,
                actor="monitor",
                at=now,
                directive_id=directive_id,
                detail={"cycle": cycle.seq, "totals": data["totals"], "missing": [r["unit"] for r in data["missing"]]},
            )
            session.flush()
            published.append(
                {
                    "key": f"directive-{directive_id}-report-{cycle.seq}",
                    "markdown": out["markdown"],
                    "description": f"{directive.number}: báo cáo tổng hợp kỳ {cycle.seq}",
                    "directive_id": directive_id,
                    "cycle": cycle.seq,
                    "totals": data["totals"],
                }
            )
    return published
