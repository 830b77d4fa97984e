"""The sync wire format (docs/protocole-sync.md) as plain dataclasses, with (de)serialisation.

No Qt and no database here: the hub imports this module too. Parsing is strict about what it
needs and tolerant of what it does not know (a newer hub may add fields), and every malformed
answer becomes a ``WireFormatError`` with a French explanation, never a ``KeyError`` deep inside
the engine.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import re
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

import orjson

PROTOCOL_VERSION = 1
SUPPORTED_PROTOCOLS = (1,)
API_PREFIX = "/api/v1"

HEADER_PROTOCOL = "X-Carnet-Protocol"
HEADER_EPOCH = "X-Carnet-Epoch"

MAX_OPS_PER_BATCH = 1000
MAX_BATCH_GZIP_BYTES = 256 * 1024
MAX_BODY_COMPRESSED = 1024 * 1024
MAX_BODY_UNCOMPRESSED = 8 * 1024 * 1024
GZIP_REQUEST_THRESHOLD = 2048
PULL_LIMIT_MAX = 1000
RECONCILE_CHUNK = 1000

OP_UPSERT = "upsert"
OP_DELETE = "delete"
OPS = (OP_UPSERT, OP_DELETE)

ENTITIES = ("venue", "beneficiary", "tag", "accompagnement", "training_path", "progress_event")

STATUS_APPLIED = "applied"
STATUS_DUPLICATE = "duplicate"
STATUS_CONFLICT = "conflict"
STATUS_GONE = "gone"
STATUS_REJECTED = "rejected"
RESULT_STATUSES = (
    STATUS_APPLIED,
    STATUS_DUPLICATE,
    STATUS_CONFLICT,
    STATUS_GONE,
    STATUS_REJECTED,
)


class WireFormatError(ValueError):
    """A body that does not follow the protocol (garbage, truncated, wrong types)."""


# ---- gzip ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip (no timestamp), so the same batch gives the same bytes. The last
    results are kept: the engine sizes a batch by compressing it, then the transport sends
    those same bytes."""
    return gzip.compress(data, compresslevel=level, mtime=0)


def gunzip_bytes(data: bytes, max_size: int = MAX_BODY_UNCOMPRESSED) -> bytes:
    """Decompress at most ``max_size`` bytes; a bomb or a truncated stream is a WireFormatError."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(max_size + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise WireFormatError(f"Contenu compressé illisible ({exc}).") from exc
    if len(out) > max_size:
        raise WireFormatError("Contenu trop volumineux une fois décompressé.")
    return out


# orjson: compact UTF-8 JSON, as ``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))``
# writes it, several times faster (a sync moves megabytes of it). It refuses what is not JSON
# (NaN, a lone surrogate, a body in UTF-16) where ``json`` would let it through.


def dumps(obj: Any) -> bytes:
    try:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: the standard library writes it
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
            "utf-8"
        )


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireFormatError("Réponse illisible : ce n'est pas du JSON valide.") from exc


# ---- field readers ------------------------------------------------------------------------------


def _obj(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise WireFormatError(f"Réponse inattendue du hub : {what} devrait être un objet JSON.")
    return data


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if key not in data:
        raise WireFormatError(f"Réponse incomplète du hub : « {key} » manque dans {what}.")
    value = data[key]
    # bool is an int in Python: never accept it where a number is expected.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise WireFormatError(f"Réponse inattendue du hub : « {key} » a un type invalide.")
    if not isinstance(value, kind):
        raise WireFormatError(f"Réponse inattendue du hub : « {key} » a un type invalide.")
    return value


def _opt(data: dict[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    if data.get(key) is None:
        return None
    return _get(data, key, kind, what)


# ---- errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorBody:
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> ErrorBody:
        err = _obj(_obj(data, "l'erreur").get("error"), "l'erreur")
        details = err.get("details")
        return cls(
            code=_get(err, "code", str, "l'erreur"),
            message=_get(err, "message", str, "l'erreur"),
            details=details if isinstance(details, dict) else {},
        )

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


# ---- enrolment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolRequest:
    code: str
    device_name: str
    app_version: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EnrolResponse:
    device_id: str
    token: str
    mediator_id: str
    mediator_name: str
    hub_name: str
    epoch: str

    @classmethod
    def from_json(cls, data: Any) -> EnrolResponse:
        d = _obj(data, "la réponse d'enrôlement")
        w = "la réponse d'enrôlement"
        return cls(
            device_id=_get(d, "device_id", str, w),
            token=_get(d, "token", str, w),
            mediator_id=_get(d, "mediator_id", str, w),
            mediator_name=_get(d, "mediator_name", str, w),
            hub_name=_get(d, "hub_name", str, w),
            epoch=_get(d, "epoch", str, w),
        )

    def __repr__(self) -> str:  # never print the token
        return f"EnrolResponse(device_id={self.device_id!r}, hub_name={self.hub_name!r})"


# ---- push ---------------------------------------------------------------------------------------


# A payload as the outbox stores it ends with the record's version (app/models/payloads.py).
_VERSION_AT_END = re.compile(r'"version":(\d+)\}$')


class PushOp:
    """One operation of a batch. Its payload is a dict, or ``payload_text``: the compact JSON
    the outbox stores, sent as it is and parsed only if something reads ``payload`` (a batch
    of a thousand sessions then costs no decoding and no re-encoding of its payloads)."""

    __slots__ = (
        "op_id",
        "entity",
        "entity_id",
        "op",
        "base_version",
        "schema_version",
        "content_hash",
        "_payload",
        "_text",
    )

    def __init__(
        self,
        op_id: str,
        entity: str,
        entity_id: str,
        op: str,
        base_version: int,
        schema_version: int,
        content_hash: str | None,  # optional on the wire: the hub does not use it
        payload: dict[str, Any] | None = None,
        *,
        payload_text: str | None = None,
    ) -> None:
        if payload is None and payload_text is None:
            raise ValueError("une opération sans contenu")
        self.op_id = op_id
        self.entity = entity
        self.entity_id = entity_id
        self.op = op
        self.base_version = base_version
        self.schema_version = schema_version
        self.content_hash = content_hash
        self._payload = payload
        self._text = payload_text

    @property
    def payload(self) -> dict[str, Any]:
        if self._payload is None:
            assert self._text is not None
            try:
                payload = orjson.loads(self._text)
            except ValueError as exc:
                raise WireFormatError("Contenu d'opération illisible : JSON invalide.") from exc
            if not isinstance(payload, dict):
                raise WireFormatError("Contenu d'opération illisible : un objet JSON est attendu.")
            self._payload = payload
        return self._payload

    def payload_json(self) -> str:
        """The payload as compact JSON (the stored text when there is one)."""
        if self._text is None:
            self._text = dumps(self.payload).decode()
        return self._text

    @property
    def record_version(self) -> int | None:
        """The record's local version in the payload (read off the stored text's end)."""
        if self._payload is None and self._text is not None:
            found = _VERSION_AT_END.search(self._text)
            if found:
                return int(found.group(1))
        version = self.payload.get("version")
        return version if isinstance(version, int) and not isinstance(version, bool) else None

    def _envelope(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "op_id": self.op_id,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "op": self.op,
            "base_version": self.base_version,
            "schema_version": self.schema_version,
        }
        if self.content_hash is not None:
            out["content_hash"] = self.content_hash
        return out

    def to_json(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies every payload (a third of a batch's cost).
        out = self._envelope()
        out["payload"] = self.payload
        return out

    def encode(self) -> str:
        """This op as compact JSON, its payload text spliced in as it is."""
        head = dumps(self._envelope()).decode()
        return f'{head[:-1]},"payload":{self.payload_json()}}}'

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PushOp):
            return NotImplemented
        return self._envelope() == other._envelope() and self.payload == other.payload

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PushOp({self.op_id!r}, {self.entity!r}, {self.entity_id!r}, {self.op!r})"

    @classmethod
    def from_json(cls, data: Any) -> PushOp:
        d = _obj(data, "une opération")
        w = "une opération"
        return cls(
            op_id=_get(d, "op_id", str, w),
            entity=_get(d, "entity", str, w),
            entity_id=_get(d, "entity_id", str, w),
            op=_get(d, "op", str, w),
            base_version=_get(d, "base_version", int, w),
            schema_version=_get(d, "schema_version", int, w),
            content_hash=d["content_hash"] if isinstance(d.get("content_hash"), str) else None,
            payload=_get(d, "payload", dict, w),
        )


@dataclass(frozen=True)
class PushRequest:
    batch_id: str
    ops: list[PushOp]

    def to_json(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "ops": [op.to_json() for op in self.ops]}

    def encode(self) -> bytes:
        """The request body: ``dumps(to_json())``, without decoding stored payloads."""
        head = dumps({"batch_id": self.batch_id}).decode()
        ops = ",".join(op.encode() for op in self.ops)
        return f'{head[:-1]},"ops":[{ops}]}}'.encode()

    @classmethod
    def from_json(cls, data: Any) -> PushRequest:
        d = _obj(data, "le lot")
        ops = _get(d, "ops", list, "le lot")
        return cls(
            batch_id=_get(d, "batch_id", str, "le lot"), ops=[PushOp.from_json(o) for o in ops]
        )


@dataclass(frozen=True)
class PushResult:
    op_id: str
    status: str
    version: int | None = None
    code: str | None = None
    reason: str | None = None
    hub_payload: dict[str, Any] | None = None
    fields: list[str] | None = None

    @classmethod
    def from_json(cls, data: Any) -> PushResult:
        d = _obj(data, "un résultat")
        w = "un résultat"
        status = _get(d, "status", str, w)
        if status not in RESULT_STATUSES:
            raise WireFormatError(f"Réponse inattendue du hub : statut « {status} » inconnu.")
        fields = _opt(d, "fields", list, w)
        if fields is not None and not all(isinstance(f, str) for f in fields):
            raise WireFormatError("Réponse inattendue du hub : « fields » invalide.")
        return cls(
            op_id=_get(d, "op_id", str, w),
            status=status,
            version=_opt(d, "version", int, w),
            code=_opt(d, "code", str, w),
            reason=_opt(d, "reason", str, w),
            hub_payload=_opt(d, "hub_payload", dict, w),
            fields=fields,
        )


@dataclass(frozen=True)
class PushResponse:
    epoch: str
    results: list[PushResult]
    catalogue: str | None = None  # the catalogue's ETag, as a pull announces it
    # The mediator's counter before and after this batch, when all it wrote is exactly what
    # this device sent (docs/protocole-sync.md: a push with nothing in between needs no pull).
    seq_before: int | None = None
    seq_after: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> PushResponse:
        w = "la réponse d'envoi"
        d = _obj(data, w)
        results = _get(d, "results", list, w)
        return cls(
            epoch=_get(d, "epoch", str, w),
            results=[PushResult.from_json(r) for r in results],
            catalogue=_opt(d, "catalogue", str, w),
            seq_before=_opt(d, "seq_before", int, w),
            seq_after=_opt(d, "seq_after", int, w),
        )


# ---- pull ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PullChange:
    seq: int
    entity: str
    entity_id: str
    version: int
    deleted: bool
    payload: dict[str, Any]

    @classmethod
    def from_json(cls, data: Any) -> PullChange:
        d = _obj(data, "une modification")
        w = "une modification"
        return cls(
            seq=_get(d, "seq", int, w),
            entity=_get(d, "entity", str, w),
            entity_id=_get(d, "entity_id", str, w),
            version=_get(d, "version", int, w),
            deleted=_get(d, "deleted", bool, w),
            payload=_get(d, "payload", dict, w),
        )


@dataclass(frozen=True)
class PullResponse:
    epoch: str
    changes: list[PullChange]
    next: int
    more: bool
    catalogue: str | None = None  # the catalogue's ETag (hubs that send it)

    @classmethod
    def from_json(cls, data: Any) -> PullResponse:
        d = _obj(data, "la réponse de réception")
        w = "la réponse de réception"
        changes = [PullChange.from_json(c) for c in _get(d, "changes", list, w)]
        catalogue = d.get("catalogue")
        return cls(
            epoch=_get(d, "epoch", str, w),
            changes=changes,
            next=_get(d, "next", int, w),
            more=_get(d, "more", bool, w),
            catalogue=catalogue if isinstance(catalogue, str) else None,
        )


# ---- reconcile, status, catalogue ---------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileItem:
    entity: str
    entity_id: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReconcileResponse:
    epoch: str
    missing: list[str]
    stale: list[str]

    @classmethod
    def from_json(cls, data: Any) -> ReconcileResponse:
        d = _obj(data, "la réponse de rapprochement")
        w = "la réponse de rapprochement"
        missing = _get(d, "missing", list, w)
        stale = _get(d, "stale", list, w)
        if not all(isinstance(x, str) for x in missing + stale):
            raise WireFormatError("Réponse inattendue du hub : identifiants invalides.")
        return cls(epoch=_get(d, "epoch", str, w), missing=missing, stale=stale)


@dataclass(frozen=True)
class ResolveResponse:
    epoch: str
    resolved: int

    @classmethod
    def from_json(cls, data: Any) -> ResolveResponse:
        d = _obj(data, "la réponse de règlement des conflits")
        w = "la réponse de règlement des conflits"
        return cls(epoch=_get(d, "epoch", str, w), resolved=_get(d, "resolved", int, w))


@dataclass(frozen=True)
class StatusResponse:
    epoch: str
    server_time: str
    seq: int
    device_id: str
    mediator_id: str
    hub_name: str

    @classmethod
    def from_json(cls, data: Any) -> StatusResponse:
        d = _obj(data, "l'état du hub")
        w = "l'état du hub"
        return cls(
            epoch=_get(d, "epoch", str, w),
            server_time=_get(d, "server_time", str, w),
            seq=_get(d, "seq", int, w),
            device_id=_get(d, "device_id", str, w),
            mediator_id=_get(d, "mediator_id", str, w),
            hub_name=_get(d, "hub_name", str, w),
        )


@dataclass(frozen=True)
class CatalogueResponse:
    """A catalogue snapshot; ``raw`` is kept whole so that the app stores what the hub sent."""

    etag: str | None
    version: str
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: Any, etag: str | None) -> CatalogueResponse:
        d = _obj(data, "le catalogue")
        version = _get(d, "version", (str, int), "le catalogue")
        return cls(etag=etag, version=str(version), raw=d)
