"""The real server for tests: `python -m ofb` as a subprocess, and a plain HTTP client."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from support import PASSWORD

STARTUP_LINE = re.compile(r"^ofb listening on http://(127\.0\.0\.1):(\d+)$")


class OfbServer:
    """`python -m ofb` in a subprocess, started and stopped by a test."""

    def __init__(self, db: Path, *extra: str, timeout: float = 20.0) -> None:
        self.db = db
        # stderr to a file: a pipe nobody reads could fill up and stall the server.
        self.stderr_path = db.with_name(f"{db.name}.{time.monotonic_ns()}.stderr")
        with open(self.stderr_path, "w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ofb", "--port", "0", "--db", str(db), "--log-level", "warning", *extra],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self.first_line = self._read_line(timeout)
        match = STARTUP_LINE.match(self.first_line)
        assert match, f"unexpected startup line {self.first_line!r}; stderr: {self._stderr()}"
        self.host, self.port = match.group(1), int(match.group(2))

    def _read_line(self, timeout: float) -> str:
        out: list[str] = []
        reader = threading.Thread(target=lambda: out.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        if not out:
            self.process.kill()
            raise AssertionError(f"no startup line within {timeout}s; stderr: {self._stderr()}")
        return out[0].rstrip("\n")

    def _stderr(self) -> str:
        return self.stderr_path.read_text()

    def client(self, token: str | None = None) -> Http:
        return Http(self.host, self.port, token)

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> tuple[int, str]:
        """Sends `sig`, waits; returns the exit status and whatever stdout said after line one."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            rest, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, rest

    def __enter__(self) -> OfbServer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        if self.process.stdout:
            self.process.stdout.close()


class Http:
    """A minimal keep-alive JSON client over http.client (one per thread)."""

    def __init__(self, host: str, port: int, token: str | None = None, timeout: float = 10.0) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.token = token

    def request(self, method: str, path: str, body: Any = None, key: str | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)

    def close(self) -> None:
        self.conn.close()


def setup_project(server: OfbServer, name: str = "writer", budget: float = 1e9) -> tuple[str, int, int]:
    """Registers `name`, creates a project with an approved `echo`; returns (token, user id, project id)."""
    anon = server.client()
    status, user = anon.request("POST", "/users", {"username": name, "password": PASSWORD})
    assert status == 201, user
    status, token = anon.request("POST", "/auth/token", {"username": name, "password": PASSWORD})
    assert status == 200, token
    c = server.client(token["access_token"])
    status, project = c.request("POST", "/projects", {"name": "p", "cost_budget": budget})
    assert status == 201, project
    status, ext = c.request("POST", f"/projects/{project['id']}/extensions", {"name": "echo", "permissions": []})
    assert status == 201, ext
    status, _ = c.request("PUT", f"/extensions/{ext['id']}/approval", {"granted": []})
    assert status == 200
    anon.close()
    c.close()
    return token["access_token"], user["id"], project["id"]


def wait_until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()
