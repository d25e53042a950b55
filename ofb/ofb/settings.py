"""Settings of one OFB instance: where the database is and how hard passwords are hashed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters (RFC 9106's second recommended option by default)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    @classmethod
    def cheap(cls) -> Argon2Params:
        """Parameters for tests only: the same code path, a fraction of the cost."""
        return cls(time_cost=1, memory_kib=64, parallelism=1)


@dataclass(frozen=True)
class Settings:
    """Everything an OFB instance is configured with (built from the command line or by tests)."""

    db_path: Path
    argon2: Argon2Params = field(default_factory=Argon2Params)
    # Larger bodies get 413 before any parsing; a workflow of 1,000 steps is ~100 KiB.
    max_body_bytes: int = 1 << 20
    # SQLite connections in the pool: readers run in parallel with the one writer (WAL).
    pool_size: int = 8
    # How long a connection waits for another process's write lock before giving up.
    busy_timeout_ms: int = 10_000
