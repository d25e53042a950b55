"""The OpenAPI document: error responses as problem+json, and no trace of FastAPI's 422.

`errors(...)` documents a route's error statuses; `build()` generates the document and moves
every error body to `application/problem+json` (FastAPI puts them under `application/json`)
and replaces FastAPI's automatic 422 with the 400 that OFB really sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ofb.problems import PROBLEM_JSON, Problem

_DESCRIPTIONS = {
    400: "Invalid request: the problem's `errors` names each invalid field (JSON Pointer)",
    401: "Missing, unknown or revoked bearer token (`WWW-Authenticate: Bearer`)",
    403: "The caller's role in the project does not allow this",
    404: "Does not exist, or is not visible to the caller",
    409: "Conflict: stale version, duplicate, or an `Idempotency-Key` reused for another request",
    413: "Request body too large",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that may answer with these error statuses."""
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}


def build(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of `app`, with OFB's error conventions."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            # FastAPI titles the route name ("Workflow.Create"); the docstring's first line says more.
            if operation.get("description"):
                operation["summary"] = operation["description"].split("\n")[0].strip()
            responses: dict[str, Any] = operation.get("responses", {})
            fastapi_422 = responses.pop("422", None)
            if fastapi_422 is not None and "400" not in responses:
                responses["400"] = {
                    "description": _DESCRIPTIONS[400],
                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            for status, response in responses.items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
