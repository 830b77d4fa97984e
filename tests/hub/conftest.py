"""Hub test fixtures, on SQLite and on PostgreSQL.

PostgreSQL: one fresh database per test session (created on the local server, dropped at the
end), migrated once and emptied between tests. It is skipped only when the server is
unreachable outside CI; in CI (``CI`` set) an unreachable server fails the tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hub.app import create_app
from hub.config import Settings
from hub.db import Database
from hub.migrate import upgrade
from hub.models import Base
from tests.hub.helpers import PROTOCOL, Enrolled, enrol, new_mediator

PG_ADMIN_URL = os.environ.get(
    "CARNET_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # the reason is shown in the skip message
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL injoignable en CI : {problem}")
        pytest.skip(f"PostgreSQL injoignable : {problem}")
    name = f"carnet_hub_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated(pg_database_url: str) -> str:
    engine = create_engine(pg_database_url)
    upgrade(engine)
    engine.dispose()
    return pg_database_url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("modele") / "hub.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db.engine)
    db.dispose()
    return path


def _empty_pg(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty hub database on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "hub.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_migrated")
    _empty_pg(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, hub_name="Hub de test")


@pytest.fixture
def hub_db(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    yield db
    db.dispose()


@pytest.fixture
def app(settings: Settings, hub_db: Database):
    return create_app(settings, database=hub_db)


@pytest.fixture
def client(app) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app, headers=PROTOCOL) as c:
        yield c


@pytest.fixture
def device(client: Any, hub_db: Database) -> Enrolled:
    return enrol(client, hub_db, new_mediator(hub_db))


@pytest.fixture
def cli(settings: Settings, capsys: pytest.CaptureFixture[str]) -> Any:
    """``carnet-hub`` on the test database: ``cli("paths", "list")`` → (code, stdout, stderr)."""
    from hub.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--database-url", settings.database_url])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
