"""Idempotency-Key: a retried call returns the first response and creates nothing twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from support import PASSWORD, Api, World, is_problem, new_key, slug, workflow_body


def count(api: Api, table: str) -> int:
    path: Path = api.app.state.runtime.settings.db_path
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_retried_create_returns_the_first_response(api: Api, world: World) -> None:
    key = new_key()
    body = workflow_body(world.ids["creator"], world.project)
    first = api.post("/workflows", "creator", body, key=key)
    assert first.status_code == 201
    workflows = count(api, "workflows")
    for _ in range(3):
        again = api.post("/workflows", "creator", body, key=key)
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
    assert count(api, "workflows") == workflows
    assert len(api.get(f"/projects/{world.project}/workflows", "creator").json()) == 2


def test_same_key_different_body_is_a_conflict(api: Api, world: World) -> None:
    key = new_key()
    api.ok(api.post("/workflows", "creator", workflow_body(world.ids["creator"], world.project, cost=1), key=key), 201)
    problem = is_problem(
        api.post("/workflows", "creator", workflow_body(world.ids["creator"], world.project, cost=2), key=key), 409
    )
    assert slug(problem) == "idempotency-key-reused"
    # The same key on another endpoint is another request too.
    problem = is_problem(api.post("/projects", "creator", {"name": "x", "cost_budget": 1}, key=key), 409)
    assert slug(problem) == "idempotency-key-reused"


def test_keys_belong_to_their_caller(api: Api, world: World) -> None:
    key = new_key()
    api.ok(api.post("/projects", "creator", {"name": "same", "cost_budget": 1}, key=key), 201)
    api.ok(api.post("/projects", "executor", {"name": "same", "cost_budget": 1}, key=key), 201)
    assert [p["name"] for p in api.get("/projects", "executor").json()].count("same") == 1
    assert [p["name"] for p in api.get("/projects", "creator").json()].count("same") == 1


def test_a_semantically_equal_body_is_the_same_request(api: Api) -> None:
    key = new_key()
    first = api.client.post(
        "/projects",
        content=b'{"name":"n","cost_budget":1}',
        headers={**api.headers("admin", key), "content-type": "application/json"},
    )
    again = api.client.post(
        "/projects",
        content=b'{ "cost_budget": 1.0, "name": "n" }',
        headers={**api.headers("admin", key), "content-type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_a_refusal_is_replayed_too(api: Api, world: World) -> None:
    key = new_key()
    body = workflow_body(world.ids["creator"], world.project, cost=5000)
    first = api.post("/workflows", "creator", body, key=key)
    assert slug(is_problem(first, 400)) == "budget-exceeded"
    api.patch(f"/projects/{world.project}", "admin", {"cost_budget": 10_000})
    again = api.post("/workflows", "creator", body, key=key)
    assert again.status_code == 400 and again.json() == first.json()
    assert again.headers["content-type"].startswith("application/problem+json")
    # A new key is a new attempt.
    assert api.post("/workflows", "creator", body, key=new_key()).status_code == 201


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_mutations_honour_keys(api: Api, world: World, method: str) -> None:
    key = new_key()
    if method == "PUT":
        path, body = (
            f"/workflows/{world.workflow}",
            {"spec": {"name": "x", "steps": [{"name": "a", "command": "echo"}]}, "estimated_cost": 1, "version": 1},
        )
    elif method == "PATCH":
        path, body = f"/runs/{world.run}", {"state": "running"}
    else:
        path, body = f"/workflows/{world.workflow}", None
    who = "executor" if method == "PATCH" else "creator"
    first = api.call(method, path, who, json=body, key=key)
    assert first.status_code in (200, 204)
    again = api.call(method, path, who, json=body, key=key)
    assert again.status_code == first.status_code and again.content == first.content
    if method == "PUT":  # without the key the same PUT would now be stale
        assert api.get(f"/workflows/{world.workflow}", "creator").json()["version"] == 2
        is_problem(api.call(method, path, who, json=body), 409)


def test_registration_retry_creates_one_user(empty_api: Api) -> None:
    key = new_key()
    body = {"username": "ann", "password": PASSWORD}
    first = empty_api.post("/users", json=body, key=key)
    again = empty_api.post("/users", json=body, key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert count(empty_api, "users") == 1
    # Another password under the same key is another request, even though passwords are not fingerprinted in the clear.
    is_problem(empty_api.post("/users", json={"username": "ann", "password": "another long password"}, key=key), 409)


def test_login_retry_returns_the_same_token_which_is_never_stored_in_the_clear(empty_api: Api) -> None:
    empty_api.register("ann")
    key = new_key()
    body = {"username": "ann", "password": PASSWORD}
    first = empty_api.post("/auth/token", json=body, key=key).json()
    again = empty_api.post("/auth/token", json=body, key=key).json()
    assert first == again
    assert count(empty_api, "tokens") == 2  # register's login, and this one
    with sqlite3.connect(empty_api.app.state.runtime.settings.db_path) as db:
        dump = "\n".join(db.iterdump())
    assert first["access_token"] not in dump
    assert PASSWORD not in dump
    token = first["access_token"]
    assert empty_api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    is_problem(empty_api.post("/auth/token", json={"username": "ann", "password": PASSWORD + "!"}, key=key), 409)


def test_keys_survive_a_restart(api: Api, world: World, tmp_path: Path) -> None:
    from support import close, make_app

    key = new_key()
    body = workflow_body(world.ids["creator"], world.project)
    first = api.post("/workflows", "creator", body, key=key).json()
    path = api.app.state.runtime.settings.db_path
    close(api.app)
    app = make_app(path)
    try:
        again = Api(app, api.tokens).post("/workflows", "creator", body, key=key)
        assert again.status_code == 201 and again.json() == first
    finally:
        close(app)


def test_without_a_key_each_post_creates(api: Api, world: World) -> None:
    body = workflow_body(world.ids["creator"], world.project)
    a = api.post("/workflows", "creator", body).json()
    b = api.post("/workflows", "creator", body).json()
    assert a["id"] != b["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_malformed_keys_are_refused(api: Api, key: str) -> None:
    problem = is_problem(api.post("/projects", "admin", {"name": "x", "cost_budget": 1}, key=key), 400)
    assert problem["errors"][0]["location"] == "header"
