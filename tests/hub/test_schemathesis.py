"""The hub against its own OpenAPI, with schemathesis: every operation gets valid requests and
malformed ones (wrong types, missing or extra fields, values out of range, bad headers).

Checks: never a 5xx; every status and body is the one documented; malformed requests get a
4xx; an operation that needs a token or an account refuses a request without one; and nothing
is stored by a request that was refused (row counts of every hub table before and after).

``CARNET_SCHEMATHESIS_EXAMPLES`` sets the examples per operation and generation mode (default
kept small for CI; e.g. 500 for a long run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from hub.app import create_app
from hub.config import Settings
from hub.db import Database
from hub.models import Base
from hub.org import create_user
from hub.training import seed_catalogue
from tests.hub.helpers import PROTOCOL, enrol, new_mediator

EXAMPLES = int(os.environ.get("CARNET_SCHEMATHESIS_EXAMPLES", "12"))
ADMIN = ("admin@hub.fr", "mot-de-passe-solide")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


class Hub:
    def __init__(self, db: Database, app: Any, token: str) -> None:
        self.db = db
        self.app = app
        self.token = token

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return {
                t.name: s.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
            }


@pytest.fixture(scope="module")
def fuzzed_hub(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("schemathesis")
    shutil.copyfile(sqlite_template, folder / "hub.db")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'hub.db'}",
        data_dir=folder,
        hub_name="Hub de test",
        enrol_rate_attempts=1_000_000,
    )
    db = Database(settings.database_url)
    app = create_app(settings, database=db)
    app.state.hub.login_limiter.attempts = 1_000_000
    with db.write() as s:
        seed_catalogue(s)
        create_user(s, ADMIN[0], "Équipe", ADMIN[1])
    with TestClient(app, headers=PROTOCOL) as client:
        device = enrol(client, db, new_mediator(db))
    yield Hub(db, app, device.token)
    db.dispose()


@pytest.fixture(scope="module")
def hub_schema(fuzzed_hub: Hub) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_hub.app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        with_security_parameters=False,  # the real credentials are set by _authorise
    )
    # A malformed request is refused with a 4xx, never a 5xx: 413 (too large) and 426 (a
    # protocol header that is absent or wrong) included.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [
        str(s) for s in (400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 426, 428, 429)
    ]
    return schema


schema = schemathesis.pytest.from_fixture("hub_schema")


def _authorise(case: Any, hub: Hub) -> None:
    """The credentials each family of operations expects (the device's token, a hub account),
    unless this case is about a malformed header."""
    if case.meta is not None and case.meta.components:
        headers = case.meta.components.get(
            next((loc for loc in case.meta.components if loc.name == "header"), None)
        )
        if headers is not None and headers.mode.is_negative:
            return
    headers = case.headers if case.headers is not None else {}
    if case.path.startswith("/api/v1/training"):
        import base64

        token = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    else:
        headers["Authorization"] = f"Bearer {hub.token}"
    case.headers = headers


@schema.include(path_regex="^/api/").parametrize()
def test_the_hub_keeps_to_its_openapi(case: Any, fuzzed_hub: Hub) -> None:
    _authorise(case, fuzzed_hub)
    before = fuzzed_hub.counts()
    response = case.call_and_validate(checks=CHECKS)
    if response.status_code >= 400:
        after = fuzzed_hub.counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{response.status_code} mais des lignes ont changé : {changed}"
