"""Workflow runs: started by an Executor (or Admin) on the workflow's current version, then
updated as they progress: the run's state, and small per-node records summarised as counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from ofb import access, problems, rules
from ofb.calls import Call, reader, writer
from ofb.models import Run, WorkflowVersion, utcnow
from ofb.openapi import errors
from ofb.problems import body_error
from ofb.rbac import Action
from ofb.schemas import (
    FINISHED_RUN_STATES,
    IdPath,
    NodeResult,
    NodeState,
    RunOut,
    RunState,
    RunSummary,
    RunUpdate,
    WorkflowSpec,
)
from ofb.unit_of_work import Result, Tx

router = APIRouter(tags=["runs"])


def run_out(run: Run, steps: list[str]) -> RunOut:
    nodes = [NodeResult(name=name, **run.nodes[name]) for name in steps if name in run.nodes]
    counts = Counter(NodeState(run.nodes[name]["state"]) if name in run.nodes else NodeState.PENDING for name in steps)
    return RunOut(
        id=run.id,
        workflow_id=run.workflow_id,
        workflow_version=run.workflow_version,
        project_id=run.project_id,
        state=RunState(run.state),
        started_by=run.started_by,
        created_at=run.created_at,
        updated_at=run.updated_at,
        summary=RunSummary(total=len(steps), **{s.value: counts[s] for s in NodeState}),
        nodes=nodes,
    )


def _steps(session: Any, run: Run) -> list[str]:
    version = session.get(WorkflowVersion, (run.workflow_id, run.workflow_version))
    assert version is not None, "a run refers to a stored version"
    return [step["name"] for step in version.spec["steps"]]


@router.post(
    "/workflows/{workflow_id}/runs",
    status_code=201,
    response_model=RunOut,
    name="run.start",
    responses=errors(400, 401, 403, 404, 409),
)
async def start_run(workflow_id: IdPath, call: Call = Depends(writer)) -> Response:
    """Starts a run of the workflow's current version (Executor or Admin); every command must
    still be an approved extension."""

    def change(tx: Tx) -> Result:
        workflow, project, _ = access.workflow_for(tx.session, workflow_id, tx.user, Action.RUN_EXECUTE, tx)
        rules.check_runnable(tx.session, project.id, WorkflowSpec.model_validate(workflow.spec))
        now = utcnow()
        run = Run(
            workflow_id=workflow.id,
            workflow_version=workflow.version,
            project_id=project.id,
            state=RunState.PENDING,
            started_by=tx.user.id,
            nodes={},
            created_at=now,
            updated_at=now,
        )
        tx.session.add(run)
        tx.session.flush()
        tx.about(target_type="run", target_id=run.id)
        return Result(201, run_out(run, [s["name"] for s in workflow.spec["steps"]]))

    return await call.amutate(None, change)


@router.get(
    "/workflows/{workflow_id}/runs",
    response_model=list[RunOut],
    name="run.list",
    responses=errors(400, 401, 404),
)
def list_runs(workflow_id: IdPath, call: Call = Depends(reader)) -> list[RunOut]:
    """The workflow's runs, oldest first."""
    with call.read() as session:
        access.workflow_for(session, workflow_id, call.user, Action.RUN_READ)
        runs = session.scalars(select(Run).where(Run.workflow_id == workflow_id).order_by(Run.id)).all()
        return [run_out(run, _steps(session, run)) for run in runs]


@router.get("/runs/{run_id}", response_model=RunOut, name="run.get", responses=errors(400, 401, 404))
def get_run(run_id: IdPath, call: Call = Depends(reader)) -> RunOut:
    """One run: its state and the summary of its nodes."""
    with call.read() as session:
        run = access.run_for(session, run_id, call.user, Action.RUN_READ)
        return run_out(run, _steps(session, run))


@router.patch(
    "/runs/{run_id}",
    response_model=RunOut,
    name="run.update",
    responses=errors(400, 401, 403, 404, 409, 413),
)
async def update_run(run_id: IdPath, body: RunUpdate, call: Call = Depends(writer)) -> Response:
    """Updates a run (Executor or Admin): its state, and node records merged by step name. A
    finished run (completed, failed, cancelled) takes no further changes (409)."""

    def change(tx: Tx) -> Result:
        run = access.run_for(tx.session, run_id, tx.user, Action.RUN_EXECUTE, tx)
        steps = _steps(tx.session, run)
        errors = []
        seen: set[str] = set()
        for i, node in enumerate(body.nodes):
            if node.name not in steps:
                errors.append(body_error(["nodes", i, "name"], f"{node.name!r} is not a step of this run's workflow"))
            elif node.name in seen:
                errors.append(body_error(["nodes", i, "name"], f"{node.name!r} is listed twice"))
            seen.add(node.name)
        if errors:
            raise problems.invalid_run_update(errors[0].detail, errors)
        if RunState(run.state) in FINISHED_RUN_STATES and (body.nodes or (body.state and body.state != run.state)):
            raise problems.conflict(
                "run-finished", "Run finished", f"Run {run.id} is {run.state} and takes no further changes"
            )
        nodes = dict(run.nodes)
        for node in body.nodes:
            nodes[node.name] = node.model_dump(mode="json", exclude={"name"})
        run.nodes = nodes
        if body.state is not None:
            run.state = body.state
        run.updated_at = utcnow()
        tx.session.flush()
        return Result(200, run_out(run, steps))

    return await call.amutate(body, change)
