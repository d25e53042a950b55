"""RFC 9457 problem details: the one shape of every error OFB returns.

Every refusal is a `ProblemError` raised with one of the constructors below; the exception
handlers in `errors.py` turn it (and FastAPI's and Starlette's own errors) into
`application/problem+json`. Problem types are URNs, `urn:symphony:ofb:problem:<slug>`, so
that clients match on the slug and nobody tries to dereference them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:symphony:ofb:problem:"


class FieldError(BaseModel):
    """One invalid field: where it is and what is wrong with it."""

    model_config = ConfigDict(extra="forbid")

    pointer: str = Field(
        description="JSON Pointer (RFC 6901) in URI fragment form into the request body, "
        "e.g. `#/spec/steps/1/name`; for query, path and header parameters `#/<name>`."
    )
    location: str = Field(description="`body`, `query`, `path` or `header`.")
    detail: str = Field(description="What is wrong, in words a user can act on.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`urn:symphony:ofb:problem:<slug>`; match on the slug.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(default=None, description="For validation problems: every invalid field.")


class ProblemError(Exception):
    """A refusal with its problem details; raised anywhere, rendered by one handler."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem+json document."""
        doc: dict[str, Any] = {
            "type": TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            doc["instance"] = instance
        if self.errors is not None:
            doc["errors"] = [e.model_dump() for e in self.errors]
        doc.update(self.extra)
        return doc

    def response(self, instance: str | None = None) -> JSONResponse:
        """The HTTP response for this problem."""
        return problem_response(self.status, self.body(instance), self.headers)


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response with the problem+json media type."""
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def pointer(path: Iterable[str | int]) -> str:
    """`["spec", "steps", 1, "name"]` → `#/spec/steps/1/name` (RFC 6901 escaping)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "#/" + "/".join(parts) if parts else "#"


def body_error(path: Iterable[str | int], detail: str) -> FieldError:
    """A field error inside the request body."""
    return FieldError(pointer=pointer(path), location="body", detail=detail)


# --- constructors, one per problem type --------------------------------------------------


def validation(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "validation-error", "Request validation failed", detail, errors=errors)


def invalid_workflow(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "invalid-workflow", "Invalid workflow", detail, errors=errors)


def budget_exceeded(detail: str, *, budget: float, committed: float, requested: float) -> ProblemError:
    return ProblemError(
        400,
        "budget-exceeded",
        "Project cost budget exceeded",
        detail,
        extra={"cost_budget": budget, "committed_cost": committed, "estimated_cost": requested},
    )


def unapproved_command(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "unapproved-command", "Workflow uses an unapproved command", detail, errors=errors)


def invalid_grant(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "invalid-grant", "Granted permissions were not requested", detail, errors=errors)


def unknown_user(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "unknown-user", "No such user", detail, errors=errors)


def invalid_run_update(detail: str, errors: Sequence[FieldError]) -> ProblemError:
    return ProblemError(400, "invalid-run-update", "Invalid run update", detail, errors=errors)


def unauthorized(detail: str, *, invalid_token: bool = False) -> ProblemError:
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return ProblemError(401, "unauthorized", "Authentication required", detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, "forbidden", "Not allowed", detail)


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", detail)


def conflict(slug: str, title: str, detail: str, **extra: Any) -> ProblemError:
    return ProblemError(409, slug, title, detail, extra=extra or None)


def version_conflict(detail: str, *, current_version: int) -> ProblemError:
    return conflict("version-conflict", "Stale version", detail, current_version=current_version)


def idempotency_key_reused(key: str) -> ProblemError:
    return conflict(
        "idempotency-key-reused",
        "Idempotency key reused",
        f"Idempotency-Key {key!r} was already used for a different request; use a new key for a new request",
    )


def payload_too_large(limit: int) -> ProblemError:
    return ProblemError(413, "payload-too-large", "Request body too large", f"The body must be at most {limit} bytes")


def internal_error() -> ProblemError:
    return ProblemError(500, "internal-error", "Internal error", "OFB failed to handle this request; see its log")
