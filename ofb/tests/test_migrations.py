"""Migrations run at start: old databases are upgraded, new ones refused, ORM and schema agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect
from support import PASSWORD, Api, close, make_app

from ofb import migrations
from ofb.db import make_engine
from ofb.models import Base


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT version FROM schema_version ORDER BY version")]


def at_version(path: Path, version: int) -> None:
    engine = make_engine(path)
    try:
        assert migrations.upgrade(engine, target=version) == list(range(1, version + 1))
    finally:
        engine.dispose()


def test_there_are_several_steps_in_order() -> None:
    numbers = [step.version for step in migrations.STEPS]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 3


def test_a_new_database_gets_every_step(tmp_path: Path) -> None:
    app = make_app(tmp_path / "new.db")
    close(app)
    assert versions(tmp_path / "new.db") == [s.version for s in migrations.STEPS]


def test_a_version_1_database_is_upgraded_on_start_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    at_version(path, 1)
    # A user of OFB 1: one user with a project and a workflow, written with that version's tables.
    app = make_app(tmp_path / "scratch.db")  # to hash a password the way OFB does
    password_hash = app.state.runtime.passwords.hash(PASSWORD)
    close(app)
    now = "2024-01-01T00:00:00.000000+00:00"
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO users (username, password_hash, created_at) VALUES ('old', ?, ?)", (password_hash, now))
        db.execute(
            "INSERT INTO projects (name, cost_budget, created_by, created_at) VALUES ('legacy', 50, 1, ?)", (now,)
        )
        db.execute("INSERT INTO memberships VALUES (1, 1, 'Admin', ?)", (now,))
        spec = '{"name": "w", "steps": [{"name": "a", "command": "echo"}]}'
        db.execute(
            "INSERT INTO workflows (project_id, user_id, spec, estimated_cost, version, status, created_at, updated_at)"
            " VALUES (1, 1, ?, 20, 1, 'created', ?, ?)",
            (spec, now, now),
        )
        db.execute("INSERT INTO workflow_versions VALUES (1, 1, ?, 20, 1, ?)", (spec, now))
    assert versions(path) == [1]

    app = make_app(path)
    try:
        assert versions(path) == [s.version for s in migrations.STEPS]
        api = Api(app)
        token = api.ok(api.post("/auth/token", json={"username": "old", "password": PASSWORD}), 200)["access_token"]
        api.tokens["old"] = token
        workflow = api.ok(api.get("/workflows/1", "old"), 200)
        assert workflow["spec"]["name"] == "w" and workflow["estimated_cost"] == 20
        assert api.ok(api.get("/projects/1", "old"), 200)["committed_cost"] == 20
        # What version 2 added works on the old data.
        ext = api.ok(api.post("/projects/1/extensions", "old", {"name": "echo", "permissions": []}), 201)
        api.ok(api.put(f"/extensions/{ext['id']}/approval", "old", {"granted": []}), 200)
        api.ok(api.post("/workflows/1/runs", "old"), 201)
        # And what version 3 added: the audit log is append-only.
        with sqlite3.connect(path) as db, pytest.raises(sqlite3.IntegrityError):
            db.execute("DELETE FROM audit_log")
    finally:
        close(app)


def test_a_version_2_database_gets_only_the_later_steps(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    at_version(path, 2)
    engine = make_engine(path)
    try:
        assert migrations.upgrade(engine) == [s.version for s in migrations.STEPS if s.version > 2]
        assert migrations.upgrade(engine) == []  # idempotent
    finally:
        engine.dispose()


def test_a_database_from_a_newer_ofb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    close(make_app(path))
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version VALUES (?, 'later')", (migrations.LATEST + 1,))
    with pytest.raises(migrations.SchemaTooNewError, match="newer than this OFB"):
        make_app(path)


def test_the_orm_matches_the_migrated_schema(tmp_path: Path) -> None:
    path = tmp_path / "schema.db"
    close(make_app(path))
    engine = make_engine(path)
    try:
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            # SQLite reports an INTEGER PRIMARY KEY (the rowid) as nullable; compare keys apart.
            keys = set(inspector.get_pk_constraint(table.name)["constrained_columns"])
            assert keys == {c.name for c in table.primary_key.columns}, table.name
            migrated = {c["name"]: c["nullable"] or c["name"] in keys for c in inspector.get_columns(table.name)}
            mapped = {c.name: c.nullable or c.primary_key for c in table.columns}
            assert migrated == mapped, table.name
    finally:
        engine.dispose()
