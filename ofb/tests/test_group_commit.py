"""The writer thread's group commit (`db.py`): calls queued together share one transaction, each
sees the ones before it, and one that fails is undone alone while the rest commit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ofb.db import Database
from ofb.migrations import upgrade


def _database(tmp_path: Path) -> Database:
    db = Database(tmp_path / "ofb.db")
    upgrade(db.engine)
    with db.write() as session:
        session.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    return db


def test_a_failing_call_is_undone_alone_and_the_batch_commits(tmp_path: Path) -> None:
    db = _database(tmp_path)
    try:
        gate = threading.Event()

        def blocker(session: Session) -> int:
            gate.wait(10)  # holds the writer until the batch below is queued behind it
            session.execute(text("INSERT INTO t VALUES (0)"))
            return 0

        def insert(n: int):
            def run(session: Session) -> int:
                session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                # Each call sees the calls before it in its batch.
                return session.execute(text("SELECT count(*) FROM t")).scalar_one()

            return run

        def failing(session: Session) -> int:
            session.execute(text("INSERT INTO t VALUES (99)"))
            raise RuntimeError("boom")

        first = db.submit(blocker)
        batch = [db.submit(insert(1)), db.submit(failing), db.submit(insert(2))]
        gate.set()
        assert first.result(10) == 0
        assert batch[0].result(10) == 2
        with pytest.raises(RuntimeError, match="boom"):
            batch[1].result(10)
        assert batch[2].result(10) == 3
        with db.read() as session:
            rows = [r[0] for r in session.execute(text("SELECT n FROM t ORDER BY n"))]
        assert rows == [0, 1, 2], "99 was rolled back to its savepoint; the others are on disk"
    finally:
        db.close()


def test_close_finishes_queued_calls(tmp_path: Path) -> None:
    db = _database(tmp_path)
    def insert(n: int):
        return lambda session: session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n}).rowcount

    futures = [db.submit(insert(n)) for n in range(20)]
    db.close()
    assert [f.result(10) for f in futures] == [1] * 20
    reopened = Database(tmp_path / "ofb.db")
    try:
        with reopened.read() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 20
    finally:
        reopened.close()
