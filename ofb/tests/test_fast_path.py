"""The `POST /workflows` fast path (`fast_path.py`): it answers well-formed, authenticated calls
itself, with what the endpoint would answer, and hands everything else to FastAPI untouched."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from support import Api, World, new_key, workflow_body

from ofb.fast_path import WorkflowCreateFastPath


class Fallback:
    """Stands for FastAPI behind the fast path: records what reached it, with its body."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        self.bodies.append(message["body"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call(
    api: Api, who: str | None, body: bytes, *, query: bytes = b"", key: str | None = None
) -> tuple[int, Any, Fallback]:
    fallback = Fallback()
    headers = [(b"content-type", b"application/json")]
    if who is not None:
        headers.append((b"authorization", f"Bearer {api.tokens[who]}".encode()))
    if key is not None:
        headers.append((b"idempotency-key", key.encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/workflows",
        "raw_path": b"/workflows",
        "query_string": query,
        "headers": headers,
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
        "http_version": "1.1",
        "app": api.app,
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(WorkflowCreateFastPath(fallback)(scope, receive, send))
    status = sent[0]["status"]
    payload = b"".join(m.get("body", b"") for m in sent[1:])
    return status, json.loads(payload) if payload else None, fallback


def test_a_well_formed_call_is_answered_without_fastapi(api: Api, world: World) -> None:
    key = new_key()
    body = json.dumps(workflow_body(world.ids["creator"], world.project, name="fast")).encode()
    status, created, fallback = call(api, "creator", body, key=key)
    assert (status, fallback.bodies) == (201, [])
    # What the endpoint stored is what FastAPI's path replays for the same key.
    again = api.post("/workflows", "creator", json.loads(body), key=key)
    assert again.status_code == 201 and again.json() == created
    assert again.headers["idempotent-replayed"] == "true"
    assert api.get(f"/workflows/{created['id']}", "creator").json() == created


def test_a_refusal_by_the_change_is_the_endpoints_too(api: Api, world: World) -> None:
    body = json.dumps(workflow_body(world.ids["executor"], world.project)).encode()
    status, problem, fallback = call(api, "executor", body)
    assert (status, fallback.bodies) == (403, [])
    assert problem["type"].endswith(":forbidden")


@pytest.mark.parametrize(
    ("who", "body", "query", "key"),
    [
        (None, b"{}", b"", None),  # no token: FastAPI's 401, audited there
        ("creator", b"{not json", b"", None),
        ("creator", b'{"spec": {}}', b"", None),  # invalid: FastAPI's 400 with field errors
        ("creator", None, b"x=1", None),
        ("creator", None, b"", "bad key with spaces"),
    ],
)
def test_anything_else_goes_to_fastapi_with_its_body(
    api: Api, world: World, who: str | None, body: bytes | None, query: bytes, key: str | None
) -> None:
    body = body or json.dumps(workflow_body(world.ids["creator"], world.project)).encode()
    status, _, fallback = call(api, who, body, query=query, key=key)
    assert (status, fallback.bodies) == (599, [body])
