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


def beneficiary_payload(entity_id: str, code: str) -> dict[str, Any]:
    """A valid beneficiary payload: a follow-up code of the mediator."""
    stamp = "2025-03-01T09:00:00Z"
    return {
        "id": entity_id,
        "code": code,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted_at": None,
        "version": 1,
    }


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


def outbox_ops(notebook: Any) -> list[dict[str, Any]]:
    """The ops of a real desktop notebook's outbox, as its sync engine would send them."""
    import json

    from sqlalchemy import select

    from app.models.entities import OutboxEntry

    with notebook.session_factory() as db:
        entries = db.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [
            {
                "op_id": e.op_id,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "op": e.op,
                "base_version": e.base_version,
                "schema_version": e.schema_version,
                "content_hash": e.content_hash,
                "payload": json.loads(e.payload),
            }
            for e in entries
        ]


def push(client: Any, dev: Enrolled, ops: list[dict[str, Any]], **kw: Any) -> Any:
    return client.post(
        "/api/v1/sync/push", json={"batch_id": new_id(), "ops": ops}, headers=dev.auth, **kw
    )


def pull_all(
    client: Any, dev: Enrolled, since: int = 0, limit: int = 1000, own: str | None = None
) -> tuple[list, int]:
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"since": since, "limit": limit}
        if own is not None:
            params["own"] = own
        r = client.get("/api/v1/sync/pull", params=params, headers=dev.auth)
        assert r.status_code == 200, r.text
        data = r.json()
        changes.extend(data["changes"])
        since = data["next"]
        if not data["more"]:
            return changes, since


def event_payload(
    path_id: str = "seed-mon-espace-sante",
    kind: str = "done",
    subject: str = "KRT-4MU",
    module: int | None = 1,
    subject_kind: str = "person",
    entity_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A progress event payload, shaped like the desktop's ``progress_event`` rows."""
    payload: dict[str, Any] = {
        "id": entity_id or new_id(),
        "subject_kind": subject_kind,
        "subject_id": subject,
        "group_id": None,
        "path_id": path_id,
        "module_id": f"{path_id}-{module:02d}" if module else None,
        "kind": kind,
        "cancels_id": None,
        "level_before": None,
        "level_after": None,
        "session_id": None,
        "occurred_on": "2025-03-14",
        "path_title": "Mon Espace Santé",
        "path_version": 1,
        "path_module_count": 5,
        "module_title": f"Module {module}" if module else None,
        "module_position": module,
        "created_at": "2025-03-14T09:00:00Z",
        "updated_at": "2025-03-14T09:00:00Z",
        "deleted_at": None,
        "version": 1,
    }
    payload.update(overrides)
    return payload


def local_path_payload(entity_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A mediator's own path as the desktop sends it (``training_path`` with its modules)."""
    path_id = entity_id or new_id()
    payload: dict[str, Any] = {
        "id": path_id,
        "title": "Réserver un rendez-vous en ligne",
        "audience": "beneficiaires",
        "description": "Deux séances autour de la prise de rendez-vous.",
        "path_version": 1,
        "origin": "local",
        "status": "proposed",
        "withdrawn": False,
        "modules": [
            {
                "id": new_id(),
                "title": "Trouver le bon site",
                "objective": "Reconnaître le site officiel.",
                "expected_duration_min": 45,
                "themes": ["sante"],
                "competences": [{"code": "1.1", "target_level": 1}],
            },
            {
                "id": new_id(),
                "title": "Prendre le rendez-vous",
                "objective": "Créer un compte et réserver.",
                "expected_duration_min": 60,
                "themes": ["sante"],
                "competences": [{"code": "4.2", "target_level": 2}],
            },
        ],
        "created_at": "2025-03-14T09:00:00Z",
        "updated_at": "2025-03-14T09:00:00Z",
        "deleted_at": None,
        "version": 1,
    }
    payload.update(overrides)
    return payload
