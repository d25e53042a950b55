"""The sqlite3 connection under a SQLAlchemy session, for the hot paths that skip the ORM.

The writer thread runs every mutating call (see `db.py`), so the CPU a write costs there is
what bounds OFB's write rate. The common statements of every write (idempotency key, audit
entry), the checks of a workflow write and the workflow insert itself are plain SQL on the
session's own connection: the same transaction and savepoints as the ORM's, a fraction of the
cost. The ORM is flushed first, so such a statement sees everything the change did before it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session


_CACHED = "ofb.sqlite"
_FIXED = "ofb.sqlite.fixed"


def fix_connection(session: Session, raw: sqlite3.Connection) -> None:
    """Binds `session` for good to `raw`, the connection its binding `Connection` wraps (the
    writer thread's session, whose transactions are opened in plain SQL: see `db.py`)."""
    session.info[_FIXED] = raw


def connection(session: Session) -> sqlite3.Connection:
    """The DB-API connection of `session`'s transaction, with the ORM's pending changes flushed."""
    session.flush()
    fixed = session.info.get(_FIXED)
    if fixed is not None:
        return fixed
    # Asking the session for its connection costs more than the statements of a typical call:
    # it is kept for as long as the session's (root) transaction lasts.
    transaction = session.get_transaction()
    cached = session.info.get(_CACHED)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection), "OFB runs on SQLite"
    session.info[_CACHED] = (session.get_transaction(), raw)
    return raw


def stamp(at: datetime) -> str:
    """An instant as OFB stores it (the same text as `models.UtcDateTime`)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def instant(text: str) -> datetime:
    """The inverse of `stamp`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def to_json(value: Any) -> str:
    """A JSON column's text (None is the JSON `null`, as the ORM's `JSON` type stores it)."""
    return json.dumps(value)


def from_json(text: str | None) -> Any:
    """A JSON column's value."""
    return None if text is None else json.loads(text)
