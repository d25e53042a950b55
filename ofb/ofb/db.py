"""The SQLite database: connection settings, read sessions and the one writer.

SQLite allows one writer. OFB's mutating calls go to one writer thread (`GroupCommit`) that
drains a queue of pending changes, runs each in its own savepoint inside one `BEGIN IMMEDIATE`
transaction, commits once, and only then answers every caller of the batch: one fsync carries
many concurrent writes (group commit), while each change still sees the ones before it, so
optimistic concurrency and idempotency keys behave exactly as if the writes ran one by one.
Everything else that writes (`write()`: bootstrap, audits of early refusals) takes the same
lock, which also serialises the processes of `--workers` (see `WriteLock`). Readers never wait
for the writer (WAL). `synchronous=FULL` makes every commit reach the disk before any response
is sent: an acknowledged write survives kill -9 and power loss.
"""

from __future__ import annotations

import fcntl
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ofb import sql

_BEGIN_OPTION = "ofb_begin"

# A batch is bounded so that the first caller of a long queue is not kept waiting for the last.
MAX_BATCH = 64


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
        # The writer thread opens each batch's transaction itself, in plain SQL: an ORM
        # transaction begun inside one joins it.
        if conn.connection.driver_connection.in_transaction:
            return
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class WriteLock:
    """One writer at a time: a thread lock within the process, and an exclusive `flock` on
    `DB.lock` across the processes of `--workers` (the kernel wakes the next waiter at once,
    where SQLite's busy handler would sleep and poll)."""

    def __init__(self, db_path: Path) -> None:
        self._thread_lock = threading.Lock()
        self._path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        self._thread_lock.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        """Closes the lock file (the lock must not be held)."""
        with self._thread_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


@dataclass
class _Work:
    """One queued change and the future its caller waits on."""

    run: Callable[[Session], Any]
    future: Future[Any] = field(default_factory=Future)


class GroupCommit:
    """The writer thread: batches of queued changes, one transaction and one fsync per batch.

    A change that raises is rolled back to its own savepoint and its caller gets the exception;
    the rest of the batch goes on. If the COMMIT itself fails, every caller of the batch gets the
    error, and none of them was told the write happened.
    """

    def __init__(self, engine: Engine, lock: WriteLock) -> None:
        self._engine = engine
        self._lock = lock
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="ofb-writer", daemon=True)
        self._thread.start()

    def submit(self, run: Callable[[Session], Any]) -> Future[Any]:
        """Queues `run(session)`; the future resolves once its batch is committed (on disk)."""
        work = _Work(run)
        self._queue.put(work)
        return work.future

    def stop(self) -> None:
        """Lets the queued batches finish, then ends the thread."""
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        # One connection and one session for the thread's life: checking a connection out of the
        # pool and setting a session up again for every batch costs as much as a small batch.
        with self._engine.connect() as connection, Session(bind=connection, expire_on_commit=False) as session:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection), "OFB runs on SQLite"
            sql.fix_connection(session, raw)
            self._serve(session, raw)

    def _serve(self, session: Session, raw: sqlite3.Connection) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(session, raw, batch)
            if stopping:
                return

    def _commit(self, session: Session, raw: sqlite3.Connection, batch: list[_Work]) -> None:
        # The batch's transaction and savepoints are plain SQL on the writer's connection: the
        # ORM's own begin/commit cost more than a small batch's statements. Calls that use the
        # ORM join the transaction (see `make_engine`), and then the ORM's commit is the commit.
        outcomes: list[tuple[_Work, Any, BaseException | None]] = []
        try:
            with self._lock:
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    for work in batch:
                        raw.execute("SAVEPOINT ofb_call")
                        try:
                            value = work.run(session)
                            session.flush()
                        except Exception as error:  # noqa: BLE001 — handed to that caller, not lost
                            raw.execute("ROLLBACK TO ofb_call")
                            outcomes.append((work, None, error))
                        else:
                            outcomes.append((work, value, None))
                        raw.execute("RELEASE ofb_call")
                        # Calls may write with plain SQL (sql.py): no ORM object outlives its call.
                        session.expunge_all()
                    # The ORM's commit commits the connection if an ORM transaction joined
                    # ours; a session may also be "in a transaction" that never touched it.
                    if session.in_transaction():
                        session.commit()
                    if raw.in_transaction:
                        raw.execute("COMMIT")
                except BaseException:
                    _abandon(session, raw)
                    raise
        except BaseException as error:  # the batch did not commit: nothing was acknowledged
            for work in batch:
                work.future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for work, value, error in outcomes:
            if error is None:
                work.future.set_result(value)
            else:
                work.future.set_exception(error)


def _abandon(session: Session, raw: sqlite3.Connection) -> None:
    """Rolls a failed batch back, the ORM's view of it included."""
    try:
        if session.in_transaction():
            session.rollback()
    finally:
        session.expunge_all()
        if raw.in_transaction:
            raw.execute("ROLLBACK")


class Database:
    """One OFB database: sessions for reading, `submit()` for group-committed changes and
    `write()` for the rare write outside a request."""

    def __init__(self, path: Path, *, pool_size: int = 8, busy_timeout_ms: int = 10_000) -> None:
        self.path = path
        self.engine = make_engine(path, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms)
        self._writer_engine = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._writer_engine, expire_on_commit=False)
        self._write_lock = WriteLock(path)
        self._group: GroupCommit | None = None
        self._group_guard = threading.Lock()
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._generation = 0

    def reader(self) -> sqlite3.Connection:
        """This thread's own read-only sqlite3 connection (autocommit: each statement reads the
        latest committed state), for lookups too small for a session, such as a token's user."""
        # A `close()` ends every reader; the generation tells a thread its old one is gone.
        mine: tuple[int, sqlite3.Connection] | None = getattr(self._local, "reader", None)
        if mine is not None and mine[0] == self._generation:
            return mine[1]
        connection = sqlite3.connect(self.path, check_same_thread=False)
        _on_connect(connection, self._busy_timeout_ms)
        with self._group_guard:
            self._readers.append(connection)
            self._local.reader = (self._generation, connection)
        return connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; its snapshot starts at the first query."""
        with self._read_sessions() as session:
            yield session

    def submit(self, run: Callable[[Session], Any]) -> Future[Any]:
        """Runs `run(session)` in the writer thread, in a savepoint of the next batch's
        transaction; the future resolves (or fails) once that transaction is on disk."""
        group = self._group
        if group is None:
            with self._group_guard:
                if self._group is None:
                    self._group = GroupCommit(self._writer_engine, self._write_lock)
                group = self._group
        return group.submit(run)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction of its own, committed (and on disk) when the block ends without
        error.

        Blocks the calling thread until no other write is running: call it from a worker
        thread, never from the event loop.
        """
        with self._write_lock, self._write_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        """Finishes the queued writes, then closes every pooled connection (the last one out
        checkpoints the WAL)."""
        with self._group_guard:
            group, self._group = self._group, None
        if group is not None:
            group.stop()
        with self._group_guard:
            readers, self._readers = self._readers, []
            self._generation += 1
        for connection in readers:
            connection.close()
        self._write_lock.close()
        self.engine.dispose()
