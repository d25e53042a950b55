"""kill -9 in the middle of a stream of writes: every acknowledged write survives a restart,
and the one in flight, retried with its Idempotency-Key, exists exactly once."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest
from live_server import Http, OfbServer, setup_project, wait_until

WRITERS = 4
KILL_AFTER_ACKS = 120
MAX_SECONDS = 20


def body(user_id: int, project_id: int, name: str) -> dict:
    return {
        "spec": {"name": name, "steps": [{"name": "s", "command": "echo"}]},
        "user_id": user_id,
        "project_id": project_id,
        "estimated_cost": 1,
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_acknowledged_writes_survive_kill_9(tmp_path: Path, workers: int) -> None:
    db = tmp_path / "ofb.db"
    extra = ("--workers", str(workers))
    acked: dict[str, int] = {}  # workflow name -> id, for every 2xx
    in_flight: dict[int, str] = {}  # writer -> name of the request that got no answer
    lock = threading.Lock()
    stop = threading.Event()

    with OfbServer(db, *extra) as server:
        token, user_id, project_id = setup_project(server)

        def writer(n: int) -> None:
            client = server.client(token)
            deadline = time.monotonic() + MAX_SECONDS
            i = 0
            while not stop.is_set() and time.monotonic() < deadline:
                name = f"w{n}-{i}"
                try:
                    status, created = client.request("POST", "/workflows", body(user_id, project_id, name), key=name)
                except (OSError, http.client.HTTPException):  # the server died: this write's fate is unknown
                    in_flight[n] = name
                    return
                assert status == 201, created
                with lock:
                    acked[name] = created["id"]
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        assert wait_until(lambda: len(acked) >= KILL_AFTER_ACKS, MAX_SECONDS), "writes too slow"
        # With workers, SIGKILL reaches the main process only; its workers die with it.
        server.kill9()
        stop.set()
        for t in threads:
            t.join(30)
    assert in_flight, "the kill should have interrupted at least one writer"

    with OfbServer(db) as server:
        client = server.client(token)
        status, listed = client.request("GET", f"/projects/{project_id}/workflows")
        assert status == 200
        stored = {w["spec"]["name"]: w["id"] for w in listed}
        missing = {name for name in acked if stored.get(name) != acked[name]}
        assert not missing, f"{len(missing)} acknowledged writes lost: {sorted(missing)[:5]}"
        for workflow_id in list(acked.values())[:20]:
            assert client.request("GET", f"/workflows/{workflow_id}")[0] == 200
        # Retrying what was in flight, with the same key, creates it at most once.
        for name in in_flight.values():
            status, created = client.request("POST", "/workflows", body(user_id, project_id, name), key=name)
            assert status == 201, created
            again = client.request("POST", "/workflows", body(user_id, project_id, name), key=name)[1]
            assert again == created
        status, listed = client.request("GET", f"/projects/{project_id}/workflows")
        names = [w["spec"]["name"] for w in listed]
        assert len(names) == len(set(names)), "a retried write was applied twice"
        assert len(names) == len(acked) + len(in_flight)
        server.stop()


def test_http_client_reports_a_dead_server(tmp_path: Path) -> None:
    """The durability test relies on a dead server being an OSError, not a hang."""
    with OfbServer(tmp_path / "ofb.db") as server:
        client = Http(server.host, server.port, timeout=5)
        assert client.request("GET", "/health")[0] == 200
        server.kill9()
        try:
            client.request("GET", "/health")
        except OSError:
            pass
        else:
            raise AssertionError("a request to a killed server succeeded")
