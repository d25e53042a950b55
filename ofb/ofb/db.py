"""The SQLite database: connection settings, read sessions and the one writer at a time.

SQLite allows one writer; OFB serialises its writes with a process-wide lock and starts each
write transaction with `BEGIN IMMEDIATE`, so that a transaction never fails half-way on a lock
upgrade and waiters wake as soon as the lock is free (SQLite's own busy handler polls with
sleeps). Readers never wait for the writer (WAL). `synchronous=FULL` makes every commit reach
the disk before the response is sent: an acknowledged write survives kill -9 and power loss.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

_BEGIN_OPTION = "ofb_begin"


def _on_connect(dbapi_connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
    # The driver must not open transactions on its own: we emit BEGIN ourselves (see _on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    finally:
        cursor.close()


def make_engine(path: Path, *, pool_size: int = 8, busy_timeout_ms: int = 10_000) -> Engine:
    """An engine on the SQLite file at `path` (created if missing) with OFB's pragmas."""
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=4 * pool_size,
        pool_timeout=30,
        # Sessions move between the event loop's worker threads, one thread at a time.
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        _on_connect(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine, "begin")
    def begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """One OFB database: sessions for reading, and `write()` for the single writer."""

    def __init__(self, path: Path, *, pool_size: int = 8, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self.engine = make_engine(path, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms)
        self._writer_engine = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer_engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; its snapshot starts at the first query."""
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed (and on disk) when the block ends without error.

        Blocks the calling thread until no other write is running: call it from a worker
        thread, never from the event loop.
        """
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Closes every pooled connection (the last one out checkpoints the WAL)."""
        self.engine.dispose()
