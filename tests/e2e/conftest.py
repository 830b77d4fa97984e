"""Fixtures of the end-to-end sync tests: a real hub on loopback, real devices.

The SQLite hub is one server for the whole run, emptied before each test (a fresh hub costs a
few deletes). The PostgreSQL hub reuses the hub tests' throw-away database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.db import Database
from hub.migrate import upgrade
from tests.e2e.harness import Device, HubServer, NotebookTemplate

# The PostgreSQL throw-away database of the hub tests (created once per run, dropped at the end).
from tests.hub.conftest import _empty_pg, pg_database_url, pg_migrated  # noqa: F401


@pytest.fixture(scope="session")
def notebook_template(tmp_path_factory: pytest.TempPathFactory) -> NotebookTemplate:
    return NotebookTemplate(tmp_path_factory.mktemp("carnet-modele"))


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub-modele") / "hub.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


def start_sqlite_hub(template: Path, folder: Path, **settings: object) -> HubServer:
    target = folder / "hub.db"
    shutil.copyfile(template, target)
    return HubServer(f"sqlite:///{target}", data_dir=folder, **settings)


@pytest.fixture(scope="session")
def shared_hub(hub_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubServer]:
    server = start_sqlite_hub(hub_template, tmp_path_factory.mktemp("hub"))
    yield server
    server.stop()


@pytest.fixture
def hub(shared_hub: HubServer) -> HubServer:
    shared_hub.reset()
    return shared_hub


@pytest.fixture
def pg_hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HubServer]:
    url: str = request.getfixturevalue("pg_migrated")
    _empty_pg(url)
    server = HubServer(url, data_dir=tmp_path)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_hub(request: pytest.FixtureRequest) -> HubServer:
    """The scenarios that matter most on both databases."""
    name = "hub" if request.param == "sqlite" else "pg_hub"
    server: HubServer = request.getfixturevalue(name)
    return server


@pytest.fixture
def make_device(tmp_path: Path, notebook_template: NotebookTemplate) -> Iterator[object]:
    made: list[Device] = []

    def make(name: str, **options: object) -> Device:
        device = Device.create(tmp_path, name, template=notebook_template, **options)  # type: ignore[arg-type]
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()
