"""Property-based fuzzing of the OpenAPI schema (schemathesis) against the real app over a small
real index: no request, however odd, gets a 5xx or a response that breaks the schema.

Bounded for CI: ``FUZZ_EXAMPLES`` examples per operation (about a minute in all on 2 cores).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.reliability.api_app import build_index, make_app

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    settings = build_index(tmp_path_factory.mktemp("fuzz"), "fuzz")
    # Writes stay disabled (no api_key): the fuzzer must not change the index it reads.
    app = make_app(settings, max_body_bytes=256 * 1024)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_no_server_error_and_responses_match_the_schema(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation of the schema, ``FUZZ_EXAMPLES`` generated requests each (positive and
    negative data), checked for 5xx and for responses that break their declared schema."""
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8
    tried = []
    for operation in operations:

        @hypothesis_settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        fuzz()
        tried.append(f"{operation.method.upper()} {operation.path}")
    print(f"fuzzed {len(tried)} operations x {FUZZ_EXAMPLES} examples: {', '.join(tried)}")
