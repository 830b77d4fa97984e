"""Wire schemas of protocol version 1 (docs/protocole-sync.md); they also make the OpenAPI.

Envelopes refuse unknown fields (422). The content of a payload is checked per operation by
hub/records.py, so that one bad record is ``rejected`` without sinking its batch.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_VERSION = 2**31 - 1
UUID_TEXT = Field(min_length=1, max_length=36)


def _integral(value: Any) -> Any:
    """JSON has one number type: 3.0 is the integer 3 (as JSON Schema says); 3.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in the wire's sense: 3 or 3.0, never true/false nor "3".
WireInt = Annotated[int, BeforeValidator(_integral)]


class Strict(BaseModel):
    """Unknown fields refused, and no coercion (``false`` is not the integer 0)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorInfo(BaseModel):
    code: str = Field(description="Code stable, à tester par le client")
    message: str = Field(description="Phrase en français, à montrer à l'utilisateur")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: ErrorInfo


class EnrolRequest(Strict):
    code: str = Field(min_length=1, max_length=32, examples=["ABCD-EFGH"])
    device_name: str = Field(min_length=1, max_length=200, examples=["Portable Médiathèque"])
    app_version: str | None = Field(default=None, max_length=40)


class EnrolResponse(BaseModel):
    device_id: str
    token: str
    mediator_id: str
    mediator_name: str
    hub_name: str
    epoch: str


class PushOp(Strict):
    op_id: str = UUID_TEXT
    entity: str = Field(min_length=1, max_length=32)
    entity_id: str = UUID_TEXT
    op: str = Field(min_length=1, max_length=8, description="upsert | delete")
    base_version: WireInt = Field(ge=0, le=MAX_VERSION)
    schema_version: WireInt = Field(ge=0, le=1000)
    content_hash: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any]


class PushRequest(Strict):
    batch_id: str | None = Field(default=None, max_length=36)
    ops: list[PushOp] = Field(description="Au plus 1000 opérations (sinon 413 batch_too_large)")


class OpResultOut(BaseModel):
    op_id: str
    status: Literal["applied", "duplicate", "conflict", "gone", "rejected"]
    version: int | None = None
    code: str | None = None
    reason: str | None = None
    hub_payload: dict[str, Any] | None = None
    fields: list[str] | None = None


class PushResponse(BaseModel):
    epoch: str
    results: list[OpResultOut]
    catalogue: str | None = Field(
        None, description="ETag actuel du catalogue (comme dans la réponse de /sync/pull)"
    )
    seq_before: int | None = Field(
        None,
        description="Compteur du médiateur avant les écritures de ce lot, donné quand tout ce "
        "que le lot a écrit est exactement ce que l'appareil a envoyé (avec seq_after : si le "
        "curseur de l'appareil vaut seq_before, il peut passer à seq_after sans tirer)",
    )
    seq_after: int | None = Field(None, description="Compteur du médiateur après ce lot")


class Change(BaseModel):
    seq: int
    entity: str
    entity_id: str
    version: int
    deleted: bool
    payload: dict[str, Any]


class PullResponse(BaseModel):
    epoch: str
    changes: list[Change]
    next: int
    more: bool
    catalogue: str | None = Field(
        default=None, description="ETag du catalogue : inutile de le demander s'il est connu"
    )


class ReconcileItem(Strict):
    entity: str = Field(min_length=1, max_length=32)
    entity_id: str = UUID_TEXT
    version: WireInt = Field(ge=0, le=MAX_VERSION)


class ReconcileRequest(Strict):
    items: list[ReconcileItem] = Field(max_length=1000)


class ReconcileResponse(BaseModel):
    epoch: str
    missing: list[str]
    stale: list[str]


class ResolveRequest(Strict):
    op_ids: list[str] = Field(max_length=1000, description="Opérations dont le conflit est réglé")


class ResolveResponse(BaseModel):
    epoch: str
    resolved: int


class StatusResponse(BaseModel):
    epoch: str
    server_time: str
    seq: int
    device_id: str
    mediator_id: str
    hub_name: str
    protocol: int
    supported_protocols: list[int]


class CatalogueResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: int
    referentiels_version: str
    paths: list[dict[str, Any]]
