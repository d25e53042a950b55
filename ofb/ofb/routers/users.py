"""Users and tokens: open registration, log in for a bearer token, who am I, log out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import func, select

from ofb import problems
from ofb.auth import bearer_of, issue_token
from ofb.calls import Call, public_writer, reader, writer
from ofb.credentials import token_hash
from ofb.models import Caller, Token, User, utcnow
from ofb.openapi import errors
from ofb.schemas import TokenOut, TokenRequest, UserCreate, UserOut
from ofb.unit_of_work import Result, Tx

router = APIRouter(tags=["users"])


def user_out(user: User | Caller) -> UserOut:
    return UserOut(id=user.id, username=user.username, created_at=user.created_at)


@router.post(
    "/users",
    status_code=201,
    response_model=UserOut,
    name="user.register",
    responses=errors(400, 409, 413),
)
def register(body: UserCreate, call: Call = Depends(public_writer)) -> Response:
    """Registers a user (open to anyone). Roles are per project: a new user is in no project."""
    password_hash = call.rt.passwords.hash(body.password)

    def change(tx: Tx) -> Result:
        taken = tx.session.scalar(select(func.count()).select_from(User).where(User.username == body.username))
        if taken:
            raise problems.conflict("username-taken", "Username taken", f"The username {body.username!r} is taken")
        user = User(username=body.username, password_hash=password_hash, created_at=utcnow())
        tx.session.add(user)
        tx.session.flush()
        tx.about(target_type="user", target_id=user.id)
        return Result(201, user_out(user))

    return call.mutate(body, change, secret=body.password)


@router.post(
    "/auth/token",
    response_model=TokenOut,
    name="auth.token.create",
    responses=errors(400, 401, 409, 413),
)
def create_token(body: TokenRequest, call: Call = Depends(public_writer)) -> Response:
    """Exchanges a username and password for a new bearer token."""
    # Verified before the write transaction: argon2 is slow on purpose, and writes wait on it.
    with call.read() as session:
        user = session.scalars(select(User).where(User.username == body.username)).first()
    verified = call.rt.passwords.verify(user.password_hash if user else None, body.password)

    def change(tx: Tx) -> Result:
        if user is not None:
            tx.actor = user
            tx.about(target_type="user", target_id=user.id)
        if user is None or not verified:
            raise problems.unauthorized("Unknown username or wrong password")
        token = issue_token(tx.session, user)
        return Result(200, TokenOut(access_token=token, token_type="bearer", user_id=user.id))

    return call.mutate(body, change, secret=body.password, sealed="access_token")


@router.delete("/auth/token", status_code=204, name="auth.token.revoke", responses=errors(401, 409))
async def revoke_token(call: Call = Depends(writer)) -> Response:
    """Revokes the token this request is made with (log out)."""
    token = bearer_of(call.request)
    assert token is not None, "the writer dependency checked the token"

    def change(tx: Tx) -> Result:
        tx.about(target_type="user", target_id=tx.user.id)
        found = tx.session.scalars(select(Token).where(Token.token_hash == token_hash(token))).first()
        if found is not None:
            tx.session.delete(found)
        return Result(204)

    return await call.amutate(None, change)


@router.get("/users/me", response_model=UserOut, name="user.me", responses=errors(401))
def me(call: Call = Depends(reader)) -> UserOut:
    """The caller."""
    return user_out(call.user)
