"""The hub staff's JSON API for training paths: the catalogue (list, import, export, publish,
withdraw), who followed which training, and the completion / skill-gain indicators.

Hub accounts (``carnet-hub create-admin``) authenticate with HTTP Basic (e-mail, password) on
each request; failed attempts are rate-limited per client address. An ``admin`` does
everything; a ``coordinateur`` reads the reports of their structures' mediators. The same
functions of hub/training.py serve the CLI (``carnet-hub paths …``) and can serve web pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from sqlalchemy import select

from hub import training
from hub.api import ERRORS, Hub, get_hub, protocol_header
from hub.errors import HubError
from hub.models import HubUser, UserStructure
from hub.org import check_password
from hub.schemas import ErrorResponse

basic = HTTPBasic(auto_error=False, description="Compte du hub : e-mail et mot de passe")


@dataclass(frozen=True)
class Staff:
    user_id: str
    role: str  # admin | coordinateur
    structures: tuple[str, ...]

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The structures whose mediators this account sees (None: all)."""
        return None if self.role == "admin" else self.structures


def _unauthorised() -> HubError:
    return HubError(
        401,
        "login_required",
        "Identifiez-vous avec un compte du hub (e-mail et mot de passe).",
        headers={"WWW-Authenticate": 'Basic realm="Carnet Hub"'},
    )


def staff(
    request: Request,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)],
) -> Staff:
    hub: Hub = get_hub(request)
    if credentials is None:
        raise _unauthorised()
    client = request.client.host if request.client else "?"
    with hub.db.session() as db:
        user = db.scalar(select(HubUser).where(HubUser.email == credentials.username.lower()))
        valid = (
            user is not None
            and user.disabled_at is None
            and check_password(credentials.password, user.password_hash)
        )
        if not valid or user is None:
            wait = hub.login_limiter.hit(client)
            if wait is not None:
                raise HubError(
                    429,
                    "rate_limited",
                    f"Trop de tentatives d'identification : réessayez dans {int(wait)} secondes.",
                    {"retry_after": int(wait)},
                    {"Retry-After": str(int(wait))},
                )
            raise _unauthorised()
        structures = tuple(
            db.scalars(select(UserStructure.structure_id).where(UserStructure.user_id == user.id))
        )
        if user.role not in ("admin", "coordinateur"):
            raise HubError(403, "forbidden", "Ce compte n'a pas accès aux parcours.")
        return Staff(user.id, user.role, structures)


StaffDep = Annotated[Staff, Depends(staff)]
HubDep = Annotated[Hub, Depends(get_hub)]


def _admin(user: Staff) -> None:
    if user.role != "admin":
        raise HubError(
            403, "forbidden", "Seule l'équipe du hub (administrateurs) gère le catalogue."
        )


def _refused(err: training.TrainingError) -> HubError:
    if isinstance(err, training.PathNotFound):
        return HubError(404, "not_found", err.message)
    return HubError(400, "invalid_path", err.message)


router = APIRouter(
    prefix="/api/v1/training",
    dependencies=[Depends(protocol_header)],
    responses={
        **ERRORS,
        403: {"model": ErrorResponse, "description": "Hors du périmètre du compte"},
        404: {"model": ErrorResponse, "description": "Parcours introuvable"},
        429: {"model": ErrorResponse, "description": "Trop de tentatives"},
    },
    tags=["parcours (équipe du hub)"],
)


@router.get("/paths", summary="Le catalogue du hub et les parcours proposés par les médiateurs")
def list_paths(hub: HubDep, user: StaffDep) -> JSONResponse:
    with hub.db.session() as db:
        entries = training.list_paths(db)
    return JSONResponse({"paths": [e.as_json() for e in entries]})


@router.get("/paths/{path_id}", summary="Un parcours au format fichier (export)")
def export_path(path_id: str, hub: HubDep, user: StaffDep) -> JSONResponse:
    with hub.db.session() as db:
        try:
            data = training.export_path(db, path_id)
        except training.TrainingError as err:
            raise _refused(err) from None
    return JSONResponse(data)


@router.post("/paths", summary="Importer un parcours (format fichier) ; le publier si demandé")
def import_path(
    hub: HubDep,
    user: StaffDep,
    document: Annotated[dict[str, Any], Body(description="Un parcours (docs/parcours-format.md)")],
    publish: Annotated[bool, Query(description="Publier aussitôt")] = False,
) -> JSONResponse:
    _admin(user)
    with hub.db.write() as db:
        try:
            row = training.import_path(db, document)
            if publish:
                training.publish_path(db, row.id)
        except training.TrainingError as err:
            raise _refused(err) from None
        entry = _entry(db, row.id)
    return JSONResponse(entry)


def _entry(db: Any, path_id: str) -> dict[str, Any]:
    return next(e.as_json() for e in training.list_paths(db) if e.id == path_id)


def _change(hub: Hub, user: Staff, path_id: str, action: Any) -> JSONResponse:
    """Run a catalogue change for an admin; answer the path's new state."""
    _admin(user)
    with hub.db.write() as db:
        try:
            action(db, path_id)
        except training.TrainingError as err:
            raise _refused(err) from None
        entry = _entry(db, path_id)
    return JSONResponse(entry)


@router.post("/paths/{path_id}/publish", summary="Publier un parcours pour tous les appareils")
def publish_path(path_id: str, hub: HubDep, user: StaffDep) -> JSONResponse:
    return _change(hub, user, path_id, training.publish_path)


@router.post(
    "/paths/{path_id}/withdraw",
    summary="Retirer un parcours du catalogue (les appareils gardent l'historique)",
)
def withdraw_path(path_id: str, hub: HubDep, user: StaffDep) -> JSONResponse:
    return _change(hub, user, path_id, training.withdraw_path)


@router.get("/followers", summary="Quels médiateurs ont suivi quelle formation")
def followers(hub: HubDep, user: StaffDep) -> JSONResponse:
    with hub.db.session() as db:
        rows = training.followers(db, user.scope)
    return JSONResponse({"followers": [r.as_json() for r in rows]})


@router.get(
    "/indicators",
    summary="Achèvement et progression des compétences par parcours et territoire",
    description="Agrégats seulement : une valeur `null` est masquée (moins de 5 personnes, ou "
    "déductible des autres par soustraction).",
)
def indicators(
    hub: HubDep,
    user: StaffDep,
    level: Annotated[Literal["hub", "departement", "epci", "commune"], Query()] = "departement",
    path_id: Annotated[str | None, Query(max_length=36)] = None,
) -> JSONResponse:
    with hub.db.snapshot() as db:
        data = training.indicators(db, level, path_id, user.scope)
    return JSONResponse(data)
