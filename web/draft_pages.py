"""A draft in the console: the form pre-filled from the uploaded document where the clerk corrects fields and
picks the recipients, the notice exactly as a unit will get it, and the launch.

Nothing here decides what a draft says or whether it may go: cascade/console/drafts.py reads, previews,
corrects and claims it; this module shows it and turns the form's buttons into corrections (web/draft_form.py).
A draft is seen by its issuer's subtree's ancestors (the scoping rule of directives); anyone else gets a 404."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

import web.console_words  # noqa: F401 - the console's English words
from cascade.accounts.scope import Scope
from cascade.console.drafts import DuplicateDirective, claim_launch, preview_draft, update_draft
from cascade.console.drafts import find_draft as draft_in_scope
from cascade.console.wording import FIELD_LABELS
from cascade.core.errors import InputError
from cascade.org.unit_search import search_units, unit_groups
from cascade.rendering.render import KIND_GROUPS, KIND_LABELS
from models import Directive, DirectiveDraft, DraftState, Role, Unit
from web.auth import CurrentUser, Launcher
from web.common import app_engine, app_settings, page
from web.csrf import verify_csrf
from web.draft_form import DraftForm, apply_action, read_form, task_meta
from web.launching import launch

router = APIRouter(prefix="/admin")

# The notice is an email's HTML: shown framed, with no script and no way out of the frame.
NOTICE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; sandbox"
)


def field_of(problem_field: str) -> str:
    """ "recipients[3]" → "recipients": the form's field a problem names."""
    return problem_field.split("[", 1)[0].split(".", 1)[0]


def find_draft(session: Session, scope: Scope, draft_id: int) -> DirectiveDraft:
    draft = draft_in_scope(session, scope, draft_id)
    if draft is None:
        raise HTTPException(404, "Không tìm thấy bản nháp")
    return draft


def live_path(directive_id: int | None) -> str:
    return f"/admin/directives/{directive_id}/live"


def draft_view(session: Session, request: Request, draft: DirectiveDraft, scope: Scope, q: str = "") -> dict[str, Any]:
    """Everything the draft page shows (the preview is recomputed: the tree may have changed since the upload)."""
    preview = preview_draft(session, draft=draft, settings=app_settings(request), scope=scope)
    issuer = session.get(Unit, draft.issuer_id) if draft.issuer_id else None
    listed = {r.code for r in preview.recipients}
    groups = unit_groups(session, issuer.id) if issuer is not None and issuer.id is not None else []
    return {
        "me": scope,
        "draft": draft,
        "preview": preview,
        "fields": preview.fields,
        "issuer": issuer,
        "basis_directive": session.get(Directive, draft.basis_directive_id) if draft.basis_directive_id else None,
        "q": q,
        "hits": search_units(session, q) if q.strip() else [],
        "listed": listed,
        "groups": groups,
        "choices": [_choices(p, preview.fields, preview.recipients) for p in preview.problems],
        "roles": [r.value for r in Role],
        "kind_labels": KIND_LABELS,
        "kind_groups": KIND_GROUPS,
        "field_labels": FIELD_LABELS,
        "field_of": field_of,
        "task_meta": task_meta,
        "unit_names": _names(session, [c for t in preview.fields.get("tasks") or [] for c in t.get("to") or []]),
        "errors": [],
        "saved": False,
        "duplicate": None,
    }


def _choices(problem: Any, fields: dict[str, Any], shown: list[Any]) -> dict[str, Any]:
    """A problem's one-click replacements: (name, code) of the nearest units, and the unknown code they replace
    when the problem is about a listed recipient not in the tree ("recipients[3]": the third)."""
    replaces = ""
    found = re.fullmatch(r"recipients\[(\d+)\]", problem.field or "")
    listed = fields.get("recipients") or []
    if found and 0 < int(found[1]) <= len(listed):
        code = str((listed[int(found[1]) - 1] or {}).get("unit", ""))
        if any(r.code == code and not r.in_tree for r in shown):
            replaces = code
    pairs = list(zip(problem.suggestions or [], problem.suggested_codes or [], strict=False))
    return {"pairs": pairs, "replaces": replaces}


def _names(session: Session, codes: list[str]) -> dict[str, str]:
    """{code: name} of the units the tasks go to (a person reads names, never codes)."""
    wanted = sorted(set(codes))
    found = session.exec(select(Unit.code, Unit.name).where(col(Unit.code).in_(wanted))).all() if wanted else []
    return dict(found)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(
    request: Request, draft_id: int, scope: CurrentUser, q: str = Query("", max_length=200), saved: bool = False
) -> Response:
    """The draft's form and preview (`?q=` lists the units whose names match, diacritics or not)."""
    with Session(app_engine(request)) as session:
        draft = find_draft(session, scope, draft_id)
        if draft.state == DraftState.launched:
            return RedirectResponse(live_path(draft.directive_id), status_code=303)
        view = draft_view(session, request, draft, scope, q)
        return page("web/console/draft.html", title="Bản nháp văn bản", **{**view, "saved": saved})


@router.get("/drafts/{draft_id}/units")
def draft_units(
    request: Request, draft_id: int, scope: CurrentUser, q: str = Query("", max_length=200)
) -> JSONResponse:
    """The picker's live filtering (console.js): the same matches as `?q=`, as JSON."""
    with Session(app_engine(request)) as session:
        find_draft(session, scope, draft_id)
        hits = search_units(session, q) if q.strip() else []
        body = [{"code": h.code, "name": h.name, "kind": KIND_LABELS.get(h.kind, "")} for h in hits]
    return JSONResponse({"q": q, "units": body})


@router.get("/drafts/{draft_id}/notice", response_class=HTMLResponse)
def draft_notice(request: Request, draft_id: int, scope: CurrentUser) -> HTMLResponse:
    """The notice's HTML as the first recipient's email will show it, for the page's sandboxed frame."""
    with Session(app_engine(request)) as session:
        draft = find_draft(session, scope, draft_id)
        notice = preview_draft(session, draft=draft, settings=app_settings(request), scope=scope).notice
    if notice is None:
        raise HTTPException(404, "Chưa xem trước được thông báo: bản nháp còn lỗi.")
    headers = {"Content-Security-Policy": NOTICE_CSP, "X-Frame-Options": "SAMEORIGIN"}
    return HTMLResponse(notice.html, headers=headers)


@router.post("/drafts/{draft_id}", dependencies=[Depends(verify_csrf)])
async def draft_post(request: Request, draft_id: int, scope: Launcher) -> Response:
    """Save the corrections, and do what the button pressed asks (add, remove, replace recipients)."""
    submitted = read_form(await request.form())
    return await run_in_threadpool(_save, request, draft_id, scope, submitted)


def _save(request: Request, draft_id: int, scope: Scope, submitted: DraftForm) -> Response:
    with Session(app_engine(request), expire_on_commit=False) as session:
        draft = find_draft(session, scope, draft_id)
        if draft.state == DraftState.launched:
            return RedirectResponse(live_path(draft.directive_id), status_code=303)
        shown = preview_draft(session, draft=draft, settings=app_settings(request), scope=scope).recipients
        current = [{"unit": r.code, "role": str(r.role)} for r in shown]
        apply_action(session, draft.issuer_id, submitted.action, submitted.fields, current, submitted.add_role)
        try:
            update_draft(session, draft=draft, scope=scope, fields=submitted.fields)
        except InputError as exc:
            session.rollback()
            view = draft_view(session, request, draft, scope)
            view["errors"] = [p.message for p in exc.problems]
            return page("web/console/draft.html", status_code=422, title="Bản nháp văn bản", **view)
        session.commit()
    anchor = "#recipients" if submitted.action != "save" else ""
    return RedirectResponse(f"/admin/drafts/{draft_id}?{urlencode({'saved': 1})}{anchor}", status_code=303)


@router.post("/drafts/{draft_id}/launch", dependencies=[Depends(verify_csrf)])
def draft_launch(request: Request, draft_id: int, scope: Launcher) -> Response:
    """Launch once: the claim lets one request through; a second click lands on the same live page."""
    with Session(app_engine(request), expire_on_commit=False) as session:
        draft = find_draft(session, scope, draft_id)
        if draft.state == DraftState.launched:
            return RedirectResponse(live_path(draft.directive_id), status_code=303)
        try:
            claim = claim_launch(session, draft=draft, scope=scope, settings=app_settings(request))
        except InputError as exc:
            session.rollback()
            session.refresh(draft)
            view = draft_view(session, request, draft, scope)
            if isinstance(exc, DuplicateDirective):  # the page links to the first (preview.duplicate_of)
                view["duplicate"] = exc.directive_id
            else:
                view["errors"] = [p.message for p in exc.problems]
            return page("web/console/draft.html", status_code=422, title="Bản nháp văn bản", **view)
        session.commit()
        directive_id = claim.draft.directive_id
    if claim.first:
        launch(request.app.state, draft_id)
    return RedirectResponse(live_path(directive_id), status_code=303)
