"""Who may do what in a project: one table, role × action, used by every endpoint.

Roles are per project. Someone who is not a member of a project gets 404 for everything in
it (it does not exist for them); a member whose role lacks the action gets 403.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in one project."""

    ADMIN = "Admin"
    CREATOR = "Creator"
    EXECUTOR = "Executor"
    AUDITOR = "Auditor"


class Action(StrEnum):
    """Everything that can be done inside a project."""

    PROJECT_READ = "project.read"
    PROJECT_UPDATE = "project.update"
    MEMBER_READ = "member.read"
    MEMBER_MANAGE = "member.manage"
    EXTENSION_READ = "extension.read"
    EXTENSION_REGISTER = "extension.register"
    EXTENSION_APPROVE = "extension.approve"
    WORKFLOW_READ = "workflow.read"
    WORKFLOW_WRITE = "workflow.write"  # create, edit, delete
    RUN_READ = "run.read"
    RUN_EXECUTE = "run.execute"  # start and update runs
    AUDIT_READ = "audit.read"


_READS = frozenset(
    {
        Action.PROJECT_READ,
        Action.MEMBER_READ,
        Action.EXTENSION_READ,
        Action.WORKFLOW_READ,
        Action.RUN_READ,
    }
)

# The table. Admin may do everything; the Auditor reads everything and changes nothing.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.CREATOR: _READS | {Action.WORKFLOW_WRITE, Action.EXTENSION_REGISTER},
    Role.EXECUTOR: _READS | {Action.RUN_EXECUTE},
    Role.AUDITOR: _READS | {Action.AUDIT_READ},
}


def allowed(role: Role | str, action: Action) -> bool:
    """Whether a member with `role` may do `action`."""
    return action in PERMISSIONS[Role(role)]
