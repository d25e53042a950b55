"""Schema migrations, applied at every start so that nobody ever runs them by hand.

`schema_version` holds one row per applied step. Each step is plain SQLite DDL and runs in its
own transaction with the row that records it, so a crash mid-migration leaves the database at
the previous version, never between two. A database newer than this code is refused rather
than guessed at. Steps are append-only: never edit one that has shipped, add the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from ofb.models import UtcDateTime, utcnow


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer OFB."""


@dataclass(frozen=True)
class Step:
    """One migration: the version it brings the schema to, and its statements."""

    version: int
    description: str
    statements: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "users, tokens, projects, memberships, workflows with versions, audit log, idempotency keys",
        (
            """CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                username TEXT NOT NULL UNIQUE COLLATE NOCASE,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL)""",
            """CREATE TABLE tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL REFERENCES users(id),
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL)""",
            """CREATE TABLE projects (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                cost_budget REAL NOT NULL CHECK (cost_budget >= 0),
                created_by INTEGER NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL)""",
            """CREATE TABLE memberships (
                project_id INTEGER NOT NULL REFERENCES projects(id),
                user_id INTEGER NOT NULL REFERENCES users(id),
                role TEXT NOT NULL CHECK (role IN ('Admin', 'Creator', 'Executor', 'Auditor')),
                created_at TEXT NOT NULL,
                PRIMARY KEY (project_id, user_id))""",
            """CREATE TABLE workflows (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project_id INTEGER NOT NULL REFERENCES projects(id),
                user_id INTEGER NOT NULL REFERENCES users(id),
                spec TEXT NOT NULL,
                estimated_cost REAL NOT NULL CHECK (estimated_cost >= 0),
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                deleted_at TEXT)""",
            """CREATE TABLE workflow_versions (
                workflow_id INTEGER NOT NULL REFERENCES workflows(id),
                version INTEGER NOT NULL,
                spec TEXT NOT NULL,
                estimated_cost REAL NOT NULL,
                author_id INTEGER NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL,
                PRIMARY KEY (workflow_id, version))""",
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor_id INTEGER,
                actor_username TEXT,
                project_id INTEGER,
                action TEXT NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                target_type TEXT,
                target_id INTEGER,
                status INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT)""",
            """CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                key TEXT NOT NULL,
                method TEXT NOT NULL,
                path TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                secret_hash TEXT,
                status INTEGER NOT NULL,
                body TEXT,
                created_at TEXT NOT NULL,
                PRIMARY KEY (scope, key))""",
        ),
    ),
    Step(
        2,
        "extensions with requested and granted permissions; workflow runs",
        (
            """CREATE TABLE extensions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                project_id INTEGER NOT NULL REFERENCES projects(id),
                name TEXT NOT NULL,
                version TEXT,
                requested TEXT NOT NULL,
                granted TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
                registered_by INTEGER NOT NULL REFERENCES users(id),
                created_at TEXT NOT NULL,
                decided_by INTEGER REFERENCES users(id),
                decided_at TEXT,
                UNIQUE (project_id, name))""",
            """CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                workflow_id INTEGER NOT NULL REFERENCES workflows(id),
                workflow_version INTEGER NOT NULL,
                project_id INTEGER NOT NULL REFERENCES projects(id),
                state TEXT NOT NULL,
                started_by INTEGER NOT NULL REFERENCES users(id),
                nodes TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL)""",
        ),
    ),
    Step(
        3,
        "audit log made append-only by triggers; indexes for per-project listings",
        (
            """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
               BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
            """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
               BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
            "CREATE INDEX audit_log_by_project ON audit_log (project_id, id)",
            "CREATE INDEX workflows_by_project ON workflows (project_id, status)",
            "CREATE INDEX runs_by_workflow ON runs (workflow_id)",
            "CREATE INDEX memberships_by_user ON memberships (user_id)",
            "CREATE INDEX tokens_by_user ON tokens (user_id)",
        ),
    ),
    Step(
        4,
        "projects keep their committed cost (triggers); idempotency keys remember what their call was about",
        (
            # The budget check runs in the writer's critical section on every workflow write: a
            # column kept by triggers makes it one row read instead of a scan of the project's
            # workflows. Inserts add; updates and deletes (rare) recompute the sum exactly.
            "ALTER TABLE projects ADD COLUMN committed_cost REAL NOT NULL DEFAULT 0",
            """UPDATE projects SET committed_cost = (SELECT total(w.estimated_cost) FROM workflows w
                   WHERE w.project_id = projects.id AND w.status != 'deleted')""",
            """CREATE TRIGGER workflows_cost_insert AFTER INSERT ON workflows WHEN NEW.status != 'deleted'
               BEGIN
                   UPDATE projects SET committed_cost = committed_cost + NEW.estimated_cost
                   WHERE id = NEW.project_id;
               END""",
            """CREATE TRIGGER workflows_cost_update AFTER UPDATE OF estimated_cost, status, project_id ON workflows
               BEGIN
                   UPDATE projects SET committed_cost = (SELECT total(w.estimated_cost) FROM workflows w
                       WHERE w.project_id = projects.id AND w.status != 'deleted')
                   WHERE id IN (OLD.project_id, NEW.project_id);
               END""",
            """CREATE TRIGGER workflows_cost_delete AFTER DELETE ON workflows
               BEGIN
                   UPDATE projects SET committed_cost = (SELECT total(w.estimated_cost) FROM workflows w
                       WHERE w.project_id = projects.id AND w.status != 'deleted')
                   WHERE id = OLD.project_id;
               END""",
            # A replayed call is audited with the project and target of the call it replays.
            "ALTER TABLE idempotency_keys ADD COLUMN project_id INTEGER",
            "ALTER TABLE idempotency_keys ADD COLUMN target_type TEXT",
            "ALTER TABLE idempotency_keys ADD COLUMN target_id INTEGER",
        ),
    ),
)

LATEST = STEPS[-1].version


def current_version(conn: Connection) -> int:
    """The schema version of the database behind `conn` (0 for an empty database)."""
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one()


def upgrade(engine: Engine, target: int = LATEST) -> list[int]:
    """Applies every step above the database's version up to `target`; returns those applied."""
    applied: list[int] = []
    stamp = UtcDateTime().process_bind_param(utcnow(), engine.dialect)
    for step in STEPS:
        if step.version > target:
            break
        # IMMEDIATE: two OFB processes starting on one file migrate one after the other.
        with engine.execution_options(ofb_begin="IMMEDIATE").begin() as conn:
            version = current_version(conn)
            if version > LATEST:
                raise SchemaTooNewError(
                    f"the database is at schema version {version}, newer than this OFB "
                    f"(which knows up to {LATEST}); upgrade OFB or use another --db"
                )
            if step.version <= version:
                continue
            for statement in step.statements:
                conn.exec_driver_sql(statement)
            conn.execute(
                text("INSERT INTO schema_version (version, applied_at) VALUES (:v, :at)"),
                {"v": step.version, "at": stamp},
            )
            applied.append(step.version)
    with engine.connect() as conn:
        version = current_version(conn)
        conn.commit()
    if version > LATEST:
        raise SchemaTooNewError(
            f"the database is at schema version {version}, newer than this OFB "
            f"(which knows up to {LATEST}); upgrade OFB or use another --db"
        )
    return applied
