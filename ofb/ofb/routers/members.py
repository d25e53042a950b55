"""Project members and their roles, managed by the project's Admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ofb import access, problems
from ofb.calls import Call, reader, writer
from ofb.models import Membership, User, utcnow
from ofb.openapi import errors
from ofb.problems import body_error
from ofb.rbac import Action, Role
from ofb.schemas import IdPath, MemberAdd, MemberOut, MemberUpdate
from ofb.unit_of_work import Result, Tx

router = APIRouter(tags=["members"])


def member_out(membership: Membership, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id, username=user.username, role=Role(membership.role), added_at=membership.created_at
    )


def _membership(session: Session, project_id: int, user_id: int) -> tuple[Membership, User]:
    membership = session.get(Membership, (project_id, user_id))
    if membership is None:
        raise problems.not_found(f"User {user_id} is not a member of project {project_id}")
    user = session.get(User, user_id)
    assert user is not None, "memberships reference users"
    return membership, user


def _keep_an_admin(session: Session, project_id: int, membership: Membership) -> None:
    """A project must keep at least one Admin, or nobody could ever manage it again."""
    if membership.role != Role.ADMIN:
        return
    admins = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.project_id == project_id, Membership.role == Role.ADMIN)
    )
    if admins == 1:
        raise problems.conflict(
            "last-admin",
            "Last Admin",
            f"User {membership.user_id} is the only Admin of project {project_id}; make another member Admin first",
        )


@router.get(
    "/projects/{project_id}/members",
    response_model=list[MemberOut],
    name="member.list",
    responses=errors(400, 401, 404),
)
def list_members(project_id: IdPath, call: Call = Depends(reader)) -> list[MemberOut]:
    """The project's members and their roles."""
    with call.read() as session:
        access.member_of(session, project_id, call.user, Action.MEMBER_READ)
        rows = session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.project_id == project_id)
            .order_by(User.id)
        ).all()
        return [member_out(m, u) for m, u in rows]


@router.post(
    "/projects/{project_id}/members",
    status_code=201,
    response_model=MemberOut,
    name="member.add",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def add_member(project_id: IdPath, body: MemberAdd, call: Call = Depends(writer)) -> Response:
    """Adds a registered user to the project with a role (Admin)."""

    def change(tx: Tx) -> Result:
        access.member_of(tx.session, project_id, tx.user, Action.MEMBER_MANAGE, tx)
        user = tx.session.scalars(select(User).where(User.username == body.username)).first()
        if user is None:
            raise problems.unknown_user(
                f"No user is called {body.username!r}", [body_error(["username"], "no such user")]
            )
        tx.about(target_type="user", target_id=user.id)
        if tx.session.get(Membership, (project_id, user.id)) is not None:
            raise problems.conflict(
                "already-member", "Already a member", f"{user.username!r} is already a member of project {project_id}"
            )
        membership = Membership(project_id=project_id, user_id=user.id, role=body.role, created_at=utcnow())
        tx.session.add(membership)
        tx.session.flush()
        return Result(201, member_out(membership, user))

    return await call.amutate(body, change)


@router.put(
    "/projects/{project_id}/members/{user_id}",
    response_model=MemberOut,
    name="member.update",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def change_role(
    project_id: IdPath, user_id: IdPath, body: MemberUpdate, call: Call = Depends(writer)
) -> Response:
    """Changes a member's role (Admin)."""

    def change(tx: Tx) -> Result:
        tx.about(target_type="user", target_id=user_id)
        access.member_of(tx.session, project_id, tx.user, Action.MEMBER_MANAGE, tx)
        membership, user = _membership(tx.session, project_id, user_id)
        if body.role != Role.ADMIN:
            _keep_an_admin(tx.session, project_id, membership)
        membership.role = body.role
        tx.session.flush()
        return Result(200, member_out(membership, user))

    return await call.amutate(body, change)


@router.delete(
    "/projects/{project_id}/members/{user_id}",
    status_code=204,
    name="member.remove",
    responses=errors(400, 401, 403, 404, 409),
)
async def remove_member(project_id: IdPath, user_id: IdPath, call: Call = Depends(writer)) -> Response:
    """Removes a member from the project (Admin)."""

    def change(tx: Tx) -> Result:
        tx.about(target_type="user", target_id=user_id)
        access.member_of(tx.session, project_id, tx.user, Action.MEMBER_MANAGE, tx)
        membership, _ = _membership(tx.session, project_id, user_id)
        _keep_an_admin(tx.session, project_id, membership)
        tx.session.delete(membership)
        return Result(204)

    return await call.amutate(None, change)
