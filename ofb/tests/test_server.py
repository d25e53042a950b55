"""`python -m ofb`: the startup line, /health, clean stops, and the admin bootstrap."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_server import OfbServer
from support import PASSWORD, Api, make_app

from ofb.__main__ import main
from ofb.bootstrap import ensure_admin_token, write_secret_file


def test_startup_line_health_and_sigterm(tmp_path: Path) -> None:
    with OfbServer(tmp_path / "ofb.db") as server:
        assert server.first_line == f"ofb listening on http://127.0.0.1:{server.port}"
        assert server.port > 0
        status, body = server.client().request("GET", "/health")
        assert (status, body["status"]) == (200, "ok")
        code, rest = server.stop(signal.SIGTERM)
    assert code == 0
    assert rest == ""  # exactly one line on stdout, ever


def test_workers_share_the_socket_stop_together_and_die_with_the_main_process(tmp_path: Path) -> None:
    with OfbServer(tmp_path / "ofb.db", "--workers", "2") as server:
        workers = _children(server.process.pid)
        assert len(workers) == 2, workers
        status, body = server.client().request("GET", "/health")
        assert (status, body["status"]) == (200, "ok")
        code, rest = server.stop(signal.SIGTERM)
    assert (code, rest) == (0, "")
    assert not any(_alive(pid) for pid in workers)
    with OfbServer(tmp_path / "ofb.db", "--workers", "2") as server:
        workers = _children(server.process.pid)
        server.kill9()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived a SIGKILLed OFB"


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_ctrl_c_that_reaches_every_worker_twice_stops_them_cleanly(tmp_path: Path) -> None:
    # A terminal's Ctrl-C reaches the whole process group, and the main process forwards it
    # too: each worker gets SIGINT twice at once, which is one request, not a forced exit.
    with OfbServer(tmp_path / "ofb.db", "--workers", "2", "--log-level", "info") as server:
        workers = _children(server.process.pid)
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        code, rest = server.stop(signal.SIGINT)
        stderr = server.stderr_path.read_text()
    assert (code, rest) == (0, "")
    assert "Traceback" not in stderr, stderr
    assert stderr.count("Application shutdown complete") == 2, stderr


def test_admin_token_file_sigint_and_restart(tmp_path: Path) -> None:
    token_file = tmp_path / "secrets" / "admin.token"
    with OfbServer(tmp_path / "ofb.db", "--admin-token-file", str(token_file)) as server:
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        status, me = server.client(token).request("GET", "/users/me")
        assert (status, me["username"]) == (200, "admin")
        status, project = server.client(token).request("POST", "/projects", {"name": "mine", "cost_budget": 1})
        assert (status, project["role"]) == (201, "Admin")
        code, _ = server.stop(signal.SIGINT)
    assert code == 0
    first = token_file.read_text()
    with OfbServer(tmp_path / "ofb.db", "--admin-token-file", str(token_file)) as server:
        assert token_file.read_text() == first  # later starts leave it alone
        status, projects = server.client(first.strip()).request("GET", "/projects")
        assert (status, [p["name"] for p in projects]) == (200, ["mine"])
        code, _ = server.stop(signal.SIGTERM)
    assert code == 0


def test_no_admin_is_made_when_users_exist(empty_api: Api, tmp_path: Path) -> None:
    empty_api.register("first")
    token_file = tmp_path / "admin.token"
    assert not ensure_admin_token(empty_api.app.state.runtime, token_file)
    assert not token_file.exists()


def test_the_admin_is_made_once(tmp_path: Path) -> None:
    app = make_app(tmp_path / "ofb.db")
    try:
        assert ensure_admin_token(app.state.runtime, tmp_path / "t")
        assert not ensure_admin_token(app.state.runtime, tmp_path / "t2")
        assert not (tmp_path / "t2").exists()
    finally:
        app.state.runtime.db.close()


def test_secret_files_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        (tmp_path / "s").write_text("left by a crash")
        os.chmod(tmp_path / "s", 0o666)
        write_secret_file(tmp_path / "s", "token\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "s").stat().st_mode) == 0o600
    assert (tmp_path / "s").read_text() == "token\n"


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with OfbServer(tmp_path / "ofb.db") as server:
        result = subprocess.run(
            [sys.executable, "-m", "ofb", "--port", str(server.port), "--db", str(tmp_path / "other.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        server.stop()
    assert result.returncode == 1
    assert result.stdout == ""
    assert "cannot listen" in result.stderr


def test_db_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
    assert "--db" in capsys.readouterr().err


def test_a_password_login_works_against_the_real_hasher(tmp_path: Path) -> None:
    """The server runs with production argon2 parameters (tests elsewhere use cheap ones)."""
    with OfbServer(tmp_path / "ofb.db") as server:
        c = server.client()
        assert c.request("POST", "/users", {"username": "real", "password": PASSWORD})[0] == 201
        status, token = c.request("POST", "/auth/token", {"username": "real", "password": PASSWORD})
        assert status == 200 and token["access_token"].startswith("ofb_")
        assert c.request("POST", "/auth/token", {"username": "real", "password": PASSWORD + "x"})[0] == 401
        server.stop()
    with open(tmp_path / "ofb.db", "rb") as f:
        assert b"$argon2id$v=19$m=65536,t=3,p=4$" in f.read()


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody reaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_exit_with_parent_stops_ofb_when_its_parent_is_killed(tmp_path: Path) -> None:
    # A parent that starts OFB with --exit-with-parent, says OFB's pid, then waits forever.
    parent_code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen([sys.executable, '-m', 'ofb', '--db', sys.argv[1], '--exit-with-parent'],"
        " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)\n"
        "print(p.pid, p.stdout.readline().strip(), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code, str(tmp_path / "ofb.db")], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pid_text, line = parent.stdout.readline().split(" ", 1)
    ofb_pid = int(pid_text)
    assert line.startswith("ofb listening on http://127.0.0.1:")
    assert _alive(ofb_pid)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 15
    while _alive(ofb_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(ofb_pid), "OFB outlived its parent"
