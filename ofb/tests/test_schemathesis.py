"""Property-based tests of the whole API against its OpenAPI document (in-process ASGI).

For every operation, schemathesis generates requests from the schema (valid ones and, through
its negative mode, invalid ones) and checks that OFB never answers 5xx, that every status is
documented, and that every response body and content type matches the schema. Calls are made
as the Admin of the world's project, so that some generated ids hit real resources; a bounded
number of examples keeps this fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]


OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"


class _App:
    """The ASGI app under test, set per test: schemathesis binds an app when the schema is
    loaded (at import), while each test wants a fresh database."""

    target: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


_app = _App()
# The checked-in document: the contract the Rust side is tested against (test_openapi_current
# keeps it equal to what the app serves).
schema = schemathesis.openapi.from_path(OPENAPI)
schema.app = _app


@pytest.fixture
def target(api: Api) -> Iterator[Api]:
    """The app, with the world's data afresh for each operation."""
    _app.target = api.app
    yield api
    _app.target = None


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, target: Api) -> None:
    # Generated requests carry random bearer tokens (the schema declares the scheme); replace
    # them with a real one, or every call would stop at 401.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {target.tokens['admin']}"}
    case.call_and_validate(checks=CHECKS)
