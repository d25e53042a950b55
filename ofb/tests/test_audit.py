"""The audit log: every mutating call, refusals included; append-only; paged."""

from __future__ import annotations

import sqlite3

import pytest
from support import Api, World, is_problem, new_key, workflow_body


def entries(api: Api, world: World) -> list[dict]:
    items, after = [], 0
    while True:
        page = api.get(f"/projects/{world.project}/audit?after_id={after}&limit=7", "auditor").json()
        items += page["items"]
        if page["next_after_id"] is None:
            return items
        after = page["next_after_id"]


def test_the_world_is_fully_audited(api: Api, world: World) -> None:
    log = entries(api, world)
    assert [e["action"] for e in log] == [
        "project.create",
        "member.add",
        "member.add",
        "member.add",
        "extension.register",
        "extension.approve",
        "extension.register",
        "workflow.create",
        "run.start",
    ]
    assert all(e["outcome"] == "ok" and e["project_id"] == world.project for e in log)
    create = log[7]
    assert create["actor_id"] == world.ids["creator"] and create["actor_username"] == "creator"
    assert (create["method"], create["path"], create["status"]) == ("POST", "/workflows", 201)
    assert (create["target_type"], create["target_id"]) == ("workflow", world.workflow)
    assert [e["id"] for e in log] == sorted(e["id"] for e in log)


def test_refusals_are_audited_with_who_and_why(api: Api, world: World) -> None:
    is_problem(api.post("/workflows", "executor", workflow_body(world.ids["executor"], world.project)), 403)
    is_problem(api.post("/workflows", "creator", workflow_body(world.ids["creator"], world.project, cost=10**6)), 400)
    is_problem(api.patch(f"/projects/{world.project}", "outsider", {"cost_budget": 1}), 404)
    last = entries(api, world)[-3:]
    assert [(e["actor_username"], e["action"], e["status"], e["outcome"]) for e in last] == [
        ("executor", "workflow.create", 403, "refused"),
        ("creator", "workflow.create", 400, "refused"),
        ("outsider", "project.update", 404, "refused"),
    ]
    assert last[1]["detail"].startswith("budget-exceeded:")


def test_replays_are_audited(api: Api, world: World) -> None:
    key = new_key()
    body = {"state": "running"}
    api.patch(f"/runs/{world.run}", "executor", body, key=key)
    api.patch(f"/runs/{world.run}", "executor", body, key=key)
    with sqlite3.connect(api.app.state.runtime.settings.db_path) as db:
        outcomes = [r[0] for r in db.execute("SELECT outcome FROM audit_log WHERE action = 'run.update' ORDER BY id")]
    assert outcomes == ["ok", "replayed"]


def test_a_replay_is_audited_with_the_project_and_target_of_the_first_call(api: Api, world: World) -> None:
    # An offline outbox replays its calls with their first keys: the project's audit log must
    # show those replays too, naming what they were about.
    key = new_key()
    body = workflow_body(world.ids["creator"], world.project)
    first = api.post("/workflows", "creator", body, key=key)
    again = api.post("/workflows", "creator", body, key=key)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    replays = [e for e in entries(api, world) if e["outcome"] == "replayed"]
    assert [(e["action"], e["project_id"], e["target_type"], e["target_id"]) for e in replays] == [
        ("workflow.create", world.project, "workflow", first.json()["id"])
    ]


@pytest.mark.parametrize(
    ("method", "path", "headers", "content", "status"),
    [
        ("POST", "/projects", {}, b'{"name":"x","cost_budget":1}', 401),
        ("POST", "/projects", {"Authorization": "Bearer ofb_bogus"}, b'{"name":"x","cost_budget":1}', 401),
        ("POST", "/projects", "admin", b'{"name":"x"}', 400),
        ("POST", "/no/such/thing", "admin", b"{}", 404),
        ("PATCH", "/health", "admin", b"{}", 405),
    ],
)
def test_refusals_before_any_endpoint_are_audited(
    api: Api, method: str, path: str, headers: dict | str, content: bytes, status: int
) -> None:
    h = api.headers(headers) if isinstance(headers, str) else headers
    response = api.client.request(method, path, content=content, headers={**h, "content-type": "application/json"})
    is_problem(response, status)
    with sqlite3.connect(api.app.state.runtime.settings.db_path) as db:
        row = db.execute(
            "SELECT method, path, status, outcome, actor_username FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == (method, path, status, "refused", "admin" if headers == "admin" else None)


def test_reads_are_not_audited(api: Api, world: World) -> None:
    before = len(entries(api, world))
    api.get(f"/workflows/{world.workflow}", "creator")
    api.get(f"/projects/{world.project}", "outsider")
    assert len(entries(api, world)) == before


def test_the_log_is_append_only(api: Api) -> None:
    with sqlite3.connect(api.app.state.runtime.settings.db_path) as db:
        for statement in ("UPDATE audit_log SET outcome = 'ok'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                db.execute(statement)


def test_system_entries_are_not_in_any_project(api: Api, world: World) -> None:
    api.post("/users", json={"username": "newcomer", "password": "long enough password"})
    assert all(e["action"] != "user.register" for e in entries(api, world))
    with sqlite3.connect(api.app.state.runtime.settings.db_path) as db:
        row = db.execute(
            "SELECT project_id, outcome FROM audit_log WHERE action = 'user.register' ORDER BY id DESC"
        ).fetchone()
    assert row == (None, "ok")
