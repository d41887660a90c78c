"""The web app's OpenAPI schema, fuzzed over real HTTP (uvicorn) with a bounded number of examples: no 5xx.

Generated paths carry random tokens, bodies and headers; every answer must be a page or a 4xx, never a
server error or a traceback. A directive's org is stored first, so the database is not empty. Hypothesis
is driven per operation here (schemathesis' lazy pytest loader does not run under this pytest).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from cascade.settings import Settings

EXAMPLES_PER_OPERATION = 15


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")  # GET and HEAD share one route function
@pytest.mark.usefixtures("sample_org")
def test_no_server_error_on_any_operation(settings: Settings, web: str) -> None:
    schema = schemathesis.openapi.from_url(f"{web}/openapi.json")
    tried: list[str] = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            assert "Traceback" not in response.text
            statuses.append(response.status_code)

        fuzz()
    assert any("/u/{token}/ack" in label for label in tried), tried
    assert len(statuses) >= len(tried) and all(code < 500 for code in statuses)
    print(f"{len(tried)} operations, {len(statuses)} requests:", sorted(set(statuses)))
