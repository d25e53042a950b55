"""The app factory: one OFB instance on one SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from ofb import __version__, errors, migrations, openapi
from ofb.credentials import Passwords
from ofb.db import Database
from ofb.fast_path import WorkflowCreateFastPath
from ofb.routers import ALL
from ofb.runtime import Runtime
from ofb.settings import Settings

DESCRIPTION = """\
Symphony's authoritative backend: users and tokens, projects and roles (Admin, Creator,
Executor, Auditor), workflows with versions, runs, extensions and their permissions, and the
audit log. Every error is `application/problem+json` (RFC 9457). Every mutating call accepts an
`Idempotency-Key`. A project you are not a member of answers 404 to everything.
"""


def _operation_id(route: APIRoute) -> str:
    # Route names are the audit actions ("workflow.create"); as operation ids: workflow_create.
    return route.name.replace(".", "_")


def create_app(settings: Settings) -> FastAPI:
    """An OFB app on `settings.db_path`, migrated to the latest schema before it returns."""
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_path, pool_size=settings.pool_size, busy_timeout_ms=settings.busy_timeout_ms)
    try:
        migrations.upgrade(db.engine)
    except Exception:
        db.close()
        raise
    rt = Runtime(settings=settings, db=db, passwords=Passwords(settings.argon2))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        db.close()

    app = FastAPI(
        title="OFB",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load assets from a CDN; openapi.json is enough
        redoc_url=None,
        generate_unique_id_function=_operation_id,
    )
    app.state.runtime = rt
    for router in ALL:
        app.include_router(router)
    errors.install(app)
    # Added first, so that it runs inside the body limit (the last added is the outermost).
    app.add_middleware(WorkflowCreateFastPath)
    app.add_middleware(errors.BodyLimit, limit=settings.max_body_bytes)

    cached: dict[str, Any] = {}

    def document() -> dict[str, Any]:
        if "doc" not in cached:
            cached["doc"] = openapi.build(app)
        return cached["doc"]

    app.openapi = document  # type: ignore[method-assign]
    return app
