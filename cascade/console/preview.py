"""A draft's preview: its directive file parsed by the parser a launch uses (parse_directive_text), its
recipients resolved against the tree with their roles and the deadlines the launch would give them (a rehearsal
rolled back, cascade/console/rehearsal.py), every problem (cascade/console/checks.py), and the notice as a
recipient will get it. The problems found are kept on the draft (a draft with any is not launchable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from cascade.accounts.scope import Scope
from cascade.console import checks
from cascade.console.corrections import load_fields
from cascade.console.rehearsal import Rehearsal, rehearse
from cascade.console.results import FROM_IMPORT, DraftPreview, DraftProblem, RecipientPreview
from cascade.console.uploads import draft_folder
from cascade.core.errors import InputError
from cascade.core.settings import Settings
from cascade.core.workdays import work_calendar
from cascade.core.yamlfile import read_yaml_text
from cascade.directives import deadlines
from cascade.directives.directivefile import DirectiveSpec, parse_directive_text
from cascade.directives.store import SignedOriginal
from cascade.documents.originals import MIME_TYPES
from cascade.rendering.render import KIND_LABELS, ROLE_LABELS
from cascade.status.oversight import today_vn
from models import DirectiveDraft, Role, Unit, User, UserRole


def draft_source(draft: DirectiveDraft) -> str:
    """How problems and the audit trail name the draft's directive file."""
    return f"console draft {draft.id}: {draft.source_name}"


def parse_draft(draft: DirectiveDraft, settings: Settings) -> DirectiveSpec:
    """The draft's directive file parsed as `cascade launch` parses a file; its original is looked for in the
    draft's folder (InputError on any problem)."""
    base = draft_folder(settings.documents, draft.original_sha256)
    return parse_directive_text(draft.spec_yaml, source=draft_source(draft), base=base)


def launches_as(session: Session, draft: DirectiveDraft, scope: Scope | None) -> Unit | None:
    """The unit an administrator launches as (theirs: the viewer's, else the uploader's); None for an operator,
    who launches as any unit."""
    if scope is not None and not scope.everything:
        return session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    creator = session.get(User, draft.created_by_id)
    if creator is not None and creator.role is UserRole.admin and creator.unit_id is not None:
        return session.get(Unit, creator.unit_id)
    return None


def signed_original(draft: DirectiveDraft, settings: Settings) -> SignedOriginal | None:
    if not draft.original_sha256 or not draft.original_name:
        return None
    path = draft_folder(settings.documents, draft.original_sha256) / draft.original_name
    size = path.stat().st_size if path.is_file() else 0
    mime = MIME_TYPES.get(Path(draft.original_name).suffix.lower(), "application/octet-stream")
    return SignedOriginal(draft.original_name, mime, size, draft.original_sha256)


def _depths(session: Session) -> dict[int, int]:
    parents = dict(session.exec(select(Unit.id, Unit.parent_id)).all())
    depth: dict[int, int] = {}

    def of(unit_id: int, seen: int = 0) -> int:
        if unit_id not in depth:
            parent = parents.get(unit_id)
            depth[unit_id] = 0 if parent is None or seen > 64 else of(parent, seen + 1) + 1
        return depth[unit_id]

    for unit_id in parents:
        if unit_id is not None:
            of(unit_id)
    return depth


def _recipients(session: Session, spec: DirectiveSpec, units: dict[str, checks.TreeUnit], rehearsal: Rehearsal,
                settings: Settings) -> list[RecipientPreview]:  # fmt: skip
    depths = _depths(session) if units else {}
    ack = deadlines.ack_due(spec.issued_on, spec.urgency, work_calendar(settings))
    out = []
    for code, role in spec.recipients:
        unit = units.get(code)
        if rehearsal.deadlines:
            ack_due, report_due = rehearsal.deadlines.get(code, (None, None))  # type: ignore[arg-type]
        else:  # not rehearsed (problems first): the acknowledgement deadline alone, computed as the launch does
            ack_due, report_due = ack, None
        out.append(
            RecipientPreview(
                code=code,
                name=unit.name if unit else code,
                level=depths.get(unit.id, 0) if unit else -1,
                kind=unit.kind if unit else "",
                kind_label=KIND_LABELS.get(unit.kind, "Đơn vị") if unit else "",
                role=role,
                role_label=ROLE_LABELS[role],
                ack_due=ack_due,
                report_due=report_due,
                in_tree=unit is not None,
            )
        )
    return out


def _loose_recipients(fields: dict[str, Any]) -> list[RecipientPreview]:
    """The recipients as written, when the file does not parse (the form still shows them)."""
    out = []
    for item in fields.get("recipients") or []:
        if isinstance(item, dict) and item.get("unit") and str(item.get("role")) in {r.value for r in Role}:
            role = Role(str(item["role"]))
            out.append(RecipientPreview(str(item["unit"]), str(item["unit"]), -1, "", "", role, ROLE_LABELS[role],
                                        None, None, False))  # fmt: skip
    return out


def preview_draft(
    session: Session, *, draft: DirectiveDraft, settings: Settings, scope: Scope | None = None
) -> DraftPreview:
    """The draft's preview; its problems are kept on the draft (in the session: the caller commits)."""
    fields = load_fields(draft.spec_yaml)
    problems = [DraftProblem.of(p) for p in draft.problems if p.get("source") == FROM_IMPORT]
    spec: DirectiveSpec | None = None
    try:
        spec = parse_draft(draft, settings)
    except InputError as exc:
        problems += checks.parse_problems(exc)
    try:
        raw = read_yaml_text(draft.spec_yaml, draft.source_name)
    except InputError:
        raw = {}
    problems += checks.unknown_fields(raw if isinstance(raw, dict) else {})
    preview = DraftPreview(draft.id or 0, draft.state.value, fields, _loose_recipients(fields), problems, None, None,
                           source_name=draft.source_name, original_name=draft.original_name,
                           directive_id=draft.directive_id)  # fmt: skip
    if spec is not None:
        _check(session, draft, spec, raw, settings, scope, preview)
    draft.problems = [p.as_json() for p in preview.problems]
    session.add(draft)
    return preview


def _check(session: Session, draft: DirectiveDraft, spec: DirectiveSpec, raw: Any, settings: Settings,
           scope: Scope | None, preview: DraftPreview) -> None:  # fmt: skip
    unit_problems, units = checks.unit_problems(session, spec, raw if isinstance(raw, dict) else {})
    issuer = units.get(spec.issuer)
    own = launches_as(session, draft, scope)
    preview.issuer_code, preview.issuer_name = spec.issuer, issuer.name if issuer else None
    if own is None and issuer is not None:
        draft.issuer_id = issuer.id  # an operator's draft is seen by the subtree of the unit it is issued as
    problems = [*unit_problems, *checks.issuer_problem(spec, own, issuer)]
    problems += checks.date_problems(spec, today_vn())
    original_faults = checks.original_problems(spec, settings.documents, draft.original_name)
    duplicate, duplicate_problems = (None, []) if draft.directive_id else checks.duplicate_of(session, spec, issuer)
    rehearsal = Rehearsal()
    if not unit_problems and not original_faults and duplicate is None and draft.directive_id is None:
        rehearsal = rehearse(session, spec, settings, signed_original(draft, settings))
    preview.problems += [*problems, *original_faults, *duplicate_problems]
    preview.duplicate_of = duplicate
    preview.recipients = _recipients(session, spec, units, rehearsal, settings)
    preview.notice = rehearsal.notice
