"""A directive drafted in the console: made from an upload, found in the caller's scope, corrected by the form.

`create_draft` reads a directive file (.yaml/.yml) as it is, or a document (.docx, .pdf, .txt, .md) through the
importer into one (cascade/console/importing.py), checks the signed original, and only then stores anything:
the draft's row, and the original under its hash (cascade/console/uploads.py). Its preview and its launch are
`preview_draft` (cascade/console/preview.py) and `claim_launch` (cascade/console/launch_claim.py), here too so
the console's pages and API import one module."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from cascade.accounts.scope import Scope, unit_in_scope
from cascade.console.corrections import apply_corrections, load_fields, with_original_name
from cascade.console.importing import import_document_lines
from cascade.console.launch_claim import DuplicateDirective, LaunchClaim, NotLaunchable, claim_launch
from cascade.console.preview import preview_draft
from cascade.console.results import FROM_IMPORT, DraftPreview, DraftProblem, NoticePreview, RecipientPreview
from cascade.console.uploads import (
    BINARY_SUFFIXES,
    CheckedUpload,
    UploadRefused,
    check_original_upload,
    clean_name,
    keep_upload,
    kind_of,
    read_directive_yaml,
    read_document,
)
from cascade.core.errors import InputError, Problem
from cascade.core.settings import Settings
from cascade.directives.docimport.output import directive_yaml
from models import Assignment, Directive, DirectiveDraft, DraftState, Unit, utcnow

__all__ = [
    "DraftPreview", "DraftProblem", "DuplicateDirective", "LaunchClaim", "NoticePreview", "NotLaunchable",
    "RecipientPreview", "UploadRefused", "claim_launch", "create_draft", "find_draft", "preview_draft",
    "update_draft",
]  # fmt: skip
MAX_ID = 2**31  # ids are INTEGER columns: a larger one cannot exist (and the driver would raise on it)


def find_draft(session: Session, scope: Scope, draft_id: int) -> DirectiveDraft | None:
    """The draft if the caller may see it: their own, or one issued as a unit of their subtree (else None: the
    caller answers 404, never 403)."""
    draft = session.get(DirectiveDraft, draft_id) if 0 < draft_id < MAX_ID else None
    if draft is None:
        return None
    if scope.everything or draft.created_by_id == scope.user_id or unit_in_scope(session, scope, draft.issuer_id):
        return draft
    return None


def _basis(session: Session, scope: Scope, basis_directive_id: int) -> dict[str, Any]:
    """The fields naming the directive a unit's own plan implements (one its unit received)."""
    directive = session.get(Directive, basis_directive_id) if 0 < basis_directive_id < MAX_ID else None
    received = directive is not None and (scope.everything or session.exec(
        select(Assignment.id).where(Assignment.directive_id == directive.id, Assignment.unit_id == scope.unit_id)
    ).first() is not None)  # fmt: skip
    if directive is None or not received:
        raise InputError([Problem("basis", "Không tìm thấy văn bản cấp trên mà đơn vị triển khai.", entry="basis")])
    issuer = session.get(Unit, directive.issuer_id)
    return {"basis": directive.number, "basis_issued_on": directive.issued_on,
            "basis_issuer": issuer.name if issuer else None}  # fmt: skip


def _issuer_id(session: Session, scope: Scope, spec_yaml: str) -> int | None:
    """The unit the draft is issued as: an administrator's own; for an operator, the one the file names."""
    if not scope.everything:
        return scope.unit_id
    code = load_fields(spec_yaml).get("issuer")
    return session.exec(select(Unit.id).where(Unit.code == str(code))).first() if code else None


def create_draft(
    session: Session,
    *,
    scope: Scope,
    filename: str,
    content: bytes,
    original: tuple[str, bytes] | None,
    settings: Settings,
    basis_directive_id: int | None = None,
) -> DirectiveDraft:
    """A draft from an upload (nothing is sent). Raises UploadRefused (an InputError) for a wrong type or an
    oversize file, and InputError for a basis out of reach, before anything is stored."""
    if not scope.can_launch:
        raise InputError([Problem("file", "Tài khoản chỉ có quyền theo dõi.", entry="file")])
    name, limit = clean_name(filename), settings.documents.original_max_bytes
    kind = kind_of(name)
    checked = check_original_upload(*original, settings.documents) if original is not None else None
    problems: list[DraftProblem] = []
    if kind == "yaml":
        spec_yaml = read_directive_yaml(name, content, limit)
    else:
        directive, problems = import_document_lines(session, scope, read_document(name, content, limit))
        if checked is None and name.lower().endswith(BINARY_SUFFIXES):
            checked = CheckedUpload(name, content)  # the signed document itself, as `cascade import-document` does
        header = f"# Đọc từ văn bản “{name}” trên trang quản trị: kiểm tra trước khi phát hành.\n"
        spec_yaml = header + directive_yaml(directive)
    if checked is not None:
        spec_yaml = with_original_name(spec_yaml, checked.name)
    if basis_directive_id is not None:
        basis = _basis(session, scope, basis_directive_id)
        spec_yaml, _ = apply_corrections(spec_yaml, {k: v for k, v in basis.items() if v is not None})
    # Every check passed: now the original and the row.
    if checked is not None:
        keep_upload(settings.documents, checked)
    draft = DirectiveDraft(
        issuer_id=_issuer_id(session, scope, spec_yaml),
        created_by_id=scope.user_id,
        source_name=name,
        source_kind=kind,
        spec_yaml=spec_yaml,
        original_name=checked.name if checked else None,
        original_sha256=checked.sha256 if checked else None,
        problems=[p.as_json() for p in problems],
        basis_directive_id=basis_directive_id,
    )
    session.add(draft)
    session.flush()
    return draft


def update_draft(session: Session, *, draft: DirectiveDraft, scope: Scope, fields: dict[str, Any]) -> DirectiveDraft:
    """The form's corrections (number, summary, dates, recipients [{"unit": code, "role": role}], tasks …)
    written into the draft's directive file (a field set to None is removed). InputError when it is launched."""
    if not scope.can_launch:
        raise InputError([Problem("draft", "Tài khoản chỉ có quyền theo dõi.", entry="draft")])
    if draft.state is not DraftState.draft:
        raise InputError([Problem("draft", "Văn bản đã được phát hành, không sửa được nữa.", entry="draft")])
    text, changed = apply_corrections(draft.spec_yaml, fields)
    # A field the clerk changed is one they have seen and set: what the document could not give there is theirs
    # to decide now, and the next preview checks what they wrote. A field sent back unchanged (every form sends
    # the recipients) settles nothing: an unknown unit of the Nơi nhận stays a problem until the list changes.
    before, after = load_fields(draft.spec_yaml), load_fields(text)
    kept = [
        p
        for p in draft.problems
        if not (
            p.get("source") == FROM_IMPORT
            and p.get("field") in fields
            and before.get(p["field"]) != after.get(p["field"])
        )
    ]
    if changed or kept != draft.problems:
        draft.spec_yaml, draft.problems, draft.updated_at = text, kept, utcnow()
        session.add(draft)
        session.flush()
    return draft
