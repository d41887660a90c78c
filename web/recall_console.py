"""The issuer's recall button (thu hồi): the same check and the same `recall-directive` flow as `cascade recall`,
started from the directive's console page by an administrator of the issuing unit (or an operator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from cascade.core.errors import InputError
from cascade.lifecycle.recall import check_recall
from models import Unit
from web.admin_scope import directive_or_404
from web.auth import Launcher
from web.common import app_engine, log, page
from web.csrf import verify_csrf
from web.launching import start_recall

router = APIRouter(prefix="/admin")


@router.post("/directives/{directive_id}/recall", dependencies=[Depends(verify_csrf)], response_model=None)
def recall_from_console(
    directive_id: int,
    request: Request,
    scope: Launcher,
    reason: str = Form("", max_length=2000),
    confirm: str = Form(""),
) -> Response:
    """Recall the directive (its pass-ons with it): every unit holding it is told once, with the reason."""
    with Session(app_engine(request)) as session:
        directive = directive_or_404(session, scope, directive_id)
        if not scope.everything and directive.issuer_id != scope.unit_id:
            raise HTTPException(403, "Chỉ đơn vị ban hành mới thu hồi được văn bản của mình.")
        issuer = session.get(Unit, directive.issuer_id)
        assert issuer is not None
        if directive.closed_at is not None:
            return _refused(directive_id, "Văn bản này đã được thu hồi hoặc đã bị thay thế.")
        if not reason.strip():
            return _refused(directive_id, "Hãy ghi lý do thu hồi: các đơn vị sẽ đọc lý do này trong thông báo.")
        if confirm != "yes":
            return _refused(directive_id, "Hãy đánh dấu ô xác nhận thu hồi: mọi đơn vị đã nhận sẽ được thông báo.")
        try:
            check_recall(session, directive.number, issuer.code, reason)
        except InputError as exc:
            return _refused(directive_id, "; ".join(p.message for p in exc.problems))
        number, issuer_code = directive.number, issuer.code
    run_id = start_recall(
        directive_id=directive_id, number=number, issuer=issuer_code, reason=reason, actor=scope.actor
    )
    log.info("recall of %s started by %s (flow run %s)", number, scope.actor, run_id)
    return RedirectResponse(f"/admin/directives/{directive_id}?recall=started", status_code=303)


def _refused(directive_id: int, message: str) -> HTMLResponse:  # nothing was changed
    return page("web/error.html", status_code=422, title="Chưa thu hồi được văn bản", message=message)
