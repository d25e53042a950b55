"""The seed's contract, and every error status as RFC 9457 problem+json."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import Api, World, is_problem, slug, workflow_body

SEED_KEYS = {"id", "spec", "user_id", "project_id", "created_at", "status"}
# What OFB adds to the seed's shape: the version for optimistic concurrency, the cost, and
# when it last changed.
OFB_KEYS = {"version", "estimated_cost", "updated_at"}


def test_create_workflow_matches_the_seed_contract(api: Api, world: World) -> None:
    request = {
        "spec": {"name": "ship", "steps": [{"name": "fetch", "command": "echo"}, {"name": "test", "command": "echo"}]},
        "user_id": world.ids["creator"],
        "project_id": world.project,
        "estimated_cost": 12.5,
    }
    response = api.post("/workflows", "creator", request)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == SEED_KEYS | OFB_KEYS
    assert isinstance(body["id"], int)
    assert body["spec"] == request["spec"]
    assert body["user_id"] == world.ids["creator"]
    assert body["project_id"] == world.project
    assert body["status"] == "created"
    assert body["version"] == 1
    assert body["estimated_cost"] == 12.5
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0
    assert body["updated_at"] == body["created_at"]
    # And it reads back the same.
    assert api.get(f"/workflows/{body['id']}", "auditor").json() == body


def test_400_validation_names_every_field(api: Api, world: World) -> None:
    response = api.post(
        "/workflows",
        "creator",
        {
            "spec": {"name": "", "steps": [{"name": "a"}]},
            "user_id": "me",
            "project_id": world.project,
            "estimated_cost": -1,
            "x": 1,
        },
    )
    body = is_problem(response, 400)
    assert slug(body) == "validation-error"
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"#/spec/name", "#/spec/steps/0/command", "#/user_id", "#/estimated_cost", "#/x"}
    assert all(e["location"] == "body" and e["detail"] for e in body["errors"])


@pytest.mark.parametrize(
    ("content", "detail"),
    [(b"{not json", "not valid JSON"), (b"", "body is required"), (b"[]", "")],
)
def test_400_for_malformed_bodies(api: Api, content: bytes, detail: str) -> None:
    response = api.client.post(
        "/projects", content=content, headers={**api.headers("admin"), "content-type": "application/json"}
    )
    body = is_problem(response, 400)
    assert detail in body["detail"]


def test_400_for_bad_parameters(api: Api, world: World) -> None:
    body = is_problem(api.get("/workflows/abc", "admin"), 400)
    assert body["errors"][0]["location"] == "path"
    assert body["errors"][0]["pointer"] == "#/workflow_id"
    body = is_problem(api.get(f"/projects/{world.project}/audit?limit=0", "admin"), 400)
    assert body["errors"][0]["location"] == "query"
    # Ids too large for SQLite are refused, not crashed on.
    is_problem(api.get(f"/workflows/{2**70}", "admin"), 400)
    body = is_problem(api.post("/projects", "admin", {"name": "x", "cost_budget": 1}, key="has a space"), 400)
    assert body["errors"][0]["location"] == "header"


def test_400_password_too_short_is_not_echoed(api: Api) -> None:
    body = is_problem(api.post("/users", json={"username": "bob", "password": "short-secret"[:11]}), 400)
    assert body["errors"][0]["pointer"] == "#/password"
    assert "short-secre" not in str(body)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer ofb_not-a-token"},
        {"Authorization": "Basic YWRtaW46eA=="},
        {"Authorization": "Bearer "},
    ],
)
def test_401_needs_a_valid_bearer_token(api: Api, headers: dict[str, str]) -> None:
    body = is_problem(api.client.get("/users/me", headers=headers), 401)
    assert slug(body) == "unauthorized"


def test_401_after_logout(api: Api) -> None:
    assert api.delete("/auth/token", "executor").status_code == 204
    is_problem(api.get("/users/me", "executor"), 401)
    assert api.get("/users/me", "auditor").status_code == 200  # other tokens live on


def test_401_for_a_wrong_password(api: Api) -> None:
    is_problem(api.post("/auth/token", json={"username": "admin", "password": "wrong password!"}), 401)
    is_problem(api.post("/auth/token", json={"username": "nobody", "password": "wrong password!"}), 401)


def test_403_for_a_role_and_for_someone_elses_user_id(api: Api, world: World) -> None:
    assert (
        slug(is_problem(api.post("/workflows", "executor", workflow_body(world.ids["executor"], world.project)), 403))
        == "forbidden"
    )
    body = is_problem(api.post("/workflows", "creator", workflow_body(world.ids["admin"], world.project)), 403)
    assert "user_id" in body["detail"]


def test_404_for_unknown_ids_and_routes(api: Api) -> None:
    assert slug(is_problem(api.get("/workflows/424242", "admin"), 404)) == "not-found"
    is_problem(api.get("/no/such/route", "admin"), 404)
    is_problem(api.post("/no/such/route", "admin", {}), 404)


def test_405_is_a_problem_too(api: Api) -> None:
    body = is_problem(api.call("PATCH", "/health"), 405)
    assert slug(body) == "method-not-allowed"


@pytest.mark.parametrize(
    ("make", "expected_slug"),
    [
        (
            lambda api, w: api.post("/users", json={"username": "ADMIN", "password": "long enough password"}),
            "username-taken",
        ),
        (
            lambda api, w: api.post(
                f"/projects/{w.project}/members", "admin", {"username": "creator", "role": "Auditor"}
            ),
            "already-member",
        ),
        (
            lambda api, w: api.post(f"/projects/{w.project}/extensions", "admin", {"name": "echo", "permissions": []}),
            "extension-exists",
        ),
        (lambda api, w: api.delete(f"/projects/{w.project}/members/{w.ids['admin']}", "admin"), "last-admin"),
        (
            lambda api, w: api.put(f"/projects/{w.project}/members/{w.ids['admin']}", "admin", {"role": "Creator"}),
            "last-admin",
        ),
        (lambda api, w: api.delete(f"/workflows/{w.workflow}?version=7", "creator"), "version-conflict"),
    ],
)
def test_409_conflicts(api: Api, world: World, make, expected_slug: str) -> None:
    assert slug(is_problem(make(api, world), 409)) == expected_slug


def test_413_for_huge_bodies(api: Api) -> None:
    body = is_problem(
        api.client.post(
            "/projects", content=b" " * (2 << 20), headers={**api.headers("admin"), "content-type": "application/json"}
        ),
        413,
    )
    assert slug(body) == "payload-too-large"


def test_health(empty_api: Api) -> None:
    response = empty_api.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0"}
