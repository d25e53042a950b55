"""The unit of work of every mutating call: one transaction for the change, its audit entry
and its idempotency key.

`amutate()` (on the event loop) or `mutate()` (in a worker thread, for calls that hash a
password first) hands the call to the writer thread:

1. hand the work to the writer thread, which runs it in a savepoint of its next batch's
   `BEGIN IMMEDIATE` transaction (group commit: see `db.py`);
2. if the `Idempotency-Key` was seen before from this caller: replay the stored response, or
   refuse with 409 when the request differs;
3. otherwise run the endpoint's change inside a savepoint; a `ProblemError` rolls the change
   back but keeps the transaction, so that the refusal is still audited (and its key stored);
4. write the audit entry and the key; once the batch is COMMITted (fsync'd: `synchronous=FULL`),
   respond.

Refusals that happen before an endpoint runs (401, malformed body, unknown route) are audited
by `audit_refusal()`, called from the exception handlers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ofb import audit, idempotency, problems
from ofb.credentials import Sealer, same_digest
from ofb.models import Caller
from ofb.problems import ProblemError
from ofb.runtime import Runtime

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Result:
    """What a change returns: the status and body of its response (None for 204)."""

    status: int
    body: BaseModel | None = None


class Tx:
    """The open write transaction handed to a change, plus what its audit entry is about."""

    def __init__(self, session: Session, actor: Caller | None, rt: Runtime) -> None:
        self.session = session
        self.actor = actor
        self.rt = rt
        self.project_id: int | None = None
        self.target_type: str | None = None
        self.target_id: int | None = None

    def about(
        self, *, project_id: int | None = None, target_type: str | None = None, target_id: int | None = None
    ) -> None:
        """Records what the change concerns, as soon as it is known (refusals included)."""
        if project_id is not None:
            self.project_id = project_id
        if target_type is not None:
            self.target_type = target_type
        if target_id is not None:
            self.target_id = target_id

    @property
    def user(self) -> Caller:
        """The authenticated caller (changes on public endpoints must not use this)."""
        assert self.actor is not None, "an authenticated endpoint has an actor"
        return self.actor


Change = Callable[[Tx], Result]


def mutate(
    request: Request,
    rt: Runtime,
    actor: Caller | None,
    action: str,
    payload: BaseModel | None,
    change: Change,
    *,
    secret: str | None = None,
    sealed: str | None = None,
) -> Response:
    """Runs `change` as one audited, idempotent transaction and returns the response
    (blocking: call from a worker thread).

    `secret` is a password carried by the payload: it is part of the request's identity for
    idempotency but only ever stored as an argon2 hash. `sealed` names the response field that
    is a secret (a new token): it is stored sealed under `secret` (see `credentials.py`).
    """
    work, headers = _unit(request, rt, actor, action, payload, change, secret, sealed)
    # Group commit (see db.py): this thread waits until the batch holding the change is on disk.
    status, body = rt.db.submit(work).result()
    return _response(status, body, headers)


async def amutate(
    request: Request, rt: Runtime, actor: Caller | None, action: str, payload: BaseModel | None, change: Change
) -> Response:
    """`mutate` for calls that carry no secret, awaited on the event loop: no worker thread
    waits for the writer, which is what lets many writes share one commit cheaply."""
    work, headers = _unit(request, rt, actor, action, payload, change, None, None)
    status, body = await asyncio.wrap_future(rt.db.submit(work))
    return _response(status, body, headers)


def _unit(
    request: Request,
    rt: Runtime,
    actor: Caller | None,
    action: str,
    payload: BaseModel | None,
    change: Change,
    secret: str | None,
    sealed: str | None,
) -> tuple[Callable[[Session], tuple[int, Any]], dict[str, str]]:
    """The work the writer thread runs for one call, and the response headers it fills in."""
    key = request.headers.get(idempotency.HEADER)
    scope = idempotency.scope_of(actor)
    fingerprint = idempotency.fingerprint(request, payload)
    path = request.url.path
    headers: dict[str, str] = {}
    # Argon2 work happens before the write lock is taken: it is slow on purpose.
    secret_hash = rt.passwords.hash(secret) if key is not None and secret is not None else None
    sealer = rt.passwords.sealer(secret) if key is not None and secret is not None and sealed else None

    def work(session: Session) -> tuple[int, Any]:
        tx = Tx(session, actor, rt)
        record = idempotency.find(session, scope, key) if key else None
        if record is not None:
            assert key is not None
            if same_digest(record.fingerprint, fingerprint) and _secret_matches(rt, record, secret):
                status, body = record.status, _unseal(rt, record.body, sealed, secret)
                outcome, detail = "replayed", f"replay of Idempotency-Key {key!r}"
                # Audited as being about what the first call was about (its project, its target).
                tx.about(project_id=record.project_id, target_type=record.target_type, target_id=record.target_id)
                headers[idempotency.REPLAYED_HEADER] = "true"
                if status == 401:
                    headers["WWW-Authenticate"] = "Bearer"
            else:
                problem = problems.idempotency_key_reused(key)
                status, body = problem.status, problem.body(path)
                outcome, detail = "refused", problem.detail
        else:
            try:
                with session.begin_nested():
                    result = change(tx)
                status = result.status
                body = result.body.model_dump(mode="json") if result.body is not None else None
                outcome, detail = "ok", None
            except ProblemError as problem:
                status, body = problem.status, problem.body(path)
                headers.update(problem.headers)
                outcome, detail = "refused", f"{problem.slug}: {problem.detail}"
            if key is not None:
                idempotency.store(
                    session,
                    scope=scope,
                    key=key,
                    request=request,
                    fingerprint_=fingerprint,
                    secret_hash=secret_hash,
                    status=status,
                    body=_seal(body, sealed, sealer) if status < 400 else body,
                    project_id=tx.project_id,
                    target_type=tx.target_type,
                    target_id=tx.target_id,
                )
        audit.record(
            session,
            actor=tx.actor,
            action=action,
            method=request.method,
            path=path,
            status=status,
            outcome=outcome,
            project_id=tx.project_id,
            target_type=tx.target_type,
            target_id=tx.target_id,
            detail=detail,
        )
        return status, body

    return work, headers


def audit_refusal(rt: Runtime, request: Request, actor: Caller | None, status: int, detail: str) -> None:
    """Audits a mutating call refused before any endpoint ran (blocking: call from a worker thread)."""
    route = request.scope.get("route")
    action = getattr(route, "name", None) or "unrouted"
    with rt.db.write() as session:
        audit.record(
            session,
            actor=actor,
            action=action,
            method=request.method,
            path=request.url.path,
            status=status,
            outcome="refused",
            detail=detail,
        )


def _response(status: int, body: Any, headers: dict[str, str]) -> Response:
    if status == 204:
        return Response(status_code=204, headers=headers)
    if status >= 400:
        return problems.problem_response(status, body, headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _secret_matches(rt: Runtime, record: idempotency.Stored, secret: str | None) -> bool:
    if record.secret_hash is None:
        return secret is None
    return secret is not None and rt.passwords.verify(record.secret_hash, secret)


def _seal(body: Any, field: str | None, sealer: Sealer | None) -> Any:
    if field is None or not isinstance(body, dict) or field not in body:
        return body
    assert sealer is not None, "sealing needs the request's secret"
    return {**body, field: sealer.seal(body[field])}


def _unseal(rt: Runtime, body: Any, field: str | None, secret: str | None) -> Any:
    if field is None or not isinstance(body, dict) or secret is None or not isinstance(body.get(field), str):
        return body
    return {**body, field: rt.passwords.unseal(body[field], secret)}
