"""Training paths on the hub: the catalogue hub staff author and publish, the paths mediators
propose, who followed which training, and completion / skill-gain indicators.

* **Catalogue.** Hub staff import paths (the JSON format of docs/parcours-format.md, checked
  strictly by ``app.models.training_format``), publish them and withdraw them. Every change of
  what is published writes a new catalogue snapshot (hub/catalogue.py): devices fetch it by
  ETag. A withdrawn path stays in the snapshot flagged ``withdrawn``, so devices keep it and the
  history recorded on it. The sample paths of ``resources/data/parcours`` are the first
  catalogue of a new hub (``seed_catalogue``).
* **Proposals.** A mediator's local path is a synced record (``training_path``); one whose
  status is ``proposed`` can be published by hub staff under the same id: it then comes back to
  every device in the snapshot. The mediator's record is left as the mediator wrote it.
* **Progress** is the union of the mediators' ``progress_event`` records. The state of a subject
  on a path is folded from the events as on the desktop (app/services/progress.py): a
  ``cancelled`` event cancels the event it points at unless it is cancelled itself; a module is
  done once a ``done`` event counts; a path is completed when all its modules are done; each
  ``level_before`` / ``level_after`` is a point in time per competence, in
  ``(occurred_on, id)`` order.
* **Indicators** are aggregates only: counts under 5 people are hidden, and so is any figure
  that could be recovered from the others by subtraction (hub/stats/secrecy.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.ids import new_id
from app.models.training_format import (
    AUDIENCES,
    ModuleSpec,
    PathFormatError,
    PathSpec,
    path_from_json,
    path_to_json,
)
from hub import catalogue
from hub.models import (
    RECORD_TABLES,
    CataloguePath,
    CatalogueSnapshot,
    HubMeta,
    Mediator,
    Structure,
    utcnow,
)
from hub.org import set_meta
from hub.stats.secrecy import THRESHOLD, Group, suppress
from hub.stats.territory import NO_PLACE, Territories, shared_territories

EVENTS = RECORD_TABLES["progress_event"]
PROPOSALS = RECORD_TABLES["training_path"]
SESSIONS = RECORD_TABLES["accompagnement"]
LEVELS = ("hub", "departement", "epci", "commune")
ID_MAX = 36  # the format's id rule (docs/parcours-format.md)
REFUSED_PREFIX = "parcours_refuse:"  # hub_meta key of a refused proposal (+ its path id)
STATE_LABELS = {
    "brouillon": "brouillon (jamais publié)",
    "publie": "publié",
    "modifie": "publié, modifications non publiées",
    "retire": "retiré du catalogue",
    "propose": "proposé par un médiateur",
}


class TrainingError(Exception):
    """A refused catalogue operation; ``message`` is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PathNotFound(TrainingError):
    """No such path in the catalogue (nor among the proposals, where that applies)."""


# ==== catalogue ==================================================================================
@dataclass(frozen=True)
class PathEntry:
    id: str
    title: str
    audience: str
    version: int
    state: str  # brouillon | publie | modifie | retire | propose
    modules: int
    proposed_by: str | None  # the mediator's name
    updated_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "audience": self.audience,
            "version": self.version,
            "state": self.state,
            "state_label": STATE_LABELS[self.state],
            "modules": self.modules,
            "proposed_by": self.proposed_by,
            "updated_at": _iso(self.updated_at),
        }


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _content(spec: PathSpec) -> str:
    return json.dumps(path_to_json(spec, with_header=False), ensure_ascii=False, sort_keys=True)


def _state(row: CataloguePath) -> str:
    if row.published_content is None:
        return "brouillon"
    if row.withdrawn_at is not None:
        return "retire"
    return "publie" if row.published_content == row.content else "modifie"


def _mediator_names(db: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(
        db.execute(select(Mediator.id, Mediator.display_name).where(Mediator.id.in_(wanted))).all()
    )


def _refusals(db: Session) -> dict[str, int]:
    """Refused proposals: path id -> the record's ``seq`` when it was refused."""
    rows = db.execute(
        select(HubMeta.key, HubMeta.value).where(HubMeta.key.startswith(REFUSED_PREFIX))
    )
    return {key[len(REFUSED_PREFIX) :]: int(json.loads(value)["seq"]) for key, value in rows}


def _proposals(db: Session) -> list[Any]:
    """Mediators' paths proposed to the hub (live records), oldest first; a refused one is
    left out until its mediator changes it (the record's ``seq`` moves on)."""
    refused = _refusals(db)
    return [
        p
        for p in db.execute(
            select(PROPOSALS)
            .where(PROPOSALS.c.status == "proposed", PROPOSALS.c.deleted.is_(False))
            .order_by(PROPOSALS.c.received_at)
        ).mappings()
        if refused.get(p["id"]) != p["seq"]
    ]


def list_paths(db: Session) -> list[PathEntry]:
    """The catalogue's paths, then the proposals not yet in the catalogue."""
    rows = list(db.scalars(select(CataloguePath)))
    names = _mediator_names(
        db, [r.proposed_by or "" for r in rows] + [p["mediator_id"] for p in _proposals(db)]
    )
    entries = [
        PathEntry(
            r.id,
            r.title,
            r.audience,
            r.path_version,
            _state(r),
            len(json.loads(r.content)["modules"]),
            names.get(r.proposed_by or ""),
            r.updated_at,
        )
        for r in rows
    ]
    entries.sort(key=lambda e: (e.title.casefold(), e.id))
    known = {r.id for r in rows}
    for p in _proposals(db):
        if p["id"] in known:
            continue
        entries.append(
            PathEntry(
                p["id"],
                p["title"],
                p["audience"],
                p["path_version"] or 1,
                "propose",
                len(json.loads(p["modules"])),
                names.get(p["mediator_id"]),
                p["updated_at"] or p["received_at"],
            )
        )
    return entries


def _checked(data: Any) -> PathSpec:
    try:
        spec = path_from_json(data, strict=True)
    except PathFormatError as err:
        raise TrainingError(err.message) from None
    return spec


def _module_clash(db: Session, spec: PathSpec) -> str | None:
    """A module id already used by another path of the catalogue (ids are catalogue-wide)."""
    mine = {m.id for m in spec.modules}
    for other in db.scalars(select(CataloguePath).where(CataloguePath.id != spec.id)):
        for module in json.loads(other.content)["modules"]:
            if module.get("id") in mine:
                return f"le module « {module['id']} » appartient déjà au parcours « {other.title} »"
    return None


def _with_module_ids(path_id: str, modules: tuple[ModuleSpec, ...]) -> tuple[ModuleSpec, ...]:
    """Ids for the new modules (empty id): ``{path id}-NN`` at their position when that fits
    the id rule (36 characters) and is free, else a UUID. Kept ids never change: progress
    recorded on devices points at them."""
    taken = {m.id for m in modules if m.id}
    out = []
    for i, module in enumerate(modules, start=1):
        if not module.id:
            slug = f"{path_id}-{i:02d}"
            module_id = slug if len(slug) <= ID_MAX and slug not in taken else new_id()
            taken.add(module_id)
            module = replace(module, id=module_id)
        out.append(module)
    return tuple(out)


def decode_path_file(data: bytes, source: str) -> Any:
    """The JSON of a path file (UTF-8, with or without a BOM), or a French refusal."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TrainingError(
            f"Ce fichier n'est pas un texte UTF-8 : {source}. Enregistrez-le en UTF-8."
        ) from None
    except json.JSONDecodeError as exc:
        raise TrainingError(
            f"Ce fichier n'est pas du JSON valide : {source} (ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from None


def import_path(
    db: Session, data: Any, now: dt.datetime | None = None, proposed_by: str | None = None
) -> CataloguePath:
    """Create or update a catalogue path from its JSON form (not published yet).

    A path without an id gets one, and so do its modules. When the content of a path that was
    already published changes, its version goes up by one (or to the version the file gives,
    when higher)."""
    now = now or utcnow()
    spec = _checked(data)
    path_id = spec.id or new_id()
    modules = _with_module_ids(path_id, spec.modules)
    spec = replace(spec, id=path_id, modules=modules, withdrawn=False)
    if len({m.id for m in modules}) != len(modules):
        raise TrainingError("Deux modules du parcours ont le même identifiant.")
    clash = _module_clash(db, spec)
    if clash:
        raise TrainingError(f"Parcours refusé : {clash}. Donnez-lui un autre identifiant.")
    row = db.get(CataloguePath, path_id)
    if row is None:
        row = CataloguePath(id=path_id, created_at=now, proposed_by=proposed_by)
        db.add(row)
    else:
        current = _checked(json.loads(row.content))
        if _content(replace(spec, version=current.version)) == row.content:
            return row  # same content: nothing to do
        if row.published_content is not None:
            spec = replace(spec, version=max(spec.version, current.version + 1))
    row.title = spec.title.strip()
    row.audience = spec.audience
    row.path_version = spec.version
    row.content = _content(spec)
    row.updated_at = now
    db.flush()
    return row


def _catalogue_row(db: Session, path_id: str) -> CataloguePath:
    row = db.get(CataloguePath, path_id)
    if row is None:
        raise PathNotFound(f"Parcours introuvable dans le catalogue du hub : « {path_id} ».")
    return row


def _proposal(db: Session, path_id: str) -> Any:
    return (
        db.execute(
            select(PROPOSALS).where(PROPOSALS.c.id == path_id, PROPOSALS.c.deleted.is_(False))
        )
        .mappings()
        .first()
    )


def _proposal_document(record: Any) -> dict[str, Any]:
    return {
        "id": record["id"],
        "title": record["title"],
        "audience": record["audience"],
        "description": record["description"] or "",
        "version": record["path_version"] or 1,
        "modules": json.loads(record["modules"]),
    }


def publish_path(db: Session, path_id: str, now: dt.datetime | None = None) -> CataloguePath:
    """Publish a catalogue path (its current content), or a mediator's proposed path under its
    own id. A new catalogue snapshot follows."""
    now = now or utcnow()
    row = db.get(CataloguePath, path_id)
    if row is None:
        record = _proposal(db, path_id)
        if record is None:
            raise PathNotFound(
                f"Parcours introuvable : « {path_id} » n'est ni dans le catalogue ni proposé "
                "par un médiateur."
            )
        if record["status"] != "proposed":
            raise TrainingError(
                "Ce parcours est personnel : son auteur ne l'a pas proposé au hub. Il ne peut "
                "pas être publié."
            )
        row = import_path(db, _proposal_document(record), now, proposed_by=record["mediator_id"])
    row.published_content = row.content
    row.published_at = now
    row.withdrawn_at = None
    row.updated_at = now
    db.flush()
    rebuild_snapshot(db)
    return row


def refuse_proposal(
    db: Session, path_id: str, by: str = "", now: dt.datetime | None = None
) -> None:
    """Hub staff decline a mediator's proposal: it leaves the list of proposals until its
    mediator changes it. The mediator's record is left as they wrote it (their path stays
    theirs, on their device)."""
    record = _proposal(db, path_id)
    if record is None or record["status"] != "proposed":
        raise PathNotFound(f"Aucune proposition de médiateur n'a l'identifiant « {path_id} ».")
    if db.get(CataloguePath, path_id) is not None:
        raise TrainingError("Ce parcours est déjà dans le catalogue : retirez-le plutôt.")
    value = {"seq": record["seq"], "at": _iso(now or utcnow()), "by": by}
    set_meta(db, REFUSED_PREFIX + path_id, json.dumps(value, ensure_ascii=False))


def withdraw_path(db: Session, path_id: str, now: dt.datetime | None = None) -> CataloguePath:
    """Withdraw a published path: devices keep it (and its history) flagged withdrawn; nobody
    new can enrol on it."""
    row = _catalogue_row(db, path_id)
    if row.published_content is None:
        raise TrainingError("Ce parcours n'a jamais été publié : il n'y a rien à retirer.")
    if row.withdrawn_at is None:
        row.withdrawn_at = now or utcnow()
        row.updated_at = row.withdrawn_at
        db.flush()
        rebuild_snapshot(db)
    return row


def export_path(db: Session, path_id: str) -> dict[str, Any]:
    """A path file (with its header): a catalogue path's current content, or a proposal."""
    row = db.get(CataloguePath, path_id)
    if row is not None:
        data: dict[str, Any] = json.loads(row.content)
    else:
        record = _proposal(db, path_id)
        if record is None or record["status"] != "proposed":
            raise PathNotFound(f"Parcours introuvable dans le catalogue du hub : « {path_id} ».")
        data = _proposal_document(record)
    return path_to_json(_checked(data), with_header=True)


def snapshot_paths(db: Session) -> list[dict[str, Any]]:
    """The ``paths`` section of the catalogue: what is published, withdrawn ones flagged."""
    paths = []
    for row in db.scalars(
        select(CataloguePath).where(CataloguePath.published_content.is_not(None))
    ):
        data = json.loads(row.published_content or "{}")
        if row.withdrawn_at is not None:
            data["withdrawn"] = True
        paths.append(data)
    paths.sort(key=lambda p: (str(p["title"]).casefold(), str(p["id"])))
    return paths


def rebuild_snapshot(db: Session) -> catalogue.Catalogue:
    """Publish the catalogue snapshot for the current paths (nothing new when unchanged)."""
    return catalogue.publish(db, {"paths": snapshot_paths(db)})


def seed_files() -> list[Path]:
    from app.paths import resource_path

    return sorted(resource_path("resources", "data", "parcours").glob("*.json"))


def seed_catalogue(db: Session, files: Iterable[Path] | None = None) -> int:
    """A new hub's first catalogue: the sample paths, published. Only on a hub whose
    catalogue never held anything; returns the number of paths added."""
    if db.scalar(select(CataloguePath.id).limit(1)) is not None:
        return 0
    if db.scalar(select(CatalogueSnapshot.version).limit(1)) is not None:
        return 0
    now = utcnow()
    count = 0
    for path in files if files is not None else seed_files():
        row = import_path(db, json.loads(path.read_text(encoding="utf-8")), now)
        row.published_content, row.published_at = row.content, now
        count += 1
    if count:
        db.flush()
        rebuild_snapshot(db)
    return count


# ==== progress, folded ===========================================================================
@dataclass
class _Fold:
    """One subject on one path."""

    mediator_id: str
    subject_kind: str
    subject_id: str
    path_id: str
    path_title: str = ""
    module_count: int | None = None
    started: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    first_on: dt.date | None = None
    last_on: dt.date | None = None
    points: dict[str, list[int]] = field(default_factory=dict)  # competence -> levels in order
    assessed_before: set[str] = field(default_factory=set)
    assessed_after: set[str] = field(default_factory=set)
    session_ids: list[str] = field(default_factory=list)

    def completed(self, total: int | None) -> bool:
        total = total if total is not None else self.module_count
        return bool(total) and len(self.done) >= (total or 0)

    def gains(self) -> dict[str, int]:
        """Level gained per competence assessed before and after (last point − first)."""
        return {
            code: levels[-1] - levels[0]
            for code, levels in self.points.items()
            if code in self.assessed_before and code in self.assessed_after and len(levels) > 1
        }


def _levels(text: Any) -> dict[str, int]:
    try:
        data = json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool)}


def _effective(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events that count (cancellations applied, cancellable in turn), in order."""
    cancellers: dict[str, list[str]] = defaultdict(list)
    for e in events:
        if e["kind"] == "cancelled" and e["cancels_id"]:
            cancellers[e["cancels_id"]].append(e["id"])
    alive: dict[str, bool] = {}

    def counts(event_id: str, depth: int = 0) -> bool:
        if event_id not in alive:
            # Past 50 links (only forged data loops) the event counts.
            alive[event_id] = depth > 50 or not any(
                counts(c, depth + 1) for c in cancellers.get(event_id, ())
            )
        return alive[event_id]

    kept = [e for e in events if e["kind"] != "cancelled" and counts(e["id"])]
    return sorted(kept, key=lambda e: (e["occurred_on"], e["id"]))


def fold_progress(
    db: Session, mediator_ids: Collection[str] | None = None, subject_kinds: Collection[str] = ()
) -> list[_Fold]:
    """Every (subject, path) of the live progress events, folded."""
    query = select(EVENTS).where(EVENTS.c.deleted.is_(False))
    if mediator_ids is not None:
        if not mediator_ids:
            return []
        query = query.where(EVENTS.c.mediator_id.in_(list(mediator_ids)))
    if subject_kinds:
        query = query.where(EVENTS.c.subject_kind.in_(list(subject_kinds)))
    by_subject: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in db.execute(query).mappings():
        by_subject[(row["mediator_id"], row["subject_kind"], row["subject_id"])].append(dict(row))
    folds: dict[tuple[str, str, str, str], _Fold] = {}
    for (mediator_id, kind, subject_id), events in by_subject.items():
        for e in _effective(events):
            key = (mediator_id, kind, subject_id, e["path_id"])
            f = folds.get(key)
            if f is None:
                f = folds[key] = _Fold(mediator_id, kind, subject_id, e["path_id"])
                if kind == "workshop":  # the subject is the workshop session itself
                    f.session_ids.append(subject_id)
            f.path_title = e["path_title"] or f.path_title
            if e["path_module_count"]:
                f.module_count = e["path_module_count"]
            f.first_on = f.first_on or e["occurred_on"]
            f.last_on = e["occurred_on"]
            # Sessions that tell where it happened: the event's, the workshop of its group.
            for sid in (e["session_id"], e["group_id"]):
                if sid and sid not in f.session_ids:
                    f.session_ids.append(sid)
            if e["module_id"] and e["kind"] in ("started", "done"):
                f.started.add(e["module_id"])
                if e["kind"] == "done":
                    f.done.add(e["module_id"])
            for levels, seen in (
                (_levels(e["level_before"]), f.assessed_before),
                (_levels(e["level_after"]), f.assessed_after),
            ):
                for code, level in sorted(levels.items()):
                    f.points.setdefault(code, []).append(level)
                    seen.add(code)
    return list(folds.values())


def _catalogue_module_counts(db: Session) -> dict[str, tuple[str, str, int]]:
    """Per catalogue path id: (title, audience, number of modules) of the published content
    (the current content for a path never published)."""
    out = {}
    for row in db.scalars(select(CataloguePath)):
        data = json.loads(row.published_content or row.content)
        out[row.id] = (data["title"], data["audience"], len(data["modules"]))
    return out


def _mediator_scope(db: Session, structures: Collection[str] | None) -> set[str] | None:
    """Mediators of these structures (and of the venues under them); None: everyone."""
    if structures is None:
        return None
    wanted = set(structures)
    wanted |= set(db.scalars(select(Structure.id).where(Structure.parent_id.in_(list(wanted)))))
    return set(db.scalars(select(Mediator.id).where(Mediator.structure_id.in_(list(wanted)))))


# ==== who followed which training ================================================================
@dataclass(frozen=True)
class Follower:
    mediator_id: str
    mediator_name: str
    structure: str | None
    path_id: str
    path_title: str
    in_catalogue: bool
    modules_done: int
    modules_total: int | None
    status: str  # inscrit | en_cours | termine
    first_on: dt.date | None
    last_on: dt.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "mediator_id": self.mediator_id,
            "mediator_name": self.mediator_name,
            "structure": self.structure,
            "path_id": self.path_id,
            "path_title": self.path_title,
            "in_catalogue": self.in_catalogue,
            "modules_done": self.modules_done,
            "modules_total": self.modules_total,
            "status": self.status,
            "first_on": self.first_on.isoformat() if self.first_on else None,
            "last_on": self.last_on.isoformat() if self.last_on else None,
        }


FOLLOW_STATUS = {"inscrit": "inscrit", "en_cours": "en cours", "termine": "terminé"}


def followers(db: Session, structures: Collection[str] | None = None) -> list[Follower]:
    """The mediators' own training: who followed which path, how far (events of subject
    ``self``). ``structures``: only the mediators of these structures."""
    scope = _mediator_scope(db, structures)
    folds = fold_progress(db, scope, subject_kinds=("self",))
    paths = _catalogue_module_counts(db)
    mediators = {
        m.id: (m.display_name, m.structure_id)
        for m in db.scalars(select(Mediator).where(Mediator.id.in_({f.mediator_id for f in folds})))
    }
    structure_names = dict(db.execute(select(Structure.id, Structure.name)).all())
    out = []
    for f in folds:
        known = paths.get(f.path_id)
        total = known[2] if known else f.module_count
        if f.completed(total):
            status = "termine"
        elif f.started:
            status = "en_cours"
        else:
            status = "inscrit"
        name, structure_id = mediators.get(f.mediator_id, (f.mediator_id, None))
        out.append(
            Follower(
                f.mediator_id,
                name,
                structure_names.get(structure_id) if structure_id else None,
                f.path_id,
                known[0] if known else f.path_title,
                known is not None,
                len(f.done),
                total,
                status,
                f.first_on,
                f.last_on,
            )
        )
    out.sort(key=lambda r: (r.mediator_name.casefold(), r.path_title.casefold(), r.path_id))
    return out


# ==== indicators =================================================================================
PEOPLE_KINDS = ("person", "self")
# Each total and the two parts it splits into (one equation each, for the secrecy rule).
SPLITS = (
    ("people", "started", "not_started"),
    ("people", "completed", "not_completed"),
    ("assessed", "improved", "not_improved"),
)


Node = tuple[str, str]  # (level, code)
Cell = tuple[str, Node]  # (metric, node)


@dataclass
class _Cells:
    values: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    gain_sum: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))  # by competence
    gain_pairs: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))


def _nodes(place: str, territories: Territories) -> list[Node]:
    """The territorial nodes a place counts in, from the hub down to the commune."""
    found = territories.place(place) if place else None
    if found is None:
        return [("hub", ""), ("departement", NO_PLACE), ("epci", NO_PLACE), ("commune", NO_PLACE)]
    return [
        ("hub", ""),
        ("departement", found.departement),
        ("epci", found.piece),
        ("commune", found.commune),
    ]


def _places(db: Session, folds: list[_Fold]) -> dict[tuple[str, str, str, str], str]:
    """Where each subject followed each path: the commune of the first session linked to its
    events (or of its workshop), else the commune of its mediator's structure."""
    session_ids = {s for f in folds for s in f.session_ids}
    communes: dict[str, str] = {}
    ids = list(session_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for sid, mediator_id, insee in db.execute(
            select(SESSIONS.c.id, SESSIONS.c.mediator_id, SESSIONS.c.commune_insee).where(
                SESSIONS.c.id.in_(chunk)
            )
        ):
            if insee:
                communes[f"{mediator_id}:{sid}"] = insee
    structure_commune = dict(
        db.execute(
            select(Mediator.id, Structure.commune_insee).join(
                Structure, Structure.id == Mediator.structure_id
            )
        ).all()
    )
    places = {}
    for f in folds:
        place = next(
            (
                communes[f"{f.mediator_id}:{s}"]
                for s in f.session_ids
                if f"{f.mediator_id}:{s}" in communes
            ),
            structure_commune.get(f.mediator_id) or NO_PLACE,
        )
        places[(f.mediator_id, f.subject_kind, f.subject_id, f.path_id)] = place
    return places


def indicators(
    db: Session,
    level: str = "departement",
    path_id: str | None = None,
    structures: Collection[str] | None = None,
    territories: Territories | None = None,
) -> dict[str, Any]:
    """Completion and skill gain per path and territory, aggregates only.

    Per path and per territory of ``level`` (plus the whole hub): people enrolled (followed
    persons and mediators in their own training), workshop groups, people who started, who
    completed the path, who were assessed before and after on a competence, who gained at least
    one level, and the mean gain in levels; the same per competence. Hidden figures are
    ``null``: under 5 people, or recoverable from the figures shown (by subtraction along the
    territorial tree or between a total and its parts). The secrecy is solved once over the
    whole tree, so every level shows a figure the same way."""
    if level not in LEVELS:
        raise TrainingError(f"Niveau de territoire inconnu : « {level} » ({', '.join(LEVELS)}).")
    territories = territories or shared_territories()
    scope = _mediator_scope(db, structures)
    folds = [f for f in fold_progress(db, scope) if path_id is None or f.path_id == path_id]
    catalogue_paths = _catalogue_module_counts(db)
    places = _places(db, folds)
    cells: dict[str, _Cells] = defaultdict(_Cells)
    titles: dict[str, str] = {}
    children: dict[str, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    for f in folds:
        titles.setdefault(f.path_id, f.path_title)
        known = catalogue_paths.get(f.path_id)
        nodes = _nodes(
            places[(f.mediator_id, f.subject_kind, f.subject_id, f.path_id)], territories
        )
        for parent, child in zip(nodes, nodes[1:], strict=False):
            children[f.path_id][parent].add(child)
        c = cells[f.path_id]
        person = f.subject_kind in PEOPLE_KINDS
        gains = f.gains() if person else {}
        for node in nodes:
            if not person:
                c.values[("workshop_groups", node)] += 1
                continue
            c.values[("people", node)] += 1
            started = bool(f.started)
            completed = f.completed(known[2] if known else None)
            c.values[("started" if started else "not_started", node)] += 1
            c.values[("completed" if completed else "not_completed", node)] += 1
            if gains:
                c.values[("assessed", node)] += 1
                improved = any(g > 0 for g in gains.values())
                c.values[("improved" if improved else "not_improved", node)] += 1
                c.gain_sum[("", node)] += sum(gains.values())
                c.gain_pairs[("", node)] += len(gains)
            for code, gain in gains.items():
                c.values[(f"assessed:{code}", node)] += 1
                c.values[(f"{'improved' if gain > 0 else 'not_improved'}:{code}", node)] += 1
                c.gain_sum[(code, node)] += gain
                c.gain_pairs[(code, node)] += 1
    out_paths = []
    for pid in sorted(cells, key=lambda p: (catalogue_paths.get(p, (titles[p],))[0].casefold(), p)):
        c = cells[pid]
        hidden = _hidden(c.values, children[pid])
        known = catalogue_paths.get(pid)
        nodes = sorted(
            {n for (_, n) in c.values if n[0] == level}
            | ({("hub", "")} if level != "hub" else set())
        )
        nodes.sort(key=lambda n: (n[0] != "hub", n[1]))
        codes = sorted({m.split(":", 1)[1] for (m, _) in c.values if m.startswith("assessed:")})
        out_paths.append(
            {
                "path_id": pid,
                "title": known[0] if known else titles[pid],
                "audience": known[1] if known else None,
                "in_catalogue": known is not None,
                "modules": known[2] if known else None,
                "rows": [_row(c, hidden, node, codes, territories) for node in nodes],
            }
        )
    return {
        "level": level,
        "threshold": THRESHOLD,
        "generated_at": _iso(utcnow()),
        "paths": out_paths,
    }


def _hidden(values: dict[Cell, int], tree: dict[Node, set[Node]]) -> set[Hashable]:
    metrics = {m for (m, _) in values}
    groups: list[Group] = []
    for metric in metrics:
        for parent, kids in tree.items():
            groups.append(Group((metric, parent), tuple((metric, k) for k in sorted(kids))))
    nodes = {n for (_, n) in values}
    splits = list(SPLITS)
    for metric in metrics:
        if metric.startswith("assessed:"):
            code = metric.split(":", 1)[1]
            splits.append((metric, f"improved:{code}", f"not_improved:{code}"))
    for total, part, rest in splits:
        for node in nodes:
            if (total, node) in values:
                groups.append(Group((total, node), ((part, node), (rest, node))))
    return suppress(cast(Mapping[Hashable, int], values), groups)


def _row(
    c: _Cells,
    hidden: set[Hashable],
    node: tuple[str, str],
    codes: list[str],
    territories: Territories,
) -> dict[str, Any]:
    def shown(metric: str) -> int | None:
        key = (metric, node)
        return None if key in hidden else c.values.get(key, 0)

    def rate(part: str, total: str) -> float | None:
        p, t = shown(part), shown(total)
        return round(p / t, 3) if p is not None and t else None

    def mean_gain(code: str, assessed: int | None) -> float | None:
        pairs = c.gain_pairs.get((code, node), 0)
        if assessed is None or not pairs:
            return None
        return round(c.gain_sum[(code, node)] / pairs, 2)

    level, code = node
    assessed = shown("assessed")
    competences = {}
    for comp in codes:
        comp_assessed = shown(f"assessed:{comp}")
        competences[comp] = {
            "assessed": comp_assessed,
            "improved": shown(f"improved:{comp}"),
            "mean_gain": mean_gain(comp, comp_assessed),
        }
    return {
        "level": level,
        "code": code,
        "name": territories.name(level, code),
        "people": shown("people"),
        "workshop_groups": shown("workshop_groups"),
        "started": shown("started"),
        "completed": shown("completed"),
        "completion_rate": rate("completed", "people"),
        "assessed": assessed,
        "improved": shown("improved"),
        "mean_gain": mean_gain("", assessed),
        "competences": competences,
    }


def audience_label(audience: str | None) -> str:
    return AUDIENCES.get(audience or "", "—")
