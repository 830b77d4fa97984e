"""Helpers of the hub tests: enrol a device, build payloads and ops, push and pull."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models.ids import new_id
from hub.db import Database
from hub.org import create_mediator, create_structure, issue_enrolment_code

PROTOCOL = {"X-Carnet-Protocol": "1"}


@dataclass
class Enrolled:
    mediator_id: str
    device_id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_mediator(db: Database, name: str = "Camille Martin") -> str:
    with db.write() as s:
        structure = create_structure(s, f"Structure de {name}")
        return create_mediator(s, name, structure.id).id


def enrol(client: Any, db: Database, mediator_id: str, device_name: str = "Portable") -> Enrolled:
    with db.write() as s:
        code, _ = issue_enrolment_code(s, mediator_id, 3600)
    r = client.post("/api/v1/enrol", json={"code": code, "device_name": device_name})
    assert r.status_code == 200, r.text
    data = r.json()
    return Enrolled(data["mediator_id"], data["device_id"], data["token"])


def session_payload(entity_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid accompagnement payload, shaped like the desktop's outbox rows."""
    payload: dict[str, Any] = {
        "id": entity_id or new_id(),
        "kind": "individuel",
        "date": "2025-03-14",
        "duration_min": 30,
        "place_type": "domicile",
        "venue_id": None,
        "commune_insee": "59350",
        "commune_name": "Lille",
        "postal_code": "59000",
        "themes": "|email|navigation_sur_internet|",
        "demarche_name": None,
        "materiels": "|ordinateur|",
        "tags": "",
        "notes": "",
        "autonomy": "partiellement_autonome",
        "oriented": False,
        "orientation": None,
        "beneficiary_id": None,
        "genre": "feminin",
        "age_bracket": "soixante_soixante_neuf",
        "statut": "retraite",
        "residence_insee": None,
        "residence_name": None,
        "workshop_title": None,
        "workshop_level": None,
        "participants": None,
        "participants_returning": None,
        "counters": None,
        "created_at": "2025-03-14T09:00:00Z",
        "updated_at": "2025-03-14T09:00:00Z",
        "deleted_at": None,
        "version": 1,
    }
    payload.update(overrides)
    return payload


def op(
    payload: dict[str, Any],
    base_version: int = 0,
    entity: str = "accompagnement",
    kind: str = "upsert",
    op_id: str | None = None,
    schema_version: int = 1,
) -> dict[str, Any]:
    return {
        "op_id": op_id or new_id(),
        "entity": entity,
        "entity_id": payload["id"],
        "op": kind,
        "base_version": base_version,
        "schema_version": schema_version,
        "content_hash": "0" * 64,
        "payload": payload,
    }


def push(client: Any, dev: Enrolled, ops: list[dict[str, Any]], **kw: Any) -> Any:
    return client.post(
        "/api/v1/sync/push", json={"batch_id": new_id(), "ops": ops}, headers=dev.auth, **kw
    )


def pull_all(client: Any, dev: Enrolled, since: int = 0, limit: int = 1000) -> tuple[list, int]:
    changes: list[dict[str, Any]] = []
    while True:
        r = client.get(
            "/api/v1/sync/pull", params={"since": since, "limit": limit}, headers=dev.auth
        )
        assert r.status_code == 200, r.text
        data = r.json()
        changes.extend(data["changes"])
        since = data["next"]
        if not data["more"]:
            return changes, since
