"""The append-only audit log: one entry for every mutating call, refused ones included.

Entries are written in the same transaction as the change they describe (see
`unit_of_work.py`), so the log never claims a change that was lost or misses one that was made.
The table refuses UPDATE and DELETE (triggers of migration 3).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ofb import sql
from ofb.models import Caller, User, utcnow

_MAX_DETAIL = 1000
_MAX_PATH = 300


def record(
    session: Session,
    *,
    actor: Caller | User | None,
    action: str,
    method: str,
    path: str,
    status: int,
    outcome: str,
    project_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Adds one entry in `session`'s transaction (the caller commits)."""
    sql.connection(session).execute(
        "INSERT INTO audit_log (at, actor_id, actor_username, project_id, action, method, path, target_type,"
        " target_id, status, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sql.stamp(utcnow()),
            actor.id if actor else None,
            actor.username if actor else None,
            project_id,
            action,
            method,
            path[:_MAX_PATH],
            target_type,
            target_id,
            status,
            outcome,
            detail[:_MAX_DETAIL] if detail else None,
        ),
    )
