"""`python -m ofb --db PATH [--host 127.0.0.1] [--port 0] [--admin-token-file PATH] [--workers N]`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from ofb import __version__
from ofb.app import create_app
from ofb.bootstrap import ensure_admin_token
from ofb.migrations import SchemaTooNewError
from ofb.server import bind, serve
from ofb.settings import Settings
from ofb.workers import serve_workers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ofb",
        description="OFB, Symphony's authoritative backend. Prints `ofb listening on http://HOST:PORT` "
        "on stdout once it accepts connections; logs go to stderr.",
    )
    parser.add_argument("--db", type=Path, required=True, help="SQLite database file (created and migrated as needed)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)")
    parser.add_argument(
        "--admin-token-file",
        type=Path,
        help="on the first start of an empty database, create user `admin` and write its bearer "
        "token here (mode 0600); later starts leave it alone",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--access-log", action="store_true", help="log every request (to stderr)")
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop (as on SIGTERM) when the process that started OFB dies, even by SIGKILL, "
        "so that a crashed Symphony leaves no OFB behind",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving requests (default: 1); more use more cores, one writer at a time",
    )
    parser.add_argument("--version", action="version", version=f"ofb {__version__}")
    return parser.parse_args(argv)


def watch_parent(parent: int, every: float = 0.25) -> None:
    """SIGTERMs this process once its parent is gone (it is then re-parented, so the parent
    pid changes). Polling is portable, unlike Linux's PR_SET_PDEATHSIG, and costs nothing."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        logging.getLogger("ofb").info("the parent process %d is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="ofb-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    log = logging.getLogger("ofb")
    try:
        sock = bind(args.host, args.port)
    except OSError as e:
        log.error("cannot listen on %s:%s: %s", args.host, args.port, e)
        return 1
    if args.workers < 1:
        log.error("--workers must be at least 1, not %d", args.workers)
        return 1
    settings = Settings(db_path=args.db)
    try:
        app = create_app(settings)
    except SchemaTooNewError as e:
        log.error("%s", e)
        return 2
    if args.admin_token_file is not None and ensure_admin_token(app.state.runtime, args.admin_token_file):
        log.info("created user admin; its token is in %s", args.admin_token_file)
    if args.exit_with_parent:
        watch_parent(os.getppid())
    if args.workers > 1:
        # The workers open the database themselves: nothing of it may cross the fork.
        app.state.runtime.db.close()
        return serve_workers(sock, settings, args.workers, access_log=args.access_log)
    serve(app, sock, access_log=args.access_log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
