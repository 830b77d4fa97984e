"""The sync API of protocol version 1 (docs/protocole-sync.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import update
from sqlalchemy.orm import Session

from hub import catalogue
from hub.config import PROTOCOL_VERSION, Settings
from hub.db import Database
from hub.errors import HubError
from hub.jsonio import FastJSONResponse, FastJSONRoute
from hub.middleware import EpochHolder
from hub.models import Conflict, Device, utcnow
from hub.org import LAST_SEEN_RESOLUTION, Authenticated, authenticate, enrol_device, get_meta
from hub.pull import pull_page, reconcile
from hub.push import Op, apply_batch
from hub.ratelimit import RateLimiter
from hub.schemas import (
    CatalogueResponse,
    EnrolRequest,
    EnrolResponse,
    ErrorResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    ReconcileRequest,
    ReconcileResponse,
    ResolveRequest,
    ResolveResponse,
    StatusResponse,
)
from hub.stats.drainer import Drainer


@dataclass
class Hub:
    """What the handlers share: no globals, one per app."""

    settings: Settings
    db: Database
    epoch: EpochHolder
    enrol_limiter: RateLimiter
    # Failed logins of hub accounts on the staff JSON API, per client address.
    login_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(10, 60.0))
    catalogue_cache: catalogue.CatalogueCache = field(default_factory=catalogue.CatalogueCache)
    # Counts pushed sessions into the statistics once syncs pause (set while the app runs).
    drainer: Drainer | None = None


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def protocol_header(
    x_carnet_protocol: Annotated[
        Literal["1"],
        Header(alias="X-Carnet-Protocol", description="Version du protocole (seule la 1 existe)"),
    ],
) -> str:
    return x_carnet_protocol  # checked by the middleware before routing (426)


bearer = HTTPBearer(auto_error=False, description="Jeton de l'appareil, reçu à l'inscription")

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": desc}
    for status, desc in (
        (400, "Corps illisible (gzip, JSON)"),
        (401, "Jeton inconnu ou appareil révoqué"),
        (413, "Requête trop volumineuse"),
        (422, "Requête mal formée"),
        (426, "Version du protocole non prise en charge"),
    )
}

router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(protocol_header)],
    responses=ERRORS,
    route_class=FastJSONRoute,
)


def _no_epoch() -> HubError:
    return HubError(503, "unavailable", "Le hub n'est pas initialisé (époque absente).")


def read_epoch(db: Session) -> str:
    epoch = get_meta(db, "epoch")
    if epoch is None:
        raise _no_epoch()
    return epoch


def _use_epoch(request: Request, hub: Hub, epoch: str) -> str:
    request.scope["carnet_epoch"] = epoch
    hub.epoch.value = epoch
    return epoch


def _bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    return credentials.credentials if credentials else None


def _touch(db: Session, device_id: str, last_seen: dt.datetime | None, now: dt.datetime) -> None:
    if last_seen is None or now - last_seen > LAST_SEEN_RESOLUTION:
        db.execute(update(Device).where(Device.id == device_id).values(last_seen_at=now))


@contextmanager
def device_read(
    hub: Hub,
    credentials: HTTPAuthorizationCredentials | None,
    snapshot: bool = False,
    catalogue: bool = False,
) -> Iterator[tuple[Session, Authenticated, str]]:
    """A read transaction for an authenticated device: (session, authentication, epoch); with
    ``catalogue``, the latest catalogue's head is read in the same query. The device's last
    contact is written afterwards, at most once a minute, so sync probes stay reads."""
    now = utcnow()
    with hub.db.snapshot() if snapshot else hub.db.session() as db:
        auth = authenticate(db, _bearer_token(credentials), catalogue=catalogue)
        if auth.epoch is None:
            raise _no_epoch()
        yield db, auth, auth.epoch
    if auth.last_seen_at is None or now - auth.last_seen_at > LAST_SEEN_RESOLUTION:
        with hub.db.write() as db:
            _touch(db, auth.device.device_id, auth.last_seen_at, now)


HubDep = Annotated[Hub, Depends(get_hub)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@router.post(
    "/enrol",
    response_model=EnrolResponse,
    summary="Inscrire un appareil avec un code à usage unique",
    responses={429: {"model": ErrorResponse, "description": "Trop de tentatives"}},
)
def enrol(body: EnrolRequest, request: Request, hub: HubDep) -> JSONResponse:
    client = request.client.host if request.client else "?"
    wait = hub.enrol_limiter.hit(client)
    if wait is not None:
        raise HubError(
            429,
            "rate_limited",
            f"Trop de tentatives d'inscription depuis cette adresse : réessayez dans "
            f"{int(wait)} secondes.",
            {"retry_after": int(wait)},
            {"Retry-After": str(int(wait))},
        )
    with hub.db.write() as db:
        enrolled = enrol_device(db, body.code, body.device_name, body.app_version)
        epoch = read_epoch(db)
    _use_epoch(request, hub, epoch)
    return FastJSONResponse(
        {
            "device_id": enrolled.device_id,
            "token": enrolled.token,
            "mediator_id": enrolled.mediator_id,
            "mediator_name": enrolled.mediator_name,
            "hub_name": hub.settings.hub_name,
            "epoch": epoch,
        }
    )


@router.post(
    "/sync/push",
    response_model=PushResponse,
    summary="Envoyer un lot d'opérations (au plus 1000), un résultat par opération",
)
def push(body: PushRequest, request: Request, hub: HubDep, credentials: BearerDep) -> JSONResponse:
    if len(body.ops) > hub.settings.max_ops_per_batch:
        raise HubError(
            413,
            "batch_too_large",
            f"Trop d'opérations dans ce lot (au plus {hub.settings.max_ops_per_batch}).",
            {"limit": hub.settings.max_ops_per_batch},
        )
    ops = [
        Op(
            o.op_id,
            o.entity,
            o.entity_id,
            o.op,
            o.base_version,
            o.schema_version,
            o.payload,
            o.content_hash,
        )
        for o in body.ops
    ]
    now = utcnow()
    # Authentication, the ops and the device's bookkeeping share one write transaction.
    with hub.db.write() as db:
        auth = authenticate(db, _bearer_token(credentials), catalogue=True)
        device = auth.device
        outcome = apply_batch(db, device.mediator_id, device.device_id, ops, now)
        catalogue_etag = catalogue.current(db, hub.catalogue_cache, auth.catalogue_head).etag
        db.execute(
            update(Device)
            .where(Device.id == device.device_id)
            .values(last_push_at=now, last_seen_at=now)
        )
    # Committed: only now is the answer sent.
    if hub.drainer is not None:
        hub.drainer.pushed()
    _use_epoch(request, hub, outcome.epoch)
    answer: dict[str, Any] = {
        "epoch": outcome.epoch,
        "results": [r.as_wire() for r in outcome.results],
        "catalogue": catalogue_etag,
    }
    if outcome.quiet_from is not None:
        answer["seq_before"], answer["seq_after"] = outcome.quiet_from, outcome.seq
    return FastJSONResponse(answer)


@router.get(
    "/sync/pull",
    response_model=PullResponse,
    summary="Les changements après un curseur, dans l'ordre des validations",
    responses={410: {"model": ErrorResponse, "description": "Curseur trop ancien"}},
)
def pull(
    request: Request,
    hub: HubDep,
    credentials: BearerDep,
    since: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    own: Annotated[
        Literal["all", "skip"],
        Query(
            description="skip : sans les enregistrements dont la version courante vient de cet "
            "appareil tel qu'il l'a envoyée (il les a déjà) ; all (défaut) : tout, pour un "
            "rechargement complet"
        ),
    ] = "all",
) -> JSONResponse:
    limit = min(limit, hub.settings.max_pull_limit)
    with device_read(hub, credentials, snapshot=True, catalogue=True) as (db, auth, epoch):
        device = auth.device
        counter = (device.mediator_seq, device.purged_seq)  # read in this same snapshot
        skip = device.device_id if own == "skip" else None
        page = pull_page(db, device.mediator_id, since, limit, counter, skip)
        # The catalogue's ETag (its head read with the device): a device that holds it skips
        # GET /catalogue.
        catalogue_etag = catalogue.current(db, hub.catalogue_cache, auth.catalogue_head).etag
    if hub.drainer is not None:
        hub.drainer.pulled()  # the hub is not quiet: the statistics' drain waits
    _use_epoch(request, hub, epoch)
    return FastJSONResponse(
        {
            "epoch": epoch,
            "changes": page.changes,
            "next": page.next,
            "more": page.more,
            "catalogue": catalogue_etag,
        }
    )


@router.post(
    "/sync/reconcile",
    response_model=ReconcileResponse,
    summary="Après une restauration du hub : ce qui manque au hub",
)
def reconcile_inventory(
    body: ReconcileRequest, request: Request, hub: HubDep, credentials: BearerDep
) -> JSONResponse:
    with device_read(hub, credentials, snapshot=True) as (db, auth, epoch):
        missing, stale = reconcile(
            db, auth.device.mediator_id, [(i.entity, i.entity_id, i.version) for i in body.items]
        )
    _use_epoch(request, hub, epoch)
    return FastJSONResponse({"epoch": epoch, "missing": missing, "stale": stale})


@router.post(
    "/sync/conflicts/resolve",
    response_model=ResolveResponse,
    summary="Conflits réglés sur l'appareil (la valeur du hub a été gardée)",
)
def resolve_conflicts(
    body: ResolveRequest, request: Request, hub: HubDep, credentials: BearerDep
) -> JSONResponse:
    now = utcnow()
    with hub.db.write() as db:
        auth = authenticate(db, _bearer_token(credentials))
        result = db.execute(
            update(Conflict)
            .where(
                Conflict.mediator_id == auth.device.mediator_id,
                Conflict.op_id.in_(body.op_ids),
                Conflict.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )
        epoch = auth.epoch or read_epoch(db)
    _use_epoch(request, hub, epoch)
    return FastJSONResponse({"epoch": epoch, "resolved": result.rowcount})  # type: ignore[attr-defined]


@router.get(
    "/sync/status",
    response_model=StatusResponse,
    summary="Sonde peu coûteuse : le hub est joignable, son époque, le compteur",
)
def status(request: Request, hub: HubDep, credentials: BearerDep) -> JSONResponse:
    with device_read(hub, credentials) as (_, auth, epoch):
        device = auth.device  # one query: the device, its mediator's counter and the epoch
    _use_epoch(request, hub, epoch)
    return FastJSONResponse(
        {
            "epoch": epoch,
            "server_time": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
            "seq": device.mediator_seq,
            "device_id": device.device_id,
            "mediator_id": device.mediator_id,
            "hub_name": hub.settings.hub_name,
            "protocol": PROTOCOL_VERSION,
            "supported_protocols": sorted(hub.settings.supported_protocols),
        }
    )


@router.get(
    "/catalogue",
    response_model=CatalogueResponse,
    summary="Le catalogue de référence (instantané versionné, ETag)",
    responses={304: {"description": "Inchangé depuis l'ETag envoyé"}},
)
def get_catalogue(
    request: Request,
    hub: HubDep,
    credentials: BearerDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Response:
    with device_read(hub, credentials) as (db, _, epoch):
        cat = catalogue.current(db, hub.catalogue_cache)
    _use_epoch(request, hub, epoch)
    headers = {"ETag": cat.etag}
    if if_none_match and cat.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(cat.body, media_type="application/json", headers=headers)
