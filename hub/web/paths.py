"""The training paths' pages (« Parcours »): the catalogue and the mediators' proposals, a path's
page, the editor, a path file's import and export, publish / withdraw / refuse, and the
completion and skill-gain indicators per path and territory.

Hub staff (``admin``) do everything; a coordinator reads the catalogue (and the followers of
their structures); a local authority does not see these pages. Every change goes through the
functions of hub/training.py, as the CLI (``carnet-hub paths``) and the staff JSON API do: a
path is checked by ``app.models.training_format`` and a publication writes a new catalogue
snapshot (new version and ETag) that devices fetch at their next sync.

The editor works without JavaScript (the pages forbid scripts): adding, removing or moving a
module posts the form, which comes back with the change and nothing saved.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.models import referentiels as ref
from app.models.training_format import AUDIENCES, DURATION_MAX_MIN, LEVEL_MAX, LEVEL_MIN
from hub import training
from hub.api import Hub, get_hub
from hub.models import CataloguePath
from hub.web.access import PageError, forbidden
from hub.web.pages import TEMPLATES, Login, _check_csrf, _page, _read, current

router = APIRouter(include_in_schema=False)
MAX_MODULES = 60
MAX_FILE_BYTES = 512 * 1024
DONE_MESSAGES = {
    "publie": "Parcours publié : les appareils le recevront à leur prochaine synchronisation.",
    "retire": "Parcours retiré du catalogue. Les appareils le gardent, marqué retiré : "
    "l'historique des personnes reste lisible, mais plus personne ne peut s'y inscrire.",
    "inchange": "Aucune modification : rien n'a été enregistré.",
    "refuse": "Proposition refusée : elle quitte la liste des propositions tant que son auteur "
    "ne la modifie pas. Le parcours reste le sien, dans son Carnet.",
}
STATE_BADGES = {
    "brouillon": "Brouillon",
    "publie": "Publié",
    "modifie": "Publié · modifications non publiées",
    "retire": "Retiré",
    "propose": "Proposé",
}


def duration_label(minutes: Any) -> str:
    if not isinstance(minutes, int) or minutes <= 0:
        return "—"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


TEMPLATES.env.filters["duree"] = duration_label
TEMPLATES.env.globals.update(
    AUDIENCES=AUDIENCES,
    CRCN_DOMAINS=ref.CRCN_DOMAINS,
    CRCN_COMPETENCES=ref.CRCN_COMPETENCES,
    THEMES=ref.THEMES,
    THEMES_MEDIATION=ref.THEMES_MEDIATION,
    THEMES_DEMARCHES=ref.THEMES_DEMARCHES,
    TARGET_LEVELS=range(LEVEL_MIN, LEVEL_MAX + 1),
    DURATION_MAX_MIN=DURATION_MAX_MIN,
    STATE_BADGES=STATE_BADGES,
)


# ---- who may do what --------------------------------------------------------------------------
def reader(login: Annotated[Login, Depends(current)]) -> Login:
    """Hub staff and coordinators read the catalogue; local authorities do not see it."""
    if login.user.role not in ("admin", "coordinateur"):
        raise forbidden()
    return login


def staff(login: Annotated[Login, Depends(current)]) -> Login:
    """Only hub staff change the catalogue."""
    if login.user.role != "admin":
        raise PageError(
            403, "forbidden", "Seule l'équipe du hub modifie le catalogue des parcours."
        )
    return login


ReaderDep = Annotated[Login, Depends(reader)]
StaffDep = Annotated[Login, Depends(staff)]
HubDep = Annotated[Hub, Depends(get_hub)]


def _scope(login: Login) -> tuple[str, ...] | None:
    """The structures whose mediators this account's reports count (None: all)."""
    return None if login.user.role == "admin" else login.user.structures


def _refused(err: training.TrainingError) -> PageError:
    if isinstance(err, training.PathNotFound):
        return PageError(404, "not_found", err.message)
    return PageError(400, "invalid_path", err.message)


def _problems(message: str) -> list[str]:
    """The French sentences of a refusal (the format's checks list them after « • »)."""
    head, _, rest = message.partition("\n• ")
    return rest.split("\n• ") if rest else [head]


def _context(hub: Hub, login: Login, **extra: Any) -> dict[str, Any]:
    return {"login": login, "hub_name": hub.settings.hub_name, "links": [], **extra}


def _entry(db: Session, path_id: str) -> training.PathEntry | None:
    return next((e for e in training.list_paths(db) if e.id == path_id), None)


# ---- the catalogue ----------------------------------------------------------------------------
def _followed(db: Session, login: Login) -> dict[str, str]:
    """Per path, who follows it: mediators in their own training (the followers report), or
    people accompanied (the indicators' hub total, « s » when hidden by the secrecy rule)."""
    scope = _scope(login)
    mediators = Counter(f.path_id for f in training.followers(db, scope))
    out = {path_id: f"{n} médiateur{'s' if n > 1 else ''}" for path_id, n in mediators.items()}
    for path in training.indicators(db, "hub", None, scope)["paths"]:
        if path["path_id"] in out or not path["rows"]:
            continue
        people = path["rows"][0]["people"]
        if people is None:
            out[path["path_id"]] = "s"
        elif people:
            out[path["path_id"]] = f"{people} personne{'s' if people > 1 else ''}"
    return out


@router.get("/parcours", response_class=HTMLResponse)
def catalogue_page(request: Request, hub: HubDep, login: ReaderDep, fait: str = "") -> Response:
    with _read(hub) as db:
        entries = training.list_paths(db)
        followed = _followed(db, login)
        snapshot = training.catalogue.current(db).version
    context = _context(
        hub,
        login,
        paths=[e for e in entries if e.state != "propose"],
        proposals=[e for e in entries if e.state == "propose"],
        followed=followed,
        snapshot=snapshot,
        done=DONE_MESSAGES.get(fait),
    )
    return _page(request, "paths_list.html", context)


# ---- indicators (declared before /parcours/{path_id}) -----------------------------------------
@router.get("/parcours/indicateurs", response_class=HTMLResponse)
def indicators_page(
    request: Request, hub: HubDep, login: ReaderDep, niveau: str = "departement", parcours: str = ""
) -> Response:
    """Completion and skill gain per path and territory (hub/training.py ``indicators``):
    aggregates only, small or deducible counts shown as « s »."""
    if niveau not in training.LEVELS:
        raise PageError(400, "invalid_level", f"Niveau de territoire inconnu : « {niveau[:20]} ».")
    with _read(hub) as db:
        choices = [(e.id, e.title) for e in training.list_paths(db) if e.state != "propose"]
        if parcours and parcours not in {pid for pid, _ in choices}:
            raise PageError(404, "not_found", f"Parcours introuvable : « {parcours[:40]} ».")
        data = training.indicators(db, niveau, parcours or None, _scope(login))
    context = _context(
        hub,
        login,
        data=data,
        level=niveau,
        path_id=parcours,
        choices=choices,
        levels=training.LEVELS,
    )
    return _page(request, "paths_indicators.html", context)


# ---- import (declared before /parcours/{path_id}) ---------------------------------------------
@router.get("/parcours/importer", response_class=HTMLResponse)
def import_form(request: Request, hub: HubDep, login: StaffDep) -> Response:
    context = _context(hub, login, problems=[], publish=False, filename=None)
    return _page(request, "paths_import.html", context)


@router.post("/parcours/importer", response_class=HTMLResponse)
async def import_submit(request: Request, hub: HubDep, login: StaffDep) -> Response:
    async with request.form(max_files=1, max_fields=4, max_part_size=MAX_FILE_BYTES) as form:
        _check_csrf(login, {"csrf": str(form.get("csrf", ""))})
        publish = form.get("publier") == "1"
        upload = form.get("fichier")
        problems: list[str] = []
        data: Any = None
        name = upload.filename if isinstance(upload, UploadFile) else None
        if not isinstance(upload, UploadFile) or not name:
            problems = ["Choisissez un fichier de parcours (.json) à importer."]
        else:
            raw = await upload.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                problems = [f"Fichier trop gros : {name} (512 Kio au plus pour un parcours)."]
            else:
                try:
                    data = training.decode_path_file(raw, name)
                except training.TrainingError as err:
                    problems = _problems(err.message)
    if not problems:
        try:
            with hub.db.write() as db:
                row = training.import_path(db, data)
                if publish:
                    training.publish_path(db, row.id)
                path_id = row.id
        except training.TrainingError as err:
            problems = _problems(err.message)
    if problems:
        context = _context(hub, login, problems=problems, publish=publish, filename=name)
        return _page(request, "paths_import.html", context, status=400)
    return RedirectResponse(f"/parcours/{path_id}?fait=importe", status_code=303)


# ---- the editor -------------------------------------------------------------------------------
def _blank_module() -> dict[str, Any]:
    return {
        "id": "",
        "title": "",
        "objective": "",
        "expected_duration_min": 60,
        "themes": [],
        "competences": [],
    }


def _base(row: CataloguePath | None) -> str:
    """What the editor started from: a changed path means someone else saved meanwhile."""
    return "" if row is None else hashlib.sha256(row.content.encode()).hexdigest()[:20]


def _number(text: str) -> Any:
    """An integer typed in a field, else the text as typed (the format's checks refuse it)."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 6 else text


def _posted(fields: dict[str, list[str]]) -> dict[str, Any]:
    """The path as typed in the editor (the file form; the checks come with the save)."""

    def one(name: str) -> str:
        return fields.get(name, [""])[0]

    count = min(_number(one("modules")) if one("modules").isdigit() else 0, MAX_MODULES)
    modules = []
    for i in range(count):
        p = f"m{i}_"
        competences = [
            {"code": code, "target_level": _number(one(f"{p}c_{code}"))}
            for code in ref.CRCN_COMPETENCES
            if one(f"{p}c_{code}").strip()
        ]
        modules.append(
            {
                "id": one(f"{p}id").strip(),
                "title": one(f"{p}title").strip(),
                "objective": one(f"{p}objective").strip(),
                "expected_duration_min": _number(one(f"{p}duration")),
                "themes": [t for t in ref.THEMES if t in fields.get(f"{p}themes", [])],
                "competences": competences,
            }
        )
    return {
        "id": one("id").strip(),
        "title": one("title").strip(),
        "audience": one("audience"),
        "description": one("description").strip(),
        "version": _number(one("version")) or 1,
        "modules": modules,
    }


def _moved(modules: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """The module list after « add », « up:N », « down:N » or « remove:N »."""
    verb, _, index_text = action.partition(":")
    if verb == "add" and len(modules) < MAX_MODULES:
        return [*modules, _blank_module()]
    if not index_text.isdigit() or int(index_text) >= len(modules):
        return modules
    i, out = int(index_text), list(modules)
    if verb == "remove":
        del out[i]
    elif verb == "up" and i > 0:
        out[i - 1], out[i] = out[i], out[i - 1]
    elif verb == "down" and i < len(out) - 1:
        out[i + 1], out[i] = out[i], out[i + 1]
    return out


def _editor(
    request: Request,
    hub: Hub,
    login: Login,
    data: dict[str, Any],
    *,
    entry: training.PathEntry | None,
    base: str,
    publish: bool,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    context = _context(
        hub,
        login,
        path=data,
        entry=entry,
        base=base,
        publish=publish,
        problems=problems or [],
        action_url=f"/parcours/{entry.id}/modifier" if entry else "/parcours/nouveau",
    )
    return _page(request, "paths_form.html", context, status=status)


@router.get("/parcours/nouveau", response_class=HTMLResponse)
def new_form(request: Request, hub: HubDep, login: StaffDep) -> Response:
    data = {
        "id": "",
        "title": "",
        "audience": "beneficiaires",
        "description": "",
        "version": 1,
        "modules": [_blank_module()],
    }
    return _editor(request, hub, login, data, entry=None, base="", publish=True)


def _editable(db: Session, path_id: str) -> tuple[CataloguePath, training.PathEntry]:
    row = db.get(CataloguePath, path_id)
    entry = _entry(db, path_id)
    if row is None or entry is None:
        if entry is not None:  # a proposal: publish it first, then edit the catalogue's copy
            raise PageError(
                400,
                "proposal",
                "Une proposition se publie (ou se refuse) telle que son auteur l'a écrite ; "
                "une fois publiée, elle se modifie comme les autres parcours du catalogue.",
            )
        raise PageError(404, "not_found", f"Parcours introuvable : « {path_id} ».")
    return row, entry


@router.get("/parcours/{path_id}/modifier", response_class=HTMLResponse)
def edit_form(path_id: str, request: Request, hub: HubDep, login: StaffDep) -> Response:
    with _read(hub) as db:
        row, entry = _editable(db, path_id)
        data = json.loads(row.content)
        base = _base(row)
    return _editor(
        request, hub, login, data, entry=entry, base=base, publish=entry.state != "retire"
    )


async def _fields(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", "replace")
    return parse_qs(body, keep_blank_values=True)


async def _editor_submit(request: Request, hub: Hub, login: Login, path_id: str | None) -> Response:
    fields = await _fields(request)
    _check_csrf(login, {"csrf": fields.get("csrf", [""])[0]})
    data = _posted(fields)
    publish = fields.get("publier", [""])[0] == "1"
    base = fields.get("base", [""])[0]
    action = fields.get("action", ["save"])[0]
    entry = None
    if path_id is not None:
        with _read(hub) as db:
            row, entry = _editable(db, path_id)
            current_base = _base(row)
        data["id"] = path_id
    else:
        data["id"] = ""
        current_base = ""
    if action != "save":
        data["modules"] = _moved(data["modules"], action)
        return _editor(request, hub, login, data, entry=entry, base=base, publish=publish)
    if base != current_base:
        problems = [
            "Ce parcours a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert. "
            "Enregistrez à nouveau pour remplacer sa version par la vôtre, ou ouvrez le parcours "
            "dans un autre onglet pour comparer."
        ]
        return _editor(
            request, hub, login, data, entry=entry, base=current_base, publish=publish,
            problems=problems, status=409,
        )  # fmt: skip
    try:
        with hub.db.write() as db:
            row = training.import_path(db, data)
            pending = row.published_content != row.content or row.withdrawn_at is not None
            if publish and pending:
                training.publish_path(db, row.id)
            after = _entry(db, row.id)
            saved_id = row.id
    except training.TrainingError as err:
        return _editor(
            request, hub, login, data, entry=entry, base=base, publish=publish,
            problems=_problems(err.message), status=400,
        )  # fmt: skip
    unchanged = entry is not None and after == entry
    done = "inchange" if unchanged else "enregistre"
    return RedirectResponse(f"/parcours/{saved_id}?fait={done}", status_code=303)


@router.post("/parcours/nouveau", response_class=HTMLResponse)
async def new_submit(request: Request, hub: HubDep, login: StaffDep) -> Response:
    return await _editor_submit(request, hub, login, None)


@router.post("/parcours/{path_id}/modifier", response_class=HTMLResponse)
async def edit_submit(path_id: str, request: Request, hub: HubDep, login: StaffDep) -> Response:
    return await _editor_submit(request, hub, login, path_id)


# ---- a path -----------------------------------------------------------------------------------
@router.get("/parcours/{path_id}", response_class=HTMLResponse)
def path_page(
    path_id: str, request: Request, hub: HubDep, login: ReaderDep, fait: str = ""
) -> Response:
    with _read(hub) as db:
        entry = _entry(db, path_id)
        if entry is None:
            raise PageError(404, "not_found", f"Parcours introuvable : « {path_id} ».")
        try:
            data = training.export_path(db, path_id)
        except training.TrainingError as err:
            raise _refused(err) from None
        followers = [f for f in training.followers(db, _scope(login)) if f.path_id == path_id]
        snapshot = training.catalogue.current(db).version
    done = DONE_MESSAGES.get(fait)
    if fait in ("enregistre", "importe"):
        verb = "enregistré" if fait == "enregistre" else "importé"
        done = f"Parcours {verb} (version {entry.version}). " + (
            "Publié : les appareils le recevront à leur prochaine synchronisation."
            if entry.state == "publie"
            else "Pas encore publié : les appareils ne le voient pas."
        )
    context = _context(
        hub,
        login,
        path=data,
        entry=entry,
        followers=followers,
        follow_status=training.FOLLOW_STATUS,
        snapshot=snapshot,
        done=done,
    )
    return _page(request, "paths_view.html", context)


@router.get("/parcours/{path_id}/export.json")
def export_file(path_id: str, hub: HubDep, login: ReaderDep) -> Response:
    with _read(hub) as db:
        try:
            data = training.export_path(db, path_id)
        except training.TrainingError as err:
            raise _refused(err) from None
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", path_id)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="parcours-{safe}.json"'},
    )


async def _change(
    request: Request, hub: Hub, login: Login, path_id: str, action: Callable[..., Any], done: str
) -> Response:
    """A catalogue change posted by a button (CSRF checked), then back to the path."""
    fields = await _fields(request)
    _check_csrf(login, {"csrf": fields.get("csrf", [""])[0]})
    try:
        with hub.db.write() as db:
            action(db, path_id)
    except training.TrainingError as err:
        raise _refused(err) from None
    target = "/parcours" if done == "refuse" else f"/parcours/{path_id}"
    return RedirectResponse(f"{target}?fait={done}", status_code=303)


@router.post("/parcours/{path_id}/publier")
async def publish(path_id: str, request: Request, hub: HubDep, login: StaffDep) -> Response:
    return await _change(request, hub, login, path_id, training.publish_path, "publie")


@router.post("/parcours/{path_id}/retirer")
async def withdraw(path_id: str, request: Request, hub: HubDep, login: StaffDep) -> Response:
    return await _change(request, hub, login, path_id, training.withdraw_path, "retire")


@router.post("/parcours/{path_id}/refuser")
async def refuse(path_id: str, request: Request, hub: HubDep, login: StaffDep) -> Response:
    def action(db: Session, pid: str) -> None:
        training.refuse_proposal(db, pid, by=login.user.email)

    return await _change(request, hub, login, path_id, action, "refuse")
