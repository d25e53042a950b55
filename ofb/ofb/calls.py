"""What an endpoint is handed: the request, the runtime and the caller, ready to read or mutate.

Three FastAPI dependencies, one per kind of endpoint (async, so that resolving them costs no
worker-thread hop):
`reader` (authenticated GET), `writer` (authenticated mutation, with `Idempotency-Key`) and
`public_writer` (registration and login: no caller yet, still idempotent and audited).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ofb.auth import authenticate, bearer_scheme
from ofb.idempotency import KeyHeader
from ofb.models import Caller
from ofb.runtime import Runtime
from ofb.unit_of_work import Change, amutate, mutate


@dataclass
class Call:
    """One request to an endpoint."""

    request: Request
    rt: Runtime
    actor: Caller | None

    @property
    def user(self) -> Caller:
        """The authenticated caller."""
        assert self.actor is not None, "only authenticated endpoints ask for the user"
        return self.actor

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session."""
        with self.rt.db.read() as session:
            yield session

    def mutate(
        self,
        payload: BaseModel | None,
        change: Change,
        *,
        secret: str | None = None,
        sealed: str | None = None,
    ) -> Response:
        """Runs `change` as this route's audited, idempotent transaction (see unit_of_work)."""
        action = self.request.scope["route"].name
        return mutate(self.request, self.rt, self.actor, action, payload, change, secret=secret, sealed=sealed)

    async def amutate(self, payload: BaseModel | None, change: Change) -> Response:
        """`mutate` awaited on the event loop, for `async def` endpoints whose call carries no
        secret (nothing to hash before the write)."""
        action = self.request.scope["route"].name
        return await amutate(self.request, self.rt, self.actor, action, payload, change)


# Flat dependencies: FastAPI's cost grows with every nested `Depends`, and these run on every call.


async def reader(
    request: Request, _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Call:
    """Dependency of authenticated reads."""
    rt: Runtime = request.app.state.runtime
    return Call(request, rt, authenticate(request, rt))


async def writer(
    request: Request,
    _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    _key: KeyHeader = None,
) -> Call:
    """Dependency of authenticated mutations."""
    rt: Runtime = request.app.state.runtime
    return Call(request, rt, authenticate(request, rt))


async def public_writer(request: Request, _key: KeyHeader = None) -> Call:
    """Dependency of the mutations that need no token (register, log in)."""
    return Call(request, request.app.state.runtime, None)
