"""Concurrent writers on one workflow, against the real server: optimistic versions lose no
update. Every success is a distinct version, every other attempt is a 409, and the stored
history is exactly the successes in order."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from live_server import OfbServer, setup_project

THREADS = 8
ROUNDS = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OfbServer, str, int, int]]:
    with OfbServer(tmp_path_factory.mktemp("concurrency") / "ofb.db") as server:
        token, user_id, project_id = setup_project(server)
        yield server, token, user_id, project_id
        server.stop()


@pytest.fixture
def server_with_workflow(server: tuple[OfbServer, str, int, int]) -> tuple[OfbServer, str, int]:
    """A new workflow at version 1 on the module's server."""
    ofb, token, user_id, project_id = server
    status, workflow = ofb.client(token).request(
        "POST",
        "/workflows",
        {
            "spec": {"name": "v1", "steps": [{"name": "s", "command": "echo"}]},
            "user_id": user_id,
            "project_id": project_id,
            "estimated_cost": 1,
        },
    )
    assert status == 201
    return ofb, token, workflow["id"]


def update(name: str, version: int) -> dict:
    return {
        "spec": {"name": name, "steps": [{"name": "s", "command": "echo"}]},
        "estimated_cost": 1,
        "version": version,
    }


def test_a_stampede_on_one_version_has_one_winner(server_with_workflow) -> None:
    server, token, workflow_id = server_with_workflow
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, dict]] = []

    def attempt(n: int) -> None:
        client = server.client(token)
        barrier.wait()
        results.append(client.request("PUT", f"/workflows/{workflow_id}", update(f"t{n}", 1)))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (THREADS - 1)
    assert all(body["current_version"] == 2 for status, body in results if status == 409)


def test_no_lost_update(server_with_workflow) -> None:
    server, token, workflow_id = server_with_workflow
    successes: list[tuple[int, str]] = []  # (version made, spec name)
    conflicts: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        client = server.client(token)
        for r in range(ROUNDS):
            status, current = client.request("GET", f"/workflows/{workflow_id}")
            assert status == 200
            name = f"t{n}-r{r}"
            status, body = client.request("PUT", f"/workflows/{workflow_id}", update(name, current["version"]))
            with lock:
                if status == 200:
                    assert body["version"] == current["version"] + 1
                    successes.append((body["version"], name))
                else:
                    assert status == 409, body
                    conflicts.append(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert len(successes) + len(conflicts) == THREADS * ROUNDS
    made = sorted(v for v, _ in successes)
    assert made == list(range(2, 2 + len(successes))), "every success is a distinct, consecutive version"
    client = server.client(token)
    status, history = client.request("GET", f"/workflows/{workflow_id}/versions")
    assert status == 200
    assert [(v["version"], v["spec"]["name"]) for v in history] == [(1, "v1"), *sorted(successes)]
    assert client.request("GET", f"/workflows/{workflow_id}")[1]["version"] == 1 + len(successes)
