"""Bearer-token authentication: who is calling.

Tokens come from `POST /auth/token` (or the admin bootstrap) and are looked up by their
SHA-256; a missing, malformed, unknown or revoked token is a 401 with `WWW-Authenticate: Bearer`.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ofb import problems
from ofb.credentials import new_token, token_hash
from ofb.models import Token, User, utcnow
from ofb.runtime import Runtime, runtime

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A token from `POST /auth/token`: `Authorization: Bearer ofb_…`",
)


def user_for_token(session: Session, token: str) -> User | None:
    """The user a token belongs to, or None."""
    return session.scalars(
        select(User).join(Token, Token.user_id == User.id).where(Token.token_hash == token_hash(token))
    ).first()


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


def current_user(
    request: Request,
    rt: Runtime = Depends(runtime),
    _credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> User:
    """FastAPI dependency: the authenticated caller, or 401."""
    token = bearer_of(request)
    if token is None:
        raise problems.unauthorized("This endpoint needs `Authorization: Bearer <token>`")
    with rt.db.read() as session:
        user = user_for_token(session, token)
    if user is None:
        raise problems.unauthorized("The bearer token is unknown or revoked", invalid_token=True)
    request.state.user = user
    return user
