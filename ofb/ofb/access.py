"""Loading a project's resources for a caller, with the RBAC table applied.

Every endpoint that touches a project goes through `member_of()`: a project the caller is not
a member of is reported exactly like one that does not exist (404), and a member whose role
lacks the action gets 403. Resources are looked up first and their project checked second, so
a workflow of someone else's project is a 404 too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ofb import problems, sql
from ofb.models import Caller, Extension, Project, Run, Workflow
from ofb.rbac import Action, Role, allowed
from ofb.unit_of_work import Tx


@dataclass(frozen=True)
class ProjectFacts:
    """What a write needs to know of a project, read without the ORM."""

    id: int
    cost_budget: float
    committed_cost: float


def check_member(
    session: Session, project_id: int, user: Caller, action: Action, tx: Tx | None = None
) -> tuple[ProjectFacts, Role]:
    """The project and the caller's role in it, if the role allows `action`; else 404 or 403."""
    row = (
        sql.connection(session)
        .execute(
            "SELECT p.id, p.cost_budget, p.committed_cost, m.role FROM projects p"
            " LEFT JOIN memberships m ON m.project_id = p.id AND m.user_id = ? WHERE p.id = ?",
            (user.id, project_id),
        )
        .fetchone()
    )
    if row is not None and tx is not None:
        tx.about(project_id=row[0])
    if row is None or row[3] is None:
        raise problems.not_found(f"Project {project_id} does not exist")
    role = Role(row[3])
    if not allowed(role, action):
        raise problems.forbidden(f"Your role in project {project_id} is {role}, which may not do {action.value}")
    return ProjectFacts(row[0], row[1], row[2]), role


def member_of(
    session: Session, project_id: int, user: Caller, action: Action, tx: Tx | None = None
) -> tuple[Project, Role]:
    """As `check_member`, with the project as an ORM object."""
    facts, role = check_member(session, project_id, user, action, tx)
    project = session.get(Project, facts.id)
    assert project is not None, "the project was just read in this transaction"
    return project, role


def workflow_for(
    session: Session, workflow_id: int, user: Caller, action: Action, tx: Tx | None = None
) -> tuple[Workflow, Project, Role]:
    """A live workflow the caller may do `action` on; else 404 or 403."""
    if tx is not None:
        tx.about(target_type="workflow", target_id=workflow_id)
    workflow = session.get(Workflow, workflow_id)
    if workflow is None or workflow.status == "deleted":
        raise problems.not_found(f"Workflow {workflow_id} does not exist")
    try:
        project, role = member_of(session, workflow.project_id, user, action, tx)
    except problems.ProblemError as e:
        if e.status == 404:
            raise problems.not_found(f"Workflow {workflow_id} does not exist") from None
        raise
    return workflow, project, role


def run_for(session: Session, run_id: int, user: Caller, action: Action, tx: Tx | None = None) -> Run:
    """A run the caller may do `action` on; else 404 or 403."""
    if tx is not None:
        tx.about(target_type="run", target_id=run_id)
    run = session.get(Run, run_id)
    if run is None:
        raise problems.not_found(f"Run {run_id} does not exist")
    try:
        member_of(session, run.project_id, user, action, tx)
    except problems.ProblemError as e:
        if e.status == 404:
            raise problems.not_found(f"Run {run_id} does not exist") from None
        raise
    return run


def extension_for(session: Session, extension_id: int, user: Caller, action: Action, tx: Tx | None = None) -> Extension:
    """An extension the caller may do `action` on; else 404 or 403."""
    if tx is not None:
        tx.about(target_type="extension", target_id=extension_id)
    extension = session.get(Extension, extension_id)
    if extension is None:
        raise problems.not_found(f"Extension {extension_id} does not exist")
    try:
        member_of(session, extension.project_id, user, action, tx)
    except problems.ProblemError as e:
        if e.status == 404:
            raise problems.not_found(f"Extension {extension_id} does not exist") from None
        raise
    return extension
