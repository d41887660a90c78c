"""The launch of a draft, claimed once: one `UPDATE directive_draft SET state='launched' … WHERE id=… AND
state='draft'`. Of two clicks, two tabs or two processes launching the same draft, the one whose UPDATE changed
the row stores the directive; the others find it launched and get the same directive (`first` is False).

The claim is taken before anything else is written, so the draft's row lock (PostgreSQL) or the database's write
lock (SQLite) orders the launches; then the draft is previewed again inside the claim: a draft with problems is
refused (NotLaunchable), and so is a number its issuer already used (DuplicateDirective, naming the first). The
directive is stored as `cascade launch` stores a file (store_with_original: the signed original checked and
kept), and the launch is in the audit trail under the person's name. Nothing of it stays unless the caller
commits; on any error the caller rolls back, and the claim with it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cascade.accounts.scope import Scope
from cascade.console.preview import parse_draft, preview_draft
from cascade.console.results import DraftProblem
from cascade.core.errors import InputError, Problem
from cascade.core.settings import Settings, get_settings
from cascade.documents.originals import store_with_original
from models import AuditEvent, Directive, DirectiveDraft, DraftState, Unit, record_audit, utcnow


@dataclass
class LaunchClaim:
    first: bool  # this call launched it; False: it was launched before (the same directive)
    draft: DirectiveDraft


@dataclass
class NotLaunchable(InputError):
    """The draft has problems (the preview's, in `found`)."""

    found: list[DraftProblem] = field(default_factory=list)


@dataclass
class DuplicateDirective(InputError):
    """Its issuer already launched a directive with this number this year: `directive_id`."""

    directive_id: int = 0

    @property
    def page(self) -> str:
        return f"/admin/directives/{self.directive_id}"


def _refusal(message: str) -> list[Problem]:
    return [Problem("launch", message, entry="launch")]


def claim_launch(
    session: Session, *, draft: DirectiveDraft, scope: Scope, settings: Settings | None = None
) -> LaunchClaim:
    """Launch the draft once: stores its directive and sets draft.directive_id, launched_by_id, launched_at."""
    settings = settings or get_settings()
    if not scope.can_launch:
        raise InputError(_refusal("Tài khoản chỉ có quyền theo dõi."))
    if draft.state is DraftState.launched:
        return LaunchClaim(False, draft)
    table = DirectiveDraft.__table__  # type: ignore[attr-defined]
    now = utcnow()
    claimed = session.execute(
        update(table)
        .where(table.c.id == draft.id, table.c.state == DraftState.draft.value)
        .values(state=DraftState.launched.value, launched_by_id=scope.user_id, launched_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(draft)  # launched meanwhile: the other call's directive
        return LaunchClaim(False, draft)
    session.refresh(draft)
    preview = preview_draft(session, draft=draft, settings=settings, scope=scope)
    if preview.duplicate_of is not None:
        raise _duplicate(preview.duplicate_of)
    if preview.problems:
        raise NotLaunchable(_refusal("Văn bản còn lỗi, chưa phát hành được."), found=preview.problems)
    spec = parse_draft(draft, settings)
    try:
        with session.begin_nested():
            directive, created = store_with_original(session, spec, settings.documents)
    except IntegrityError:  # the same number stored by a concurrent launch of another draft
        raise _duplicate(_directive_id(session, spec.number, spec.issuer, spec.issued_on.year)) from None
    if not created:  # the very same content launched before (from another draft, or the command line)
        assert directive.id is not None
        raise _duplicate(directive.id)
    issuer = session.get(Unit, directive.issuer_id)
    record_audit(
        session,
        AuditEvent.directive_launched,
        unit=issuer,
        actor=scope.actor,
        directive_id=directive.id,
        detail={"number": directive.number, "draft_id": draft.id, "source": draft.source_name},
    )
    draft.directive_id, draft.launched_by_id, draft.launched_at = directive.id, scope.user_id, now
    session.add(draft)
    session.flush()
    return LaunchClaim(True, draft)


def _duplicate(directive_id: int) -> DuplicateDirective:
    page = f"/admin/directives/{directive_id}"
    return DuplicateDirective(_refusal(f"Số văn bản này đã được phát hành: {page}"), directive_id=directive_id)


def _directive_id(session: Session, number: str, issuer: str, year: int) -> int:
    found = session.exec(
        select(Directive.id)
        .join(Unit, col(Unit.id) == col(Directive.issuer_id))
        .where(Directive.number == number, Unit.code == issuer, Directive.year == year)
    ).first()
    return found or 0
