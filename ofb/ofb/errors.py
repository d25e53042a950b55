"""Every error as problem+json: OFB's own refusals, FastAPI's validation errors, Starlette's
404/405, oversized bodies, and (never for bad input) internal errors.

Refusals of mutating calls that reach these handlers happened before any endpoint ran (no or
bad token, malformed body, unknown route), so they are audited here; refusals inside an
endpoint are audited by the unit of work and never get here.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ofb import problems
from ofb.auth import bearer_of, user_for_token
from ofb.models import Caller
from ofb.problems import FieldError, ProblemError
from ofb.runtime import Runtime
from ofb.unit_of_work import MUTATING_METHODS, audit_refusal

log = logging.getLogger("ofb")

_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def field_errors(errors: list[Any]) -> list[FieldError]:
    """pydantic's errors as problem `errors`: a JSON Pointer each, and no echo of the input."""
    out = []
    for error in errors:
        loc = list(error.get("loc", ()))
        location = str(loc.pop(0)) if loc and loc[0] in _LOCATIONS else "body"
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "")
            out.append(FieldError(pointer="#", location="body", detail=f"The body is not valid JSON: {reason}".strip()))
            continue
        if location == "body" and not loc and error.get("type") == "missing":
            message = "A JSON body is required"
        out.append(FieldError(pointer=problems.pointer(loc), location=location, detail=message))
    return out


def _summary(errors: list[FieldError]) -> str:
    first = errors[0]
    where = first.pointer if first.location == "body" else f"{first.location} parameter {first.pointer[2:]}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.detail}{more}"


async def _audit_if_mutating(request: Request, problem: ProblemError) -> None:
    if request.method not in MUTATING_METHODS:
        return
    rt: Runtime | None = getattr(request.app.state, "runtime", None)
    if rt is None:
        return

    def write() -> None:
        actor: Caller | None = getattr(request.state, "user", None)
        token = bearer_of(request)
        if actor is None and token is not None and problem.status != 401:
            actor = user_for_token(rt.db.reader(), token)
        audit_refusal(rt, request, actor, problem.status, f"{problem.slug}: {problem.detail}")

    try:
        await run_in_threadpool(write)
    except Exception:  # an audit failure must not turn a 4xx into a 500
        log.exception("could not audit a refused %s %s", request.method, request.url.path)


async def _problem(request: Request, problem: ProblemError) -> Response:
    await _audit_if_mutating(request, problem)
    return problem.response(request.url.path)


async def on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return await _problem(request, exc)


async def on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(list(exc.errors()))
    if not errors:
        errors = [FieldError(pointer="#", location="body", detail="invalid request")]
    return await _problem(request, problems.validation(_summary(errors), errors))


async def on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        problem = problems.not_found(f"No route {request.url.path}")
    elif status == 405:
        problem = ProblemError(
            405, "method-not-allowed", "Method not allowed", f"{request.method} is not allowed on {request.url.path}"
        )
        problem.headers = dict(exc.headers or {})
    elif status == 413:
        problem = problems.payload_too_large(request.app.state.runtime.settings.max_body_bytes)
    elif status == 400:
        problem = problems.validation(
            str(exc.detail), [FieldError(pointer="#", location="body", detail=str(exc.detail))]
        )
    else:
        problem = ProblemError(status, "http-error", "HTTP error", str(exc.detail))
        problem.headers = dict(exc.headers or {})
    return await _problem(request, problem)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return problems.internal_error().response(request.url.path)


def install(app: FastAPI) -> None:
    """Registers the handlers on `app`."""
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


class BodyLimit:
    """ASGI middleware: bodies over `limit` bytes are refused (413) before anyone parses them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                response = problems.payload_too_large(self.limit).response(scope.get("path"))
                await response(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, counting_receive, send)
