"""Serving an app with uvicorn: bind first (so `--port 0` has a real port to print), print
`ofb listening on http://HOST:PORT` once connections are accepted, stop cleanly on SIGTERM or
SIGINT (exit status 0, the database closed)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI


# A second signal this soon after the first is the same request arriving twice (a terminal's
# Ctrl-C reaches a `--workers` worker both directly and forwarded by the main process), not a
# person insisting: it does not force the exit.
_SAME_REQUEST_S = 0.5


class _Server(uvicorn.Server):
    """uvicorn's server, but a signal means "stop now, cleanly" and is not re-raised after
    shutdown (uvicorn re-raises it, which would make SIGTERM an abnormal exit). A later second
    signal stops without waiting for open connections."""

    _first_signal: float | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        signals = (signal.SIGINT, signal.SIGTERM)
        for sig in signals:
            loop.add_signal_handler(sig, self._stop)
        try:
            yield
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)

    def _stop(self) -> None:
        now = time.monotonic()
        if self._first_signal is None:
            self._first_signal = now
        elif now - self._first_signal >= _SAME_REQUEST_S:
            self.force_exit = True  # asked again: do not wait for open connections
        self.should_exit = True


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: one the kernel picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    app: FastAPI, sock: socket.socket, *, access_log: bool = False, ready: Callable[[], object] | None = None
) -> None:
    """Serves `app` on `sock` until SIGTERM or SIGINT. Once connections are accepted, calls
    `ready` if given (a worker of `--workers`), else prints the startup line."""
    config = uvicorn.Config(
        app,
        log_config=None,  # logging is set up by __main__ (stderr only: stdout carries one line)
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    server = _Server(config)
    # Everything loaded so far (FastAPI, pydantic, SQLAlchemy, the app) lives as long as the
    # process: moved out of the collector's sight, a full collection no longer walks it, which
    # took tens of milliseconds out of some requests. Fewer young collections, too: a request
    # allocates thousands of short-lived objects.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)

    async def main() -> None:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.005)
        if server.started and ready is not None:
            ready()
        elif server.started:
            sys.stdout.write(f"ofb listening on {url_of(sock)}\n")
            sys.stdout.flush()
        await serving

    asyncio.run(main())
