"""Extensions of a project: registered with the permissions they request, approved by an
Admin who grants a subset. Only approved extensions may be used as workflow commands."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from ofb import access, problems
from ofb.calls import Call, reader, writer
from ofb.models import Extension, utcnow
from ofb.openapi import errors
from ofb.problems import body_error
from ofb.rbac import Action
from ofb.schemas import ExtensionApprove, ExtensionCreate, ExtensionOut, ExtensionStatus, IdPath
from ofb.unit_of_work import Result, Tx

router = APIRouter(tags=["extensions"])


def extension_out(e: Extension) -> ExtensionOut:
    return ExtensionOut(
        id=e.id,
        project_id=e.project_id,
        name=e.name,
        version=e.version,
        status=ExtensionStatus(e.status),
        requested=list(e.requested),
        granted=list(e.granted),
        registered_by=e.registered_by,
        created_at=e.created_at,
        decided_by=e.decided_by,
        decided_at=e.decided_at,
    )


def _unique(values: list[str], field: str) -> list[str]:
    seen: set[str] = set()
    errors = []
    for i, value in enumerate(values):
        if value in seen:
            errors.append(body_error([field, i], f"{value!r} is listed twice"))
        seen.add(value)
    if errors:
        raise problems.validation(errors[0].detail, errors)
    return values


@router.get(
    "/projects/{project_id}/extensions",
    response_model=list[ExtensionOut],
    name="extension.list",
    responses=errors(400, 401, 404),
)
def list_extensions(project_id: IdPath, call: Call = Depends(reader)) -> list[ExtensionOut]:
    """The project's extensions, with requested and granted permissions."""
    with call.read() as session:
        access.member_of(session, project_id, call.user, Action.EXTENSION_READ)
        rows = session.scalars(select(Extension).where(Extension.project_id == project_id).order_by(Extension.id))
        return [extension_out(e) for e in rows]


@router.post(
    "/projects/{project_id}/extensions",
    status_code=201,
    response_model=ExtensionOut,
    name="extension.register",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def register_extension(project_id: IdPath, body: ExtensionCreate, call: Call = Depends(writer)) -> Response:
    """Registers an extension in the project (Admin or Creator); it waits for an Admin's approval."""

    def change(tx: Tx) -> Result:
        access.member_of(tx.session, project_id, tx.user, Action.EXTENSION_REGISTER, tx)
        requested = _unique(body.permissions, "permissions")
        clash = tx.session.scalars(
            select(Extension).where(Extension.project_id == project_id, Extension.name == body.name)
        ).first()
        if clash is not None:
            raise problems.conflict(
                "extension-exists",
                "Extension already registered",
                f"Project {project_id} already has an extension {body.name!r} (id {clash.id})",
            )
        extension = Extension(
            project_id=project_id,
            name=body.name,
            version=body.version,
            requested=requested,
            granted=[],
            status=ExtensionStatus.PENDING,
            registered_by=tx.user.id,
            created_at=utcnow(),
        )
        tx.session.add(extension)
        tx.session.flush()
        tx.about(target_type="extension", target_id=extension.id)
        return Result(201, extension_out(extension))

    return await call.amutate(body, change)


@router.get(
    "/extensions/{extension_id}",
    response_model=ExtensionOut,
    name="extension.get",
    responses=errors(400, 401, 404),
)
def get_extension(extension_id: IdPath, call: Call = Depends(reader)) -> ExtensionOut:
    """One extension: requested versus granted permissions."""
    with call.read() as session:
        return extension_out(access.extension_for(session, extension_id, call.user, Action.EXTENSION_READ))


@router.put(
    "/extensions/{extension_id}/approval",
    response_model=ExtensionOut,
    name="extension.approve",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def approve_extension(extension_id: IdPath, body: ExtensionApprove, call: Call = Depends(writer)) -> Response:
    """Approves the extension (Admin), granting a subset of what it requested (possibly none).
    Calling it again replaces the grant."""

    def change(tx: Tx) -> Result:
        extension = access.extension_for(tx.session, extension_id, tx.user, Action.EXTENSION_APPROVE, tx)
        granted = _unique(body.granted, "granted")
        requested = set(extension.requested)
        errors = [
            body_error(["granted", i], f"{p!r} was not requested by {extension.name!r}")
            for i, p in enumerate(granted)
            if p not in requested
        ]
        if errors:
            raise problems.invalid_grant(errors[0].detail, errors)
        extension.granted = list(granted)
        extension.status = ExtensionStatus.APPROVED
        extension.decided_by = tx.user.id
        extension.decided_at = utcnow()
        tx.session.flush()
        return Result(200, extension_out(extension))

    return await call.amutate(body, change)


@router.delete(
    "/extensions/{extension_id}/approval",
    response_model=ExtensionOut,
    name="extension.revoke",
    responses=errors(400, 401, 403, 404, 409),
)
async def revoke_extension(extension_id: IdPath, call: Call = Depends(writer)) -> Response:
    """Revokes the approval (Admin): nothing is granted, and runs that use it are refused."""

    def change(tx: Tx) -> Result:
        extension = access.extension_for(tx.session, extension_id, tx.user, Action.EXTENSION_APPROVE, tx)
        extension.granted = []
        extension.status = ExtensionStatus.REVOKED
        extension.decided_by = tx.user.id
        extension.decided_at = utcnow()
        tx.session.flush()
        return Result(200, extension_out(extension))

    return await call.amutate(None, change)
