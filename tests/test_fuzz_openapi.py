"""The web app's OpenAPI schema, fuzzed over real HTTP (uvicorn) with a bounded number of examples: no 5xx.

Generated paths carry random tokens, bodies and headers; every answer must be a page or a 4xx, never a
server error or a traceback. A directive's org is stored first, so the database is not empty. Hypothesis
is driven per operation here (schemathesis' lazy pytest loader does not run under this pytest).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from tests.accounts_helpers import bearer, operator_token
from tests.cascade_helpers import assignment_id_of, store_sample
from web.csrf import COOKIE, FIELD

EXAMPLES_PER_OPERATION = 15
SIGNED_IN = ("/admin", "/api/")  # fuzzed with an operator's token: past the login, into every route's own checks


def fuzzer(
    operation: Any,
    token: str | None,
    statuses: list[int],
    seen: dict[str, set[int]],
    csrf: dict[str, str],
    api_token: str,
) -> Any:
    """A bounded Hypothesis test of one operation, optionally behind a valid link; a POST behind a valid link
    carries a valid CSRF pair (the cookie and the signed field of a page served to the same visitor), so that
    it passes the CSRF check and the form's own handling of the fuzzed fields is reached."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case: schemathesis.Case) -> None:
        extra: dict[str, Any] = {}
        if token is not None:
            case.path_parameters = {**(case.path_parameters or {}), "token": token}
            if case.method.upper() == "POST":
                if isinstance(case.body, dict):
                    case.body = {**case.body, FIELD: csrf["field"]}
                extra = {"headers": {"x-csrf-token": csrf["field"]}, "cookies": {COOKIE: csrf["cookie"]}}
        if case.path.startswith(SIGNED_IN):
            extra["headers"] = {**extra.get("headers", {}), **bearer(api_token)}
        response = case.call(timeout=30, **extra)
        case.validate_response(response, checks=[not_a_server_error])
        if response.headers.get("content-type", [""])[0].startswith("text/"):  # not the xlsx export
            assert "Traceback" not in response.content.decode("utf-8", "replace")
        statuses.append(response.status_code)
        label = f"{operation.label}{' (valid link)' if token else ''}"
        seen.setdefault(label, set()).add(response.status_code)

    return fuzz


def valid_tokens(settings: Settings) -> dict[str, str]:
    """An acknowledgement link and a report link of one real assignment (stored without sending mail)."""
    with session_scope() as session:
        store_sample(session)
        aid = assignment_id_of(session, "LDLD_TD")
    far = expiry_for(date(2099, 1, 1), 0)
    return {"/u/": make_token(settings, aid, Purpose.ack, far), "/r/": make_token(settings, aid, Purpose.report, far)}


def csrf_pair(web: str, token: str) -> dict[str, str]:
    """The CSRF cookie and the signed field a visitor gets with a unit's page."""
    with httpx.Client() as client:
        page = client.get(f"{web}/u/{token}")
        field = forms_in(page.text)[0]["fields"][FIELD]
        return {"cookie": client.cookies[COOKIE], "field": str(field)}


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")  # GET and HEAD share one route function
@pytest.mark.usefixtures("sample_org")
def test_no_server_error_on_any_operation(settings: Settings, web: str) -> None:
    schema = schemathesis.openapi.from_url(f"{web}/api/openapi.json")
    api_token = operator_token()
    links = valid_tokens(settings)
    csrf = csrf_pair(web, links["/u/"])
    tried: list[str] = []
    statuses: list[int] = []
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema raises here, failing the test
        tried.append(operation.label)
        # Operations behind a link are fuzzed twice: with random tokens, and behind a valid link of the
        # right purpose, so the forms' own handling of bad fields is reached too.
        passes = (
            [None, links["/r/" if operation.path.startswith("/r/") else "/u/"]]
            if "{token}" in operation.path
            else [None]
        )
        for token in passes:
            fuzzer(operation, token, statuses, seen, csrf, api_token)()
    assert any("/u/{token}/ack" in label for label in tried), tried
    assert len(statuses) >= len(tried) and all(code < 500 for code in statuses)
    # Every form behind a valid link was reached past the CSRF check at least once (an answer other than 403).
    posts = {label: codes for label, codes in seen.items() if label.startswith("POST") and "(valid link)" in label}
    assert posts and all(codes - {403} for codes in posts.values()), posts
    print(f"{len(tried)} operations, {len(statuses)} requests:", seen)
