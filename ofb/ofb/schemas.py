"""The JSON contract: every request and response body, as pydantic models.

These models are what `openapi.json` is generated from, and so what the Rust side is tested
against. Request bodies forbid unknown fields; limits (lengths, counts, ranges) are here so that
malformed input is a 400 naming the field, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, Strict

from ofb.rbac import Role

# Ids fit in a JSON number exactly (and in SQLite's 64-bit integers).
MAX_ID = 2**53 - 1
MAX_COST = 1e12

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
Cost = Annotated[float, Strict(), Field(ge=0, le=MAX_COST, allow_inf_nan=False)]
Count = Annotated[int, Strict(), Field(ge=0, le=10**12)]
# A name shown in a terminal: at least one non-space character and no control characters
# (which could move the cursor or recolour Symphony's screen).
NonBlank = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


class RequestBody(BaseModel):
    """A request body: unknown fields are an error, not silently dropped. Numbers are strict
    (`Id`, `Cost`, `Count`): `false` is not a cost and `"7"` is not an id."""

    model_config = ConfigDict(extra="forbid")


# --- health ---------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# --- users and tokens -----------------------------------------------------------------------


class UserCreate(RequestBody):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    # exclude: a password never reaches a dump (idempotency fingerprints, logs).
    password: str = Field(min_length=12, max_length=1024, exclude=True, repr=False)


class UserOut(BaseModel):
    id: int
    username: str
    created_at: datetime


class TokenRequest(RequestBody):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, exclude=True, repr=False)


class TokenOut(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"]
    user_id: int


# --- projects and members -------------------------------------------------------------------


class ProjectCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, pattern=NonBlank)
    cost_budget: Cost = Field(description="Upper bound of the summed `estimated_cost` of live workflows.")


class ProjectUpdate(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NonBlank)
    cost_budget: Cost | None = None


class ProjectOut(BaseModel):
    id: int
    name: str
    cost_budget: float
    committed_cost: float = Field(description="Summed `estimated_cost` of the project's live workflows.")
    created_by: int
    created_at: datetime
    role: Role = Field(description="The caller's role in this project.")


class MemberAdd(RequestBody):
    username: str = Field(min_length=1, max_length=64)
    role: Role


class MemberUpdate(RequestBody):
    role: Role


class MemberOut(BaseModel):
    user_id: int
    username: str
    role: Role
    added_at: datetime


# --- extensions -----------------------------------------------------------------------------

Permission = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REVOKED = "revoked"


class ExtensionCreate(RequestBody):
    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$",
        description="The command that workflow steps use to call this extension.",
    )
    version: str | None = Field(default=None, min_length=1, max_length=64, pattern=NonBlank)
    permissions: list[Permission] = Field(max_length=64, description="Requested permissions.")


class ExtensionApprove(RequestBody):
    granted: list[Permission] = Field(max_length=64, description="A subset of the requested permissions.")


class ExtensionOut(BaseModel):
    id: int
    project_id: int
    name: str
    version: str | None
    status: ExtensionStatus
    requested: list[str]
    granted: list[str]
    registered_by: int
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None


# --- workflows ------------------------------------------------------------------------------


class Step(RequestBody):
    name: str = Field(min_length=1, max_length=100, pattern=NonBlank)
    command: str = Field(min_length=1, max_length=200, pattern=NonBlank, description="An approved extension's name.")


class WorkflowSpec(RequestBody):
    name: str = Field(min_length=1, max_length=200, pattern=NonBlank)
    steps: list[Step] = Field(min_length=1, max_length=1000)


class WorkflowCreate(RequestBody):
    spec: WorkflowSpec
    user_id: Id = Field(description="Must be the caller's own id.")
    project_id: Id
    estimated_cost: Cost


class WorkflowUpdate(RequestBody):
    spec: WorkflowSpec
    estimated_cost: Cost
    version: Id = Field(description="The version the client last saw; a stale one is a 409.")


class WorkflowOut(BaseModel):
    id: int
    spec: WorkflowSpec
    user_id: int
    project_id: int
    created_at: datetime
    status: Literal["created"]
    version: int
    estimated_cost: float
    updated_at: datetime


class WorkflowVersionOut(BaseModel):
    workflow_id: int
    version: int
    spec: WorkflowSpec
    estimated_cost: float
    author_id: int
    created_at: datetime


# --- runs -----------------------------------------------------------------------------------


class RunState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED_RUN_STATES = frozenset({RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED})


class NodeState(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"


class NodeResult(RequestBody):
    name: str = Field(min_length=1, max_length=100, description="A step name of the run's workflow version.")
    state: NodeState
    duration_ms: Count | None = None
    message: str | None = Field(default=None, max_length=1000)


class RunUpdate(RequestBody):
    state: RunState | None = None
    nodes: list[NodeResult] = Field(default_factory=list, max_length=1000)


class RunSummary(BaseModel):
    total: int
    pending: int
    queued: int
    running: int
    completed: int
    failed: int
    skipped: int


class RunOut(BaseModel):
    id: int
    workflow_id: int
    workflow_version: int
    project_id: int
    state: RunState
    started_by: int
    created_at: datetime
    updated_at: datetime
    summary: RunSummary
    nodes: list[NodeResult]


# --- audit ----------------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_username: str | None
    project_id: int | None
    action: str
    method: str
    path: str
    target_type: str | None
    target_id: int | None
    status: int
    outcome: Literal["ok", "refused", "replayed"]
    detail: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_after_id: int | None = Field(description="Pass as `after_id` for the next page; null at the end.")


AfterId = Annotated[int, Query(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
