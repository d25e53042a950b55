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
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ofb import sql
from ofb.credentials import digest
from ofb.models import Caller, utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


KeyHeader = Annotated[
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
]
"""The `Idempotency-Key` header as an endpoint parameter: documented and validated by FastAPI
(the unit of work reads it from the request)."""


def scope_of(actor: Caller | None) -> str:
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


@dataclass(frozen=True)
class Stored:
    """The first response to a key, and what that call was about (for the replays' audit)."""

    fingerprint: str
    secret_hash: str | None
    status: int
    body: Any
    project_id: int | None
    target_type: str | None
    target_id: int | None


def find(session: Session, scope: str, key: str) -> Stored | None:
    """The stored response of `key` in `scope`, if any."""
    row = (
        sql.connection(session)
        .execute(
            "SELECT fingerprint, secret_hash, status, body, project_id, target_type, target_id"
            " FROM idempotency_keys WHERE scope = ? AND key = ?",
            (scope, key),
        )
        .fetchone()
    )
    if row is None:
        return None
    return Stored(row[0], row[1], row[2], sql.from_json(row[3]), row[4], row[5], row[6])


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
    project_id: int | None,
    target_type: str | None,
    target_id: int | None,
) -> None:
    """Stores the response of `key` in the caller's transaction."""
    sql.connection(session).execute(
        "INSERT INTO idempotency_keys (scope, key, method, path, fingerprint, secret_hash, status, body,"
        " created_at, project_id, target_type, target_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            scope,
            key,
            request.method,
            request.url.path,
            fingerprint_,
            secret_hash,
            status,
            sql.to_json(body),
            sql.stamp(utcnow()),
            project_id,
            target_type,
            target_id,
        ),
    )
