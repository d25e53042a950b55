"""The full RBAC matrix: every role (and a non-member, and nobody) × every endpoint.

One row per endpoint; the expected statuses are in the order of ROLES:
admin, creator, executor, auditor, outsider (a user in no role of project P), anonymous.
Every request is otherwise valid, so the status shows the authorisation decision alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import ROLES, Api, World, is_problem, workflow_body

Body = Callable[[World, str], Any]


def none(_w: World, _who: str) -> None:
    return None


def fresh_user(_w: World, who: str) -> dict:
    return {"username": f"new-{who}", "password": "a long enough password"}


def login(_w: World, who: str) -> dict:
    name = "creator" if who == "anonymous" else who
    return {"username": name, "password": "correct horse battery staple"}


def workflow_of(w: World, who: str) -> dict:
    # user_id is the caller's own (anonymous: someone's), so only the role decides.
    return workflow_body(w.ids.get(who, w.ids["creator"]), w.project, name=f"by {who}")


def workflow_update(_w: World, who: str) -> dict:
    return {
        "spec": {"name": f"edited by {who}", "steps": [{"name": "a", "command": "echo"}]},
        "estimated_cost": 5,
        "version": 1,
    }


MATRIX: list[tuple[str, str, str, Body, str]] = [
    # (route name, method, path, body, admin creator executor auditor outsider anonymous)
    ("health", "GET", "/health", none, "200 200 200 200 200 200"),
    ("user.register", "POST", "/users", fresh_user, "201 201 201 201 201 201"),
    ("auth.token.create", "POST", "/auth/token", login, "200 200 200 200 200 200"),
    ("auth.token.revoke", "DELETE", "/auth/token", none, "204 204 204 204 204 401"),
    ("user.me", "GET", "/users/me", none, "200 200 200 200 200 401"),
    ("project.create", "POST", "/projects", lambda w, who: {"name": who, "cost_budget": 5}, "201 201 201 201 201 401"),
    ("project.list", "GET", "/projects", none, "200 200 200 200 200 401"),
    ("project.get", "GET", "/projects/{project}", none, "200 200 200 200 404 401"),
    ("project.update", "PATCH", "/projects/{project}", lambda w, who: {"cost_budget": 2000}, "200 403 403 403 404 401"),
    ("member.list", "GET", "/projects/{project}/members", none, "200 200 200 200 404 401"),
    (
        "member.add",
        "POST",
        "/projects/{project}/members",
        lambda w, who: {"username": "spare", "role": "Executor"},
        "201 403 403 403 404 401",
    ),
    (
        "member.update",
        "PUT",
        "/projects/{project}/members/{executor}",
        lambda w, who: {"role": "Auditor"},
        "200 403 403 403 404 401",
    ),
    ("member.remove", "DELETE", "/projects/{project}/members/{auditor}", none, "204 403 403 403 404 401"),
    ("extension.list", "GET", "/projects/{project}/extensions", none, "200 200 200 200 404 401"),
    (
        "extension.register",
        "POST",
        "/projects/{project}/extensions",
        lambda w, who: {"name": "fmt", "permissions": []},
        "201 201 403 403 404 401",
    ),
    ("extension.get", "GET", "/extensions/{extension}", none, "200 200 200 200 404 401"),
    (
        "extension.approve",
        "PUT",
        "/extensions/{pending_extension}/approval",
        lambda w, who: {"granted": ["fs:read"]},
        "200 403 403 403 404 401",
    ),
    ("extension.revoke", "DELETE", "/extensions/{extension}/approval", none, "200 403 403 403 404 401"),
    ("workflow.list", "GET", "/projects/{project}/workflows", none, "200 200 200 200 404 401"),
    ("workflow.create", "POST", "/workflows", workflow_of, "201 201 403 403 404 401"),
    ("workflow.get", "GET", "/workflows/{workflow}", none, "200 200 200 200 404 401"),
    ("workflow.update", "PUT", "/workflows/{workflow}", workflow_update, "200 200 403 403 404 401"),
    ("workflow.delete", "DELETE", "/workflows/{workflow}", none, "204 204 403 403 404 401"),
    ("workflow.versions", "GET", "/workflows/{workflow}/versions", none, "200 200 200 200 404 401"),
    ("run.start", "POST", "/workflows/{workflow}/runs", none, "201 403 201 403 404 401"),
    ("run.list", "GET", "/workflows/{workflow}/runs", none, "200 200 200 200 404 401"),
    ("run.get", "GET", "/runs/{run}", none, "200 200 200 200 404 401"),
    ("run.update", "PATCH", "/runs/{run}", lambda w, who: {"state": "running"}, "200 403 200 403 404 401"),
    ("audit.list", "GET", "/projects/{project}/audit", none, "200 403 403 200 404 401"),
]

CASES = [
    pytest.param(name, method, path, body, who, int(expected.split()[i]), id=f"{name}-{who}")
    for name, method, path, body, expected in MATRIX
    for i, who in enumerate(ROLES)
]


def fill(path: str, w: World) -> str:
    return path.format(
        project=w.project,
        extension=w.extension,
        pending_extension=w.pending_extension,
        workflow=w.workflow,
        run=w.run,
        executor=w.ids["executor"],
        auditor=w.ids["auditor"],
    )


@pytest.mark.parametrize(("name", "method", "path", "body", "who", "expected"), CASES)
def test_matrix(api: Api, world: World, name: str, method: str, path: str, body: Body, who: str, expected: int) -> None:
    response = api.call(method, fill(path, world), who, json=body(world, who))
    if expected >= 400:
        is_problem(response, expected)
    else:
        assert response.status_code == expected, response.text


def test_matrix_covers_every_route(api: Api) -> None:
    """Every operation of the OpenAPI document (the contract) has its row, and no more."""
    operations = {
        (method.upper(), path, operation["operationId"])
        for path, item in api.app.openapi()["paths"].items()
        for method, operation in item.items()
    }
    covered = {(method, path, name.replace(".", "_")) for name, method, path, _, _ in _normalised()}
    assert operations == covered


def _normalised() -> list[tuple[str, str, str, Body, str]]:
    # The matrix writes fixture names in paths; the app writes parameter names.
    names = {
        "{project}": "{project_id}",
        "{extension}": "{extension_id}",
        "{pending_extension}": "{extension_id}",
        "{workflow}": "{workflow_id}",
        "{run}": "{run_id}",
        "{executor}": "{user_id}",
        "{auditor}": "{user_id}",
    }
    out = []
    for name, method, path, body, expected in MATRIX:
        for ours, theirs in names.items():
            path = path.replace(ours, theirs)
        out.append((name, method, path, body, expected))
    return out


@pytest.mark.parametrize("who", ["creator", "executor", "auditor"])
def test_refused_members_change_nothing(api: Api, world: World, who: str) -> None:
    """A refused mutation leaves no trace but its audit entry."""
    before = api.get(f"/workflows/{world.workflow}", "admin").json()
    if who != "creator":
        is_problem(api.put(f"/workflows/{world.workflow}", who, workflow_update(world, who)), 403)
    is_problem(api.patch(f"/projects/{world.project}", who, {"cost_budget": 1}), 403)
    assert api.get(f"/workflows/{world.workflow}", "admin").json() == before
    assert api.get(f"/projects/{world.project}", "admin").json()["cost_budget"] == 1000


def test_outsider_sees_nothing(api: Api, world: World) -> None:
    """Not in the list, and every id of the project answers exactly like a missing one."""
    assert [p["id"] for p in api.get("/projects", "outsider").json()] == [world.other_project]
    for path in (
        f"/projects/{world.project}",
        f"/workflows/{world.workflow}",
        f"/runs/{world.run}",
        f"/extensions/{world.extension}",
    ):
        hidden = is_problem(api.get(path, "outsider"), 404)
        missing = is_problem(api.get(path.rsplit("/", 1)[0] + "/999999", "outsider"), 404)
        assert hidden["title"] == missing["title"]
        assert hidden["detail"].replace(path.rsplit("/", 1)[1], "N") == missing["detail"].replace("999999", "N")
