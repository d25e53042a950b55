"""ofb/openapi.json is what the app serves (it is the contract the Rust side tests against)."""

from __future__ import annotations

import json

from support import Api

from ofb.export_openapi import DEFAULT_PATH, REFRESH_COMMAND, document


def test_checked_in_openapi_json_is_current() -> None:
    assert DEFAULT_PATH.exists(), f"{DEFAULT_PATH} is missing; create it with: {REFRESH_COMMAND}"
    assert DEFAULT_PATH.read_text() == document(), f"{DEFAULT_PATH} is stale; refresh it with: {REFRESH_COMMAND}"


def test_served_document_is_the_exported_one(empty_api: Api) -> None:
    served = empty_api.get("/openapi.json").json()
    assert served == json.loads(DEFAULT_PATH.read_text())


def test_every_error_response_is_problem_json_and_nothing_says_422() -> None:
    doc = json.loads(DEFAULT_PATH.read_text())
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert "422" not in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)
            if method in ("post", "put", "patch", "delete"):
                names = {p["name"] for p in operation.get("parameters", [])}
                assert "Idempotency-Key" in names, (method, path)
                assert "409" in operation["responses"], (method, path)
    assert "HTTPValidationError" not in doc["components"]["schemas"]
