"""The web app's OpenAPI schema, fuzzed over real HTTP (uvicorn) with a bounded number of examples: no 5xx.

Generated paths carry random tokens, bodies and headers; every answer must be a page or a 4xx, never a
server error or a traceback. A directive's org is stored first, so the database is not empty. Hypothesis
is driven per operation here (schemathesis' lazy pytest loader does not run under this pytest).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from tests.cascade_helpers import assignment_id_of, store_sample

EXAMPLES_PER_OPERATION = 15
ADMIN = ("admin", "fuzz-admin-password-0123")


def fuzzer(operation: Any, token: str | None, statuses: list[int], seen: dict[str, set[int]]) -> Any:
    """A bounded Hypothesis test of one operation, optionally behind a valid link."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def fuzz(case: schemathesis.Case) -> None:
        if token is not None:
            case.path_parameters = {**(case.path_parameters or {}), "token": token}
        response = case.call(timeout=30, auth=ADMIN if case.path.startswith("/admin") else None)
        case.validate_response(response, checks=[not_a_server_error])
        if response.headers.get("content-type", [""])[0].startswith("text/"):  # not the xlsx export
            assert "Traceback" not in response.content.decode("utf-8", "replace")
        statuses.append(response.status_code)
        seen.setdefault(f"{operation.label}{' (valid link)' if token else ''}", set()).add(response.status_code)

    return fuzz


def valid_tokens(settings: Settings) -> dict[str, str]:
    """An acknowledgement link and a report link of one real assignment (stored without sending mail)."""
    with session_scope() as session:
        store_sample(session)
        aid = assignment_id_of(session, "LDLD_TD")
    far = expiry_for(date(2099, 1, 1), 0)
    return {"/u/": make_token(settings, aid, Purpose.ack, far), "/r/": make_token(settings, aid, Purpose.report, far)}


@pytest.fixture
def admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before `settings` is built, so the administrative views are fuzzed behind a valid login too."""
    monkeypatch.setenv("CASCADE_ADMIN_PASSWORD", ADMIN[1])


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")  # GET and HEAD share one route function
@pytest.mark.usefixtures("admin_password", "sample_org")
def test_no_server_error_on_any_operation(settings: Settings, web: str) -> None:
    schema = schemathesis.openapi.from_url(f"{web}/openapi.json")
    links = valid_tokens(settings)
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
            fuzzer(operation, token, statuses, seen)()
    assert any("/u/{token}/ack" in label for label in tried), tried
    assert len(statuses) >= len(tried) and all(code < 500 for code in statuses)
    print(f"{len(tried)} operations, {len(statuses)} requests:", seen)
