"""Idempotency keys: a retried request gets the first response, and nothing happens twice.

A key is scoped to its caller (`user:<id>`, or `anonymous` before login) and stored in the
database with a fingerprint of the request (method, path, query, canonical JSON body) and the
response (status and body), in the same transaction as the change itself: a response that was
acknowledged always has its key, and a key never exists without its change. The same key with a
different request is refused with 409 `idempotency-key-reused`. Keys are kept indefinitely, so a
client may replay an offline outbox days later.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Header, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ofb.credentials import digest
from ofb.models import IdempotencyRecord, User, utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=255,
            pattern=r"^[!-~]+$",
            description="Makes this call safe to retry: the same key with the same request returns "
            "the first response and changes nothing again; with a different request it is a 409. "
            "Visible ASCII, at most 255 characters; a UUID is a good choice.",
        ),
    ] = None,
) -> str | None:
    """FastAPI dependency: documents and validates the header (the unit of work reads it)."""
    return key


def scope_of(actor: User | None) -> str:
    """Whose namespace a key lives in."""
    return f"user:{actor.id}" if actor is not None else "anonymous"


def fingerprint(request: Request, payload: BaseModel | None) -> str:
    """What identifies a request for key reuse (secrets in the payload are masked: see `secret_hash`)."""
    canonical = {
        "method": request.method,
        "path": request.url.path,
        "query": sorted(request.query_params.multi_items()),
        "body": payload.model_dump(mode="json") if payload is not None else None,
    }
    return digest(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode())


def find(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    return session.get(IdempotencyRecord, (scope, key))


def store(
    session: Session,
    *,
    scope: str,
    key: str,
    request: Request,
    fingerprint_: str,
    secret_hash: str | None,
    status: int,
    body: Any,
) -> None:
    session.add(
        IdempotencyRecord(
            scope=scope,
            key=key,
            method=request.method,
            path=request.url.path,
            fingerprint=fingerprint_,
            secret_hash=secret_hash,
            status=status,
            body=body,
            created_at=utcnow(),
        )
    )
