"""What an endpoint is handed: the request, the runtime and the caller, ready to read or mutate.

Three FastAPI dependencies, one per kind of endpoint:
`reader` (authenticated GET), `writer` (authenticated mutation, with `Idempotency-Key`) and
`public_writer` (registration and login: no caller yet, still idempotent and audited).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ofb.auth import current_user
from ofb.idempotency import idempotency_key
from ofb.models import User
from ofb.runtime import Runtime, runtime
from ofb.unit_of_work import Change, mutate


@dataclass
class Call:
    """One request to an endpoint."""

    request: Request
    rt: Runtime
    actor: User | None

    @property
    def user(self) -> User:
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


def reader(request: Request, rt: Runtime = Depends(runtime), user: User = Depends(current_user)) -> Call:
    """Dependency of authenticated reads."""
    return Call(request, rt, user)


def writer(
    request: Request,
    rt: Runtime = Depends(runtime),
    user: User = Depends(current_user),
    _key: str | None = Depends(idempotency_key),
) -> Call:
    """Dependency of authenticated mutations."""
    return Call(request, rt, user)


def public_writer(
    request: Request, rt: Runtime = Depends(runtime), _key: str | None = Depends(idempotency_key)
) -> Call:
    """Dependency of the mutations that need no token (register, log in)."""
    return Call(request, rt, None)
