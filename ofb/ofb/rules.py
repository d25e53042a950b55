"""Business rules that only OFB knows: workflow validation and the project cost budget.

Shapes and ranges are checked by the schemas (and, earlier, by Rust's pre-validation); what is
here needs the database: which extensions a project has approved, what its other workflows cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ofb import problems, sql
from ofb.models import Project
from ofb.problems import FieldError, body_error
from ofb.schemas import ExtensionStatus, WorkflowSpec

if TYPE_CHECKING:
    from ofb.access import ProjectFacts

# Costs are floats; a budget met exactly must not be refused over a rounding error.
_COST_TOLERANCE = 1e-9


def _summary(errors: list[FieldError]) -> str:
    more = len(errors) - 1
    return errors[0].detail + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def command_errors(session: Session, project_id: int, spec: WorkflowSpec, path: list[str | int]) -> list[FieldError]:
    """One error per step whose command is not an approved extension of the project."""
    rows = sql.connection(session).execute("SELECT name, status FROM extensions WHERE project_id = ?", (project_id,))
    status_of = {name: status for name, status in rows}
    errors = []
    for i, step in enumerate(spec.steps):
        status = status_of.get(step.command)
        if status is None:
            errors.append(
                body_error(
                    [*path, "steps", i, "command"],
                    f"Step {step.name!r}: command {step.command!r} is not an extension registered "
                    f"in project {project_id}",
                )
            )
        elif status != ExtensionStatus.APPROVED:
            errors.append(
                body_error(
                    [*path, "steps", i, "command"],
                    f"Step {step.name!r}: extension {step.command!r} is {status}, not approved "
                    f"by a project Admin",
                )
            )
    return errors


def validate_workflow(session: Session, project_id: int, spec: WorkflowSpec) -> None:
    """Unique step names, and every command an approved extension of the project; else 400."""
    errors: list[FieldError] = []
    first_use: dict[str, int] = {}
    for i, step in enumerate(spec.steps):
        if step.name in first_use:
            errors.append(
                body_error(
                    ["spec", "steps", i, "name"],
                    f"Step {step.name!r} is defined twice (steps {first_use[step.name]} and {i}); "
                    "step names must be unique",
                )
            )
        else:
            first_use[step.name] = i
    errors += command_errors(session, project_id, spec, ["spec"])
    if errors:
        raise problems.invalid_workflow(_summary(errors), errors)


def check_runnable(session: Session, project_id: int, spec: WorkflowSpec) -> None:
    """A run may start only if every command is (still) approved; else 400 naming the step."""
    errors = command_errors(session, project_id, spec, ["spec"])
    if errors:
        raise problems.unapproved_command(_summary(errors), errors)


def committed_cost(session: Session, project_id: int, *, excluding: int | None = None) -> float:
    """Summed estimated cost of the project's live workflows (but `excluding`)."""
    # Kept in the project's row by triggers (migration 4): one read, however many workflows.
    db = sql.connection(session)
    row = db.execute("SELECT committed_cost FROM projects WHERE id = ?", (project_id,)).fetchone()
    committed = float(row[0]) if row is not None else 0.0
    if excluding is not None:
        own = db.execute(
            "SELECT estimated_cost FROM workflows WHERE id = ? AND project_id = ? AND status != 'deleted'",
            (excluding, project_id),
        ).fetchone()
        if own is not None:
            committed -= float(own[0])
    return committed


def check_budget(
    session: Session, project: Project | ProjectFacts, estimated_cost: float, *, excluding: int | None = None
) -> None:
    """Refuses (400 `budget-exceeded`) a cost that would take the project over its budget."""
    committed = committed_cost(session, project.id, excluding=excluding)
    if committed + estimated_cost > project.cost_budget * (1 + _COST_TOLERANCE) + _COST_TOLERANCE:
        raise problems.budget_exceeded(
            f"estimated_cost {estimated_cost:g} with the {committed:g} already committed by other "
            f"workflows exceeds project {project.id}'s cost budget of {project.cost_budget:g}",
            budget=project.cost_budget,
            committed=committed,
            requested=estimated_cost,
        )
