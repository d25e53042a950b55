"""Bearer-token authentication: who is calling.

Tokens come from `POST /auth/token` (or the admin bootstrap) and are looked up by their
SHA-256; a missing, malformed, unknown or revoked token is a 401 with `WWW-Authenticate: Bearer`.
"""

from __future__ import annotations

import sqlite3

from fastapi import Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from ofb import problems, sql
from ofb.credentials import new_token, token_hash
from ofb.models import Caller, Token, User, utcnow
from ofb.runtime import Runtime

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from `POST /auth/token`: `Authorization: Bearer ofb_…`",
)


def user_for_token(connection: sqlite3.Connection, token: str) -> Caller | None:
    """The user a token belongs to, or None."""
    row = connection.execute(
        "SELECT u.id, u.username, u.created_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        return None
    return Caller(id=row[0], username=row[1], created_at=sql.instant(row[2]))


def issue_token(session: Session, user: User) -> str:
    """Creates a token for `user` in `session` and returns it (the only time it is in the clear)."""
    token = new_token()
    session.add(Token(user_id=user.id, token_hash=token_hash(token), created_at=utcnow()))
    return token


def bearer_of(request: Request) -> str | None:
    """The bearer token of a request, if it has one."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def authenticate(request: Request, rt: Runtime) -> Caller:
    """The authenticated caller, or 401 (the readers' and writers' dependencies call this).

    Runs on the event loop (no worker-thread hop per request): the lookup is one indexed read.
    """
    token = bearer_of(request)
    if token is None:
        raise problems.unauthorized("This endpoint needs `Authorization: Bearer <token>`")
    user = user_for_token(rt.db.reader(), token)
    if user is None:
        raise problems.unauthorized("The bearer token is unknown or revoked", invalid_token=True)
    request.state.user = user
    return user
