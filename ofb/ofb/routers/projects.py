"""Projects: create (the creator becomes its Admin), list mine, read, change name or budget."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ofb import access, rules
from ofb.calls import Call, reader, writer
from ofb.models import Membership, Project, utcnow
from ofb.openapi import errors
from ofb.rbac import Action, Role
from ofb.schemas import IdPath, ProjectCreate, ProjectOut, ProjectUpdate
from ofb.unit_of_work import Result, Tx

router = APIRouter(tags=["projects"])


def project_out(session: Session, project: Project, role: Role) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        cost_budget=project.cost_budget,
        committed_cost=rules.committed_cost(session, project.id),
        created_by=project.created_by,
        created_at=project.created_at,
        role=role,
    )


@router.post(
    "/projects",
    status_code=201,
    response_model=ProjectOut,
    name="project.create",
    responses=errors(400, 401, 409, 413),
)
async def create_project(body: ProjectCreate, call: Call = Depends(writer)) -> Response:
    """Creates a project; the caller becomes its Admin."""

    def change(tx: Tx) -> Result:
        now = utcnow()
        project = Project(name=body.name, cost_budget=body.cost_budget, created_by=tx.user.id, created_at=now)
        tx.session.add(project)
        tx.session.flush()
        tx.session.add(Membership(project_id=project.id, user_id=tx.user.id, role=Role.ADMIN, created_at=now))
        tx.about(project_id=project.id, target_type="project", target_id=project.id)
        return Result(201, project_out(tx.session, project, Role.ADMIN))

    return await call.amutate(body, change)


@router.get("/projects", response_model=list[ProjectOut], name="project.list", responses=errors(401))
def list_projects(call: Call = Depends(reader)) -> list[ProjectOut]:
    """The projects the caller is a member of, with the caller's role in each."""
    with call.read() as session:
        rows = session.execute(
            select(Project, Membership.role)
            .join(Membership, Membership.project_id == Project.id)
            .where(Membership.user_id == call.user.id)
            .order_by(Project.id)
        ).all()
        return [project_out(session, project, Role(role)) for project, role in rows]


@router.get(
    "/projects/{project_id}",
    response_model=ProjectOut,
    name="project.get",
    responses=errors(400, 401, 404),
)
def get_project(project_id: IdPath, call: Call = Depends(reader)) -> ProjectOut:
    """One project the caller is a member of."""
    with call.read() as session:
        project, role = access.member_of(session, project_id, call.user, Action.PROJECT_READ)
        return project_out(session, project, role)


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectOut,
    name="project.update",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def update_project(project_id: IdPath, body: ProjectUpdate, call: Call = Depends(writer)) -> Response:
    """Renames a project or changes its cost budget (Admin). A lower budget applies to later
    workflow changes; workflows already saved are kept."""

    def change(tx: Tx) -> Result:
        tx.about(target_type="project", target_id=project_id)
        project, role = access.member_of(tx.session, project_id, tx.user, Action.PROJECT_UPDATE, tx)
        if body.name is not None:
            project.name = body.name
        if body.cost_budget is not None:
            project.cost_budget = body.cost_budget
        tx.session.flush()
        return Result(200, project_out(tx.session, project, role))

    return await call.amutate(body, change)
