"""The console's "new directive": the upload form (a document .docx/.pdf/.txt/.md or a directive YAML, with the signed
original beside it) and, in author mode, a unit's own implementing plan on a directive addressed to it
(`?basis=<directive id>`: the basis pre-filled, an outline to edit, the launched plan counting as the unit's
pass-on). The upload becomes a draft (cascade/console/drafts.py) shown by web/draft_pages.py; the live page of a
launched one is web/live.py. The console's static script and style sheet are served from here too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

import web.console_words  # noqa: F401 - the console's English words
from cascade.accounts.scope import Scope, scoped
from cascade.console.drafts import create_draft
from cascade.core.errors import InputError
from cascade.core.workdays import work_calendar
from cascade.documents.wording import doc_type_word
from cascade.status.oversight import today_vn
from models import Directive, DirectiveDraft, DraftState, Unit
from web import (
    console_static,
    draft_pages,
)
from web.auth import Launcher
from web.common import app_engine, app_settings, page
from web.csrf import FIELD, check_csrf
from web.plan_outline import addressed_to, awaiting_plans, plan_outline

router = APIRouter()
router.include_router(console_static.router)
router.include_router(draft_pages.router)

MAX_PASTED = 200_000  # characters of a document typed or pasted into the page


def _context(session: Session, request: Request, scope: Scope, basis: Directive | None, **extra: Any) -> dict[str, Any]:
    """The upload page: the drafts not launched yet, the directives awaiting the unit's own plan."""
    statement = (
        select(DirectiveDraft)
        .where(DirectiveDraft.state == DraftState.draft)
        .order_by(col(DirectiveDraft.updated_at).desc())
        .limit(20)
    )
    drafts = session.exec(scoped(statement, scope, DirectiveDraft.issuer_id)).all()  # type: ignore[call-overload]
    awaiting = awaiting_plans(session, scope.unit_id) if scope.unit_id is not None else []
    view: dict[str, Any] = {"me": scope, "drafts": drafts, "awaiting": awaiting, "basis": basis, "errors": [],
                            "outline": "", "type_word": doc_type_word, "basis_issuer": None}  # fmt: skip
    if basis is not None:
        view["basis_issuer"] = session.get(Unit, basis.issuer_id)
        unit = session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
        if unit is not None:
            view["outline"] = plan_outline(
                session, parent=basis, unit=unit, today=today_vn(), calendar=work_calendar(app_settings(request))
            )
    return {**view, **extra}


def _basis(session: Session, scope: Scope, basis_id: int | None) -> Directive | None:
    if basis_id is None:
        return None
    found = addressed_to(session, basis_id, scope.unit_id)
    if found is None:  # not addressed to the admin's unit: as if it did not exist
        raise HTTPException(404, "Không tìm thấy văn bản")
    return found


@router.get("/admin/new", response_class=HTMLResponse)
def new_form(request: Request, scope: Launcher, basis: int | None = Query(None)) -> HTMLResponse:
    with Session(app_engine(request)) as session:
        view = _context(session, request, scope, _basis(session, scope, basis))
        return page("web/console/new.html", title="Ban hành văn bản mới", **view)


@router.post("/admin/new")
async def new_post(request: Request, scope: Launcher) -> Response:
    """The upload: its CSRF field checked, the files read (the body's size was bounded by web.guard), the draft
    made. A wrong type or size is refused by create_draft before anything is stored."""
    form = await request.form(max_files=2, max_fields=20)
    try:
        check_csrf(request, form.get(FIELD))
        document, original = form.get("document"), form.get("original")
        pasted = form.get("text")
        basis_text = form.get("basis")
        basis_id = int(basis_text) if isinstance(basis_text, str) and basis_text.isdigit() else None
        upload: tuple[str, bytes] | None = None
        if isinstance(document, UploadFile) and document.filename:
            upload = (document.filename, await document.read())
        elif isinstance(pasted, str) and pasted.strip():
            upload = ("van-ban.txt", pasted[:MAX_PASTED].encode("utf-8"))
        signed = None
        if isinstance(original, UploadFile) and original.filename:
            signed = (original.filename, await original.read())
    finally:
        await form.close()
    return await run_in_threadpool(_create, request, scope, upload, signed, basis_id)


def _create(
    request: Request, scope: Scope, upload: tuple[str, bytes] | None, signed: tuple[str, bytes] | None,
    basis_id: int | None,
) -> Response:  # fmt: skip
    with Session(app_engine(request), expire_on_commit=False) as session:
        basis = _basis(session, scope, basis_id)
        if upload is None:
            errors = ["Chưa chọn tệp văn bản (hoặc chưa nhập nội dung văn bản)."]
            view = _context(session, request, scope, basis, errors=errors)
            return page("web/console/new.html", status_code=422, title="Ban hành văn bản mới", **view)
        try:
            draft = create_draft(session, scope=scope, filename=upload[0], content=upload[1], original=signed,
                                 settings=app_settings(request), basis_directive_id=basis_id)  # fmt: skip
        except InputError as exc:
            session.rollback()
            view = _context(session, request, scope, basis, errors=[p.message for p in exc.problems])
            return page("web/console/new.html", status_code=422, title="Ban hành văn bản mới", **view)
        session.commit()
        return RedirectResponse(f"/admin/drafts/{draft.id}", status_code=303)
