"""Test helpers: an app on a throw-away database, a small HTTP client, and a world of users,
a project with one member per role, extensions, a workflow and a run."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ofb import Settings, create_app
from ofb.settings import Argon2Params

PASSWORD = "correct horse battery staple"
PROBLEM_JSON = "application/problem+json"
ROLES = ("admin", "creator", "executor", "auditor", "outsider", "anonymous")


def make_app(db_path: Path) -> FastAPI:
    """An app on `db_path` with cheap argon2 (same code path, fast tests)."""
    return create_app(Settings(db_path=db_path, argon2=Argon2Params.cheap()))


def close(app: FastAPI) -> None:
    app.state.runtime.db.close()


class Api:
    """A TestClient with bearer tokens by name and a few shortcuts."""

    def __init__(self, app: FastAPI, tokens: dict[str, str] | None = None, client: TestClient | None = None) -> None:
        self.app = app
        self.client = client or TestClient(app, raise_server_exceptions=True)
        self.tokens: dict[str, str] = dict(tokens or {})

    def headers(self, who: str | None, key: str | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
        h: dict[str, str] = {}
        if who is not None and who != "anonymous":
            h["Authorization"] = f"Bearer {self.tokens[who]}"
        if key is not None:
            h["Idempotency-Key"] = key
        h.update(extra or {})
        return h

    def call(
        self, method: str, path: str, who: str | None = None, json: Any = None, key: str | None = None, **kw: Any
    ) -> Any:
        return self.client.request(method, path, headers=self.headers(who, key), json=json, **kw)

    def get(self, path: str, who: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, who, **kw)

    def post(self, path: str, who: str | None = None, json: Any = None, key: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, who, json=json, key=key, **kw)

    def put(self, path: str, who: str | None = None, json: Any = None, key: str | None = None, **kw: Any) -> Any:
        return self.call("PUT", path, who, json=json, key=key, **kw)

    def patch(self, path: str, who: str | None = None, json: Any = None, key: str | None = None, **kw: Any) -> Any:
        return self.call("PATCH", path, who, json=json, key=key, **kw)

    def delete(self, path: str, who: str | None = None, key: str | None = None, **kw: Any) -> Any:
        return self.call("DELETE", path, who, key=key, **kw)

    # --- shortcuts that must succeed -------------------------------------------------------

    def ok(self, response: Any, status: int) -> Any:
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def register(self, name: str) -> int:
        """Registers `name`, logs in, remembers the token; returns the user id."""
        user = self.ok(self.post("/users", json={"username": name, "password": PASSWORD}), 201)
        token = self.ok(self.post("/auth/token", json={"username": name, "password": PASSWORD}), 200)
        self.tokens[name] = token["access_token"]
        return int(user["id"])


def workflow_body(user_id: int, project_id: int, *, cost: float = 10.0, name: str = "build", steps: Any = None) -> dict:
    return {
        "spec": {
            "name": name,
            "steps": steps or [{"name": "fetch", "command": "echo"}, {"name": "test", "command": "echo"}],
        },
        "user_id": user_id,
        "project_id": project_id,
        "estimated_cost": cost,
    }


def new_key() -> str:
    return str(uuid.uuid4())


def is_problem(response: Any, status: int) -> dict:
    """Asserts an RFC 9457 problem with `status`; returns its body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:symphony:ofb:problem:")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    return body


def slug(body: dict) -> str:
    return body["type"].rsplit(":", 1)[1]


@dataclass
class World:
    """Ids and tokens of the shared fixture world (see `build_world`)."""

    ids: dict[str, int] = field(default_factory=dict)  # user ids by name
    tokens: dict[str, str] = field(default_factory=dict)
    project: int = 0  # P: admin, creator, executor, auditor are members
    other_project: int = 0  # Q: the outsider's own project
    extension: int = 0  # "echo", approved in P
    pending_extension: int = 0  # "lint", pending in P
    workflow: int = 0  # W in P, by creator, version 1
    run: int = 0  # a run of W


def build_world(db_path: Path) -> World:
    """Builds the world into a fresh database at `db_path` and closes it (ready to copy)."""
    app = make_app(db_path)
    api = Api(app)
    w = World()
    for name in ("admin", "creator", "executor", "auditor", "outsider", "spare"):
        w.ids[name] = api.register(name)
    p = api.ok(api.post("/projects", "admin", {"name": "P", "cost_budget": 1000}), 201)
    w.project = p["id"]
    for name, role in (("creator", "Creator"), ("executor", "Executor"), ("auditor", "Auditor")):
        api.ok(api.post(f"/projects/{w.project}/members", "admin", {"username": name, "role": role}), 201)
    w.other_project = api.ok(api.post("/projects", "outsider", {"name": "Q", "cost_budget": 10}), 201)["id"]
    ext = api.ok(
        api.post(f"/projects/{w.project}/extensions", "admin", {"name": "echo", "permissions": ["fs:read", "net"]}), 201
    )
    w.extension = ext["id"]
    api.ok(api.put(f"/extensions/{w.extension}/approval", "admin", {"granted": ["fs:read"]}), 200)
    w.pending_extension = api.ok(
        api.post(f"/projects/{w.project}/extensions", "creator", {"name": "lint", "permissions": ["fs:read"]}), 201
    )["id"]
    w.workflow = api.ok(api.post("/workflows", "creator", workflow_body(w.ids["creator"], w.project)), 201)["id"]
    w.run = api.ok(api.post(f"/workflows/{w.workflow}/runs", "executor"), 201)["id"]
    w.tokens = dict(api.tokens)
    close(app)
    return w


def copy_db(template: Path, dest: Path) -> Path:
    shutil.copyfile(template, dest)
    return dest


def restore(app: FastAPI, template: Path) -> None:
    """Makes the database of a running app a copy of `template`, in place.

    SQLite's backup API copies the pages under SQLite's own locks, so the app's pooled
    connections simply see the new content. Much cheaper than a new app per test: a new
    engine compiles every SQL statement again.
    """
    db = app.state.runtime.db
    source = sqlite3.connect(template)
    raw = db.engine.raw_connection()
    try:
        source.backup(raw.driver_connection)
    finally:
        raw.close()
        source.close()
