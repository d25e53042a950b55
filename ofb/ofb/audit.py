"""The append-only audit log: one entry for every mutating call, refused ones included.

Entries are written in the same transaction as the change they describe (see
`unit_of_work.py`), so the log never claims a change that was lost or misses one that was made.
The table refuses UPDATE and DELETE (triggers of migration 3).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ofb.models import AuditEntry, User, utcnow

_MAX_DETAIL = 1000
_MAX_PATH = 300


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    method: str,
    path: str,
    status: int,
    outcome: str,
    project_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Adds one entry to `session` (the caller commits)."""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else None,
        project_id=project_id,
        action=action,
        method=method,
        path=path[:_MAX_PATH],
        target_type=target_type,
        target_id=target_id,
        status=status,
        outcome=outcome,
        detail=detail[:_MAX_DETAIL] if detail else None,
    )
    session.add(entry)
    return entry
