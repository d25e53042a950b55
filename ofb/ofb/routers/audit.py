"""`GET /projects/{id}/audit`: the project's audit log, for its Auditors and Admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select

from ofb import access
from ofb.calls import Call, reader
from ofb.models import AuditEntry
from ofb.openapi import errors
from ofb.rbac import Action
from ofb.schemas import AfterId, AuditEntryOut, AuditPage, IdPath, Limit

router = APIRouter(tags=["audit"])


@router.get(
    "/projects/{project_id}/audit",
    response_model=AuditPage,
    name="audit.list",
    responses=errors(400, 401, 403, 404),
)
def list_audit(
    project_id: IdPath, call: Call = Depends(reader), after_id: AfterId = 0, limit: Limit = 100
) -> AuditPage:
    """Audit entries of the project, oldest first, `limit` at a time after `after_id`."""
    with call.read() as session:
        access.member_of(session, project_id, call.user, Action.AUDIT_READ)
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.project_id == project_id, AuditEntry.id > after_id)
            .order_by(AuditEntry.id)
            .limit(limit + 1)
        ).all()
    items = [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows[:limit]]
    return AuditPage(items=items, next_after_id=items[-1].id if len(rows) > limit else None)
