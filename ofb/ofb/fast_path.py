"""`POST /workflows` without FastAPI's routing and dependency machinery, for well-formed calls.

Creating workflows is OFB's hottest write, and FastAPI's per-request work (matching the route
through the included routers, solving the dependencies, validating the parameters) costs more
CPU than the write itself. This ASGI middleware answers the common case, a well-formed and
authenticated `POST /workflows`, with the very same pieces the endpoint uses: the request model
(`WorkflowCreate`, validated from the parsed JSON as FastAPI does), `authenticate`'s token
lookup, and `amutate` with the endpoint's own change, so the response, the audit entry and the
idempotency record are the endpoint's. Anything else, and any doubt (a query string, another
content type, a malformed body or key, a missing or unknown token), goes on to FastAPI with the
body untouched, so every refusal keeps the one implementation it has there.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ofb import idempotency
from ofb.auth import bearer_of, user_for_token
from ofb.routers.workflows import CREATE, create_change
from ofb.runtime import Runtime
from ofb.schemas import WorkflowCreate
from ofb.unit_of_work import amutate

# What `idempotency.KeyHeader` accepts: 1 to 255 visible ASCII characters.
_KEY = re.compile(r"[!-~]{1,255}")


class WorkflowCreateFastPath:
    """ASGI middleware: see the module's doc. Install it inside the body-size limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/workflows":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = _replaying(body, receive)
        request = Request(scope, replay)
        payload = _payload(request, body)
        rt: Runtime = scope["app"].state.runtime
        token = bearer_of(request) if payload is not None else None
        user = user_for_token(rt.db.reader(), token) if token is not None else None
        if payload is None or user is None:
            await self.app(scope, replay, send)
            return
        request.state.user = user
        response = await amutate(request, rt, user, CREATE, payload, create_change(payload))
        await response(scope, replay, send)


def _payload(request: Request, body: bytes) -> WorkflowCreate | None:
    """The request's model, if the call is one this path answers."""
    if request.url.query or request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return None
    key = request.headers.get(idempotency.HEADER)
    if key is not None and not _KEY.fullmatch(key):
        return None
    try:
        return WorkflowCreate.model_validate(json.loads(body))
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out `body` once, then defers to the original."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
