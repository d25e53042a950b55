"""Fixtures: a fresh app per test, and the shared world copied from a template database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import Api, World, build_world, close, copy_db, make_app, restore


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    path = tmp_path_factory.mktemp("world") / "template.db"
    return path, build_world(path)


@pytest.fixture
def world(world_template: tuple[Path, World]) -> World:
    return world_template[1]


@pytest.fixture(scope="session")
def world_app(world_template: tuple[Path, World], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for the session; `api` gives each test the world's data afresh."""
    template, w = world_template
    app = make_app(copy_db(template, tmp_path_factory.mktemp("app") / "ofb.db"))
    with TestClient(app) as client:
        yield Api(app, w.tokens, client)
    close(app)


@pytest.fixture
def api(world_app: Api, world_template: tuple[Path, World]) -> Api:
    """The app with the world's data, as it was when the world was built, and every world token."""
    restore(world_app.app, world_template[0])
    return Api(world_app.app, world_template[1].tokens, world_app.client)


@pytest.fixture
def empty_api(tmp_path: Path) -> Iterator[Api]:
    """An app on an empty database."""
    app = make_app(tmp_path / "empty.db")
    yield Api(app)
    close(app)
