"""What the API's routes share: the Bearer scheme of the OpenAPI document, the launcher's dependency with the CSRF
check after it, the 404 of a draft out of scope, and input errors as JSON details."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPBearer
from sqlmodel import Session

from cascade.accounts.scope import Scope
from cascade.console.drafts import find_draft
from cascade.core.errors import InputError
from models import DirectiveDraft
from web.auth import Launcher
from web.csrf import verify_csrf

# Declares the Bearer scheme in the OpenAPI document ("Authorize" in /api/docs); web.auth does the checking.
BEARER = HTTPBearer(auto_error=False, description="A personal token: `cascade user token --email E`")
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such draft in the caller's scope"}}


def checked_launcher(scope: Launcher, _: Annotated[None, Depends(verify_csrf)]) -> Scope:
    """An administrator or operator; the CSRF check after the caller is known (a Bearer call skips it)."""
    return scope


CheckedLauncher = Annotated[Scope, Depends(checked_launcher)]


def input_error(exc: InputError, status: int = 422) -> HTTPException:
    message = " ".join(p.message for p in exc.problems)
    return HTTPException(status, {"message": message, "problems": [p.message for p in exc.problems]})


def draft_or_404(session: Session, scope: Scope, draft_id: int) -> DirectiveDraft:
    draft = find_draft(session, scope, draft_id)
    if draft is None:
        raise HTTPException(404, "Không tìm thấy văn bản")
    return draft
