"""Workflows: the seed's contract (`POST /workflows`), versions kept forever, optimistic
concurrency on every change (a stale `version` is a 409), the budget and validation rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from ofb import access, problems, rules, sql
from ofb.calls import Call, reader, writer
from ofb.models import Workflow, WorkflowVersion, utcnow
from ofb.openapi import errors
from ofb.rbac import Action
from ofb.schemas import (
    MAX_ID,
    IdPath,
    WorkflowCreate,
    WorkflowOut,
    WorkflowSpec,
    WorkflowUpdate,
    WorkflowVersionOut,
)
from ofb.unit_of_work import Change, Result, Tx

router = APIRouter(tags=["workflows"])

# The audit action (and route name) of `POST /workflows`.
CREATE = "workflow.create"


def workflow_out(w: Workflow) -> WorkflowOut:
    return WorkflowOut(
        id=w.id,
        spec=WorkflowSpec.model_validate(w.spec),
        user_id=w.user_id,
        project_id=w.project_id,
        created_at=w.created_at,
        status="created",
        version=w.version,
        estimated_cost=w.estimated_cost,
        updated_at=w.updated_at,
    )


def _stale(workflow: Workflow, sent: int) -> problems.ProblemError:
    return problems.version_conflict(
        f"Workflow {workflow.id} is at version {workflow.version}, not {sent}: fetch it again and reapply the change",
        current_version=workflow.version,
    )


@router.post(
    "/workflows",
    status_code=201,
    response_model=WorkflowOut,
    name=CREATE,
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def create_workflow(body: WorkflowCreate, call: Call = Depends(writer)) -> Response:
    """Creates a workflow (Creator or Admin) after validating it and checking the budget."""
    return await call.amutate(body, create_change(body))


def create_change(body: WorkflowCreate) -> Change:
    """The change of `POST /workflows` (also run by `fast_path.py`)."""

    def change(tx: Tx) -> Result:
        # The hottest write OFB has: plain SQL on the transaction's connection (see sql.py).
        project, _ = access.check_member(tx.session, body.project_id, tx.user, Action.WORKFLOW_WRITE, tx)
        if body.user_id != tx.user.id:
            raise problems.forbidden(
                f"user_id {body.user_id} is not the caller ({tx.user.id}): "
                "a workflow is created in its creator's own name"
            )
        rules.validate_workflow(tx.session, project.id, body.spec)
        rules.check_budget(tx.session, project, body.estimated_cost)
        now = utcnow()
        at = sql.stamp(now)
        spec = sql.to_json(body.spec.model_dump(mode="json"))
        db = sql.connection(tx.session)
        workflow_id = db.execute(
            "INSERT INTO workflows (project_id, user_id, spec, estimated_cost, version, status, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 1, 'created', ?, ?)",
            (project.id, tx.user.id, spec, body.estimated_cost, at, at),
        ).lastrowid
        assert workflow_id is not None, "an INSERT has a rowid"
        db.execute(
            "INSERT INTO workflow_versions (workflow_id, version, spec, estimated_cost, author_id, created_at)"
            " VALUES (?, 1, ?, ?, ?, ?)",
            (workflow_id, spec, body.estimated_cost, tx.user.id, at),
        )
        tx.about(target_type="workflow", target_id=workflow_id)
        created = WorkflowOut(
            id=workflow_id,
            spec=body.spec,
            user_id=tx.user.id,
            project_id=project.id,
            created_at=sql.instant(at),
            status="created",
            version=1,
            estimated_cost=body.estimated_cost,
            updated_at=sql.instant(at),
        )
        return Result(201, created)

    return change


@router.get(
    "/projects/{project_id}/workflows",
    response_model=list[WorkflowOut],
    name="workflow.list",
    responses=errors(400, 401, 404),
)
def list_workflows(project_id: IdPath, call: Call = Depends(reader)) -> list[WorkflowOut]:
    """The project's live workflows."""
    with call.read() as session:
        access.member_of(session, project_id, call.user, Action.WORKFLOW_READ)
        rows = session.scalars(
            select(Workflow)
            .where(Workflow.project_id == project_id, Workflow.status != "deleted")
            .order_by(Workflow.id)
        )
        return [workflow_out(w) for w in rows]


@router.get(
    "/workflows/{workflow_id}",
    response_model=WorkflowOut,
    name="workflow.get",
    responses=errors(400, 401, 404),
)
def get_workflow(workflow_id: IdPath, call: Call = Depends(reader)) -> WorkflowOut:
    """One workflow, at its latest version."""
    with call.read() as session:
        workflow, _, _ = access.workflow_for(session, workflow_id, call.user, Action.WORKFLOW_READ)
        return workflow_out(workflow)


@router.put(
    "/workflows/{workflow_id}",
    response_model=WorkflowOut,
    name="workflow.update",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def update_workflow(workflow_id: IdPath, body: WorkflowUpdate, call: Call = Depends(writer)) -> Response:
    """Replaces the spec and cost (Creator or Admin), if `version` is still the latest; the
    result is the next version, and every earlier one is kept."""

    def change(tx: Tx) -> Result:
        workflow, project, _ = access.workflow_for(tx.session, workflow_id, tx.user, Action.WORKFLOW_WRITE, tx)
        if body.version != workflow.version:
            raise _stale(workflow, body.version)
        rules.validate_workflow(tx.session, project.id, body.spec)
        rules.check_budget(tx.session, project, body.estimated_cost, excluding=workflow.id)
        now = utcnow()
        spec = body.spec.model_dump(mode="json")
        workflow.spec = spec
        workflow.estimated_cost = body.estimated_cost
        workflow.version += 1
        workflow.updated_at = now
        tx.session.add(
            WorkflowVersion(
                workflow_id=workflow.id,
                version=workflow.version,
                spec=spec,
                estimated_cost=body.estimated_cost,
                author_id=tx.user.id,
                created_at=now,
            )
        )
        tx.session.flush()
        return Result(200, workflow_out(workflow))

    return await call.amutate(body, change)


@router.delete(
    "/workflows/{workflow_id}",
    status_code=204,
    name="workflow.delete",
    responses=errors(400, 401, 403, 404, 409),
)
async def delete_workflow(
    workflow_id: IdPath,
    call: Call = Depends(writer),
    version: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="If given, delete only if still at this version.")
    ] = None,
) -> Response:
    """Deletes a workflow (Creator or Admin): it disappears and no longer counts against the
    budget; its versions and runs are kept for the record."""

    def change(tx: Tx) -> Result:
        workflow, _, _ = access.workflow_for(tx.session, workflow_id, tx.user, Action.WORKFLOW_WRITE, tx)
        if version is not None and version != workflow.version:
            raise _stale(workflow, version)
        now = utcnow()
        workflow.status = "deleted"
        workflow.deleted_at = now
        workflow.updated_at = now
        return Result(204)

    return await call.amutate(None, change)


@router.get(
    "/workflows/{workflow_id}/versions",
    response_model=list[WorkflowVersionOut],
    name="workflow.versions",
    responses=errors(400, 401, 404),
)
def list_versions(workflow_id: IdPath, call: Call = Depends(reader)) -> list[WorkflowVersionOut]:
    """Every version of the workflow, oldest first."""
    with call.read() as session:
        access.workflow_for(session, workflow_id, call.user, Action.WORKFLOW_READ)
        rows = session.scalars(
            select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id).order_by(WorkflowVersion.version)
        )
        return [
            WorkflowVersionOut(
                workflow_id=v.workflow_id,
                version=v.version,
                spec=WorkflowSpec.model_validate(v.spec),
                estimated_cost=v.estimated_cost,
                author_id=v.author_id,
                created_at=v.created_at,
            )
            for v in rows
        ]
