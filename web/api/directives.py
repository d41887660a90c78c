"""/api/directives: upload a directive (a directive YAML, or a document the importer reads) and get its preview,
correct it, launch it (once, however often it is asked); its progress and the list are web/api/progress.py's.

The {id} of /api/directives/{id}… is the draft's id, the one the upload's preview answers (a directive launched
from the command line has no draft: its page is /admin/directives/{directive id}). Authenticated by the console's
session cookie or `Authorization: Bearer <token>` (web/auth.py); a state-changing call with the cookie must carry
the CSRF token (X-CSRF-Token header or csrf_token field), a Bearer call needs none (no cookie is involved).
Anything outside the caller's subtree is 404."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from cascade.console.drafts import (
    DuplicateDirective,
    NotLaunchable,
    UploadRefused,
    claim_launch,
    create_draft,
    preview_draft,
    update_draft,
)
from cascade.console.uploads import TOO_LARGE, UNREADABLE
from cascade.core.errors import InputError
from models import DirectiveDraft
from web.api import progress
from web.api.common import BEARER, NOT_FOUND, CheckedLauncher, draft_or_404, input_error
from web.api.schemas import Corrections, LaunchOut, PreviewOut, preview_out
from web.auth import CurrentUser
from web.common import app_engine, app_settings
from web.launching import launch

drafts = APIRouter(prefix="/api/directives", tags=["directives"], dependencies=[Depends(BEARER)])
WAIT_FOR_RUN_SECONDS = 15.0  # a second launch call waits this long for the first one's flow run id


async def _read(upload: UploadFile, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to know it is too large, never the whole of a huge file in memory."""
    return await upload.read(limit + 1)


@drafts.post(
    "",
    status_code=201,
    response_model=PreviewOut,
    responses={
        413: {"description": "A file over CASCADE_ORIGINAL_MAX_BYTES"},
        415: {"description": "Wrong type"},
        422: {"description": "Unreadable, or a basis out of reach"},
    },  # fmt: skip
)
async def upload_directive(
    request: Request,
    scope: CheckedLauncher,
    file: Annotated[UploadFile, File(description="A directive file (.yaml/.yml) or a document (.docx .pdf .txt .md)")],
    original: Annotated[UploadFile | None, File(description="The signed original (.pdf .docx .doc .odt)")] = None,
    basis_directive_id: Annotated[int | None, Form(description="The directive a unit's own plan implements")] = None,
) -> PreviewOut:
    """Upload a directive and get its preview: the fields read, the recipients resolved against the tree with
    their roles and deadlines, the problems found, and the notice as a recipient will get it. Nothing is sent;
    a file of the wrong type or too large is refused (415 / 413) and nothing is stored."""
    settings = app_settings(request)
    limit = settings.documents.original_max_bytes
    content = await _read(file, limit)
    extra = (original.filename or "", await _read(original, limit)) if original and original.filename else None

    def work() -> PreviewOut:
        with Session(app_engine(request)) as session:
            draft = create_draft(session, scope=scope, filename=file.filename or "", content=content,
                                 original=extra, settings=settings, basis_directive_id=basis_directive_id)  # fmt: skip
            preview = preview_draft(session, draft=draft, settings=settings, scope=scope)
            session.commit()
            return preview_out(preview)

    try:
        return await run_in_threadpool(work)
    except UploadRefused as exc:
        status = 413 if exc.reason == TOO_LARGE else 422 if exc.reason == UNREADABLE else 415
        raise input_error(exc, status) from None
    except InputError as exc:
        raise input_error(exc) from None


@drafts.get("/{draft_id}", response_model=PreviewOut, responses=NOT_FOUND)
def get_preview(draft_id: int, request: Request, scope: CurrentUser) -> PreviewOut:
    """The draft's current preview ({id}: the draft's id)."""
    with Session(app_engine(request)) as session:
        draft = draft_or_404(session, scope, draft_id)
        preview = preview_draft(session, draft=draft, settings=app_settings(request), scope=scope)
        session.commit()
        return preview_out(preview)


@drafts.patch("/{draft_id}", response_model=PreviewOut, responses=NOT_FOUND)
def correct_draft(draft_id: int, corrections: Corrections, request: Request, scope: CheckedLauncher) -> PreviewOut:
    """Correct the draft (the fields sent; null removes one) and get its new preview ({id}: the draft's id)."""
    with Session(app_engine(request)) as session:
        draft = draft_or_404(session, scope, draft_id)
        try:
            update_draft(session, draft=draft, scope=scope, fields=corrections.model_dump(exclude_unset=True))
        except InputError as exc:
            raise input_error(exc) from None
        preview = preview_draft(session, draft=draft, settings=app_settings(request), scope=scope)
        session.commit()
        return preview_out(preview)


def _wait_for_run(request: Request, draft_id: int) -> tuple[str | None, str | None]:
    """The flow run the first launch call started (it may still be starting it)."""
    deadline = time.monotonic() + WAIT_FOR_RUN_SECONDS
    while True:
        with Session(app_engine(request)) as session:
            draft = session.get(DirectiveDraft, draft_id)
            if draft is not None and (draft.flow_run_id or time.monotonic() > deadline):
                return draft.flow_run_id, draft.flow_run_url
        time.sleep(0.2)


@drafts.post(
    "/{draft_id}/launch",
    status_code=202,
    response_model=LaunchOut,
    responses={
        **NOT_FOUND,
        409: {"description": "The number is taken: the first's URL"},
        422: {"description": "The draft has problems"},
    },  # fmt: skip
)
def launch_directive(draft_id: int, request: Request, scope: CheckedLauncher) -> LaunchOut:
    """Launch the draft ({id}: the draft's id) through the cascade-directive flow: 202 with the flow run. A
    second call (a double click, two tabs at once) launches nothing more and answers the same ids."""
    with Session(app_engine(request)) as session:
        draft = draft_or_404(session, scope, draft_id)
        try:
            claim = claim_launch(session, draft=draft, scope=scope, settings=app_settings(request))
            session.commit()
        except DuplicateDirective as exc:
            session.rollback()
            message = exc.problems[0].message
            raise HTTPException(409, {"message": message, "directive_id": exc.directive_id, "url": exc.page}) from None
        except NotLaunchable as exc:
            session.rollback()
            problems = [{"field": p.field, "message": p.message, "line": p.line} for p in exc.found]
            raise HTTPException(422, {"message": exc.problems[0].message, "problems": problems}) from None
        except InputError as exc:
            session.rollback()
            raise input_error(exc) from None
        directive_id = claim.draft.directive_id
        assert directive_id is not None
    run_id, url = launch(request.app.state, draft_id) if claim.first else _wait_for_run(request, draft_id)
    return LaunchOut(id=draft_id, directive_id=directive_id, flow_run_id=run_id, flow_run_url=url,
                     status_url=f"/api/directives/{draft_id}/status",
                     page_url=f"/admin/directives/{directive_id}")  # fmt: skip


# What web/app.py mounts: these routes, then the list and each directive's figures (web/api/progress.py).
router = APIRouter()
router.include_router(drafts)
router.include_router(progress.router)
