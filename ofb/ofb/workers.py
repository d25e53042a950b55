"""`--workers N`: several OFB processes serving one socket and one database.

Python runs one thread at a time, so one process answers requests on one core at most. With
`--workers N` the main process binds the socket, migrates the database and bootstraps the admin,
then forks N workers that each serve the shared socket with their own app. SQLite still has one
writer: each worker's writer thread takes an exclusive `flock` on `DB.lock` around its batch (see
`db.py`), so workers hand the write lock over without SQLite's sleeping busy handler.

The main process prints the startup line once every worker accepts connections, forwards
SIGTERM and SIGINT to them and exits 0 once they stopped cleanly. A worker that dies on its own
stops the rest (exit 1): half an OFB is not left running. Workers die with the main process,
even when it is SIGKILLed (Linux `PR_SET_PDEATHSIG`; elsewhere they poll their parent).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType

from ofb.app import create_app
from ofb.server import serve, url_of
from ofb.settings import Settings

log = logging.getLogger("ofb")

_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Arranges for this process to end when `parent` does."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the call
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="ofb-worker-parent-watch", daemon=True).start()


def _worker(sock: socket.socket, settings: Settings, access_log: bool, ready_fd: int, parent: int) -> int:
    _die_with(parent)
    app = create_app(settings)
    serve(app, sock, access_log=access_log, ready=lambda: os.write(ready_fd, b"."))
    return 0


def serve_workers(sock: socket.socket, settings: Settings, workers: int, *, access_log: bool = False) -> int:
    """Serves `sock` with `workers` forked processes until SIGTERM or SIGINT; the exit status."""
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_fd)
            code = 1
            try:
                code = _worker(sock, settings, access_log, write_fd, parent)
            except BaseException:  # noqa: BLE001 — reported, then this process ends
                log.exception("OFB worker %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        children.append(pid)
    os.close(write_fd)

    stopping = False

    def stop(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    ready = 0
    while ready < workers:
        got = os.read(read_fd, workers - ready)
        if not got:  # every worker closed the pipe: at least one died before it was ready
            break
        ready += len(got)
    os.close(read_fd)
    if ready == workers and not stopping:
        sys.stdout.write(f"ofb listening on {url_of(sock)}\n")
        sys.stdout.flush()
    elif not stopping:
        log.error("an OFB worker failed to start; stopping the others")
        stop(signal.SIGTERM, None)

    status = 0 if ready == workers else 1
    remaining = set(children)
    while remaining:
        pid, wait_status = os.wait()
        remaining.discard(pid)
        if os.waitstatus_to_exitcode(wait_status) != 0:
            status = 1
        if not stopping and remaining:
            log.error("OFB worker %d ended (%s); stopping the others", pid, wait_status)
            status = 1
            stop(signal.SIGTERM, None)
    return status
