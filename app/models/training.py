"""Training paths (parcours de formation) and the progress made along them.

Two kinds of tables:

- The **catalogue**: a local copy of the hub's versioned snapshot (``origin = "hub"``) plus the
  paths the mediator wrote on this device (``origin = "local"``). A path has ordered modules; a
  module works on CRCN competences up to a target level. Hub paths are never deleted here: a path
  the hub stops publishing is only flagged ``withdrawn``, so that history still reads well.
- **Progress**: ``progress_event``, an append-only log. A row is inserted and never updated; an
  "annulation" is a new event of kind ``cancelled`` pointing at the event it cancels. Two devices'
  logs therefore merge by union with no conflict, and the state is a fold of the events ordered by
  ``(occurred_on, id)``.

Events deliberately carry no foreign keys to the catalogue or to sessions, and a snapshot of the
path and module titles they refer to: an event pulled from another device, or one whose path was
withdrawn while this device was offline, must still be stored and still read well.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.models.base import Base, SyncedMixin
from app.models.entities import SyncState, join_codes, split_codes
from app.models.training_format import (
    LEVEL_MAX,
    LEVEL_MIN,
    ModuleSpec,
    PathFormatError,
    PathSpec,
    path_from_json,
    path_to_json,
)

ORIGINS = ("hub", "local")
STATUSES = ("local_only", "proposed", "published")
EVENT_KINDS = ("enrolled", "started", "done", "assessed", "cancelled")
SUBJECT_KINDS = ("person", "workshop", "self")
SELF_SUBJECT_ID = "self"
# Catalogue bookkeeping in sync_state, written in the same transaction as the snapshot.
CATALOGUE_VERSION_KEY = "catalogue.version"
CATALOGUE_ETAG_KEY = "catalogue.etag"


class TrainingPath(SyncedMixin, Base):
    """A path of the catalogue. ``path_version`` is the content version people see ("version 3
    du parcours"); the mixin's ``version`` is the row version used by sync."""

    __tablename__ = "training_path"

    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str] = mapped_column(String(16))  # beneficiaires | mediateurs
    description: Mapped[str] = mapped_column(Text, default="")
    path_version: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(String(8))  # hub | local
    status: Mapped[str] = mapped_column(String(12))  # local_only | proposed | published
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_training_path_origin", "origin", "withdrawn"),)


class TrainingModule(Base):
    __tablename__ = "training_module"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    path_id: Mapped[str] = mapped_column(ForeignKey("training_path.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    expected_duration_min: Mapped[int] = mapped_column(Integer)
    themes: Mapped[str] = mapped_column(Text, default="")  # |a|b| national theme codes

    __table_args__ = (Index("ix_training_module_path", "path_id", "position"),)


class TrainingModuleCompetence(Base):
    __tablename__ = "training_module_competence"

    module_id: Mapped[str] = mapped_column(
        ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True
    )
    competence: Mapped[str] = mapped_column(String(4), primary_key=True)  # CRCN "1.1".."5.2"
    target_level: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("target_level BETWEEN 1 AND 8", name="target_level_range"),)


class ProgressEvent(SyncedMixin, Base):
    """One thing that happened on a path for a subject; inserted, never updated.

    ``subject_kind``/``subject_id``: ``person`` + the follow-up code itself ("KRT-4MX"),
    ``workshop`` + the id of the workshop session that gathers the group, or ``self`` + "self"
    (the mediator's own training). The code, not the beneficiary row id: two devices that met the
    same person while offline each create a beneficiary row with its own id, but the code on the
    person's card is the same, so their events still merge. ``group_id`` ties a person's event to
    a workshop group.
    ``level_before``/``level_after`` are small JSON objects ``{"1.1": 2}``.
    """

    __tablename__ = "progress_event"

    subject_kind: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[str] = mapped_column(String(36))
    group_id: Mapped[str | None] = mapped_column(String(36))
    path_id: Mapped[str] = mapped_column(String(36))
    module_id: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(12))
    cancels_id: Mapped[str | None] = mapped_column(String(36))
    level_before: Mapped[str | None] = mapped_column(Text)
    level_after: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(36))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    # Snapshot of what the event refers to, readable even once the path left the catalogue.
    path_title: Mapped[str] = mapped_column(String(200))
    path_version: Mapped[int | None] = mapped_column(Integer)
    path_module_count: Mapped[int | None] = mapped_column(Integer)
    module_title: Mapped[str | None] = mapped_column(String(200))
    module_position: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_progress_event_subject", "subject_kind", "subject_id", "occurred_on"),
        Index("ix_progress_event_group", "group_id"),
        Index("ix_progress_event_session", "session_id"),
        Index("ix_progress_event_path", "path_id"),
    )


def dump_levels(levels: dict[str, int] | None) -> str | None:
    if not levels:
        return None
    return json.dumps({k: int(v) for k, v in sorted(levels.items())}, separators=(",", ":"))


def load_levels(text: str | None) -> dict[str, int]:
    """Levels from the JSON column; a malformed value (a newer or damaged record) reads as none."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): int(v)
        for k, v in data.items()
        if isinstance(v, int) and not isinstance(v, bool) and LEVEL_MIN <= v <= LEVEL_MAX
    }


# ---- wire payload of a local path -----------------------------------------------------------
# A local path travels as one record: the path row plus its modules and their competences, so
# that a path is never seen half-written on another device or on the hub.


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value


def path_payload(db: Session, path: TrainingPath) -> dict[str, Any]:
    """The ``training_path`` sync payload: the row's columns plus ``modules``, in the file
    format's shape (docs/parcours-format.md). Its hash changes whenever a module changes."""
    from sqlalchemy import inspect

    payload = {
        col.key: _jsonable(getattr(path, col.key)) for col in inspect(TrainingPath).column_attrs
    }
    specs = read_paths(db, [path.id], include_deleted=True)
    payload["modules"] = path_to_json(specs[0], with_header=False)["modules"] if specs else []
    return payload


def delete_modules(db: Session, path_id: str) -> None:
    """Remove a path's modules and their competences (before writing the new set)."""
    from sqlalchemy import delete, select

    module_ids = select(TrainingModule.id).where(TrainingModule.path_id == path_id)
    db.execute(
        delete(TrainingModuleCompetence).where(TrainingModuleCompetence.module_id.in_(module_ids))
    )
    db.execute(delete(TrainingModule).where(TrainingModule.path_id == path_id))


def apply_path_payload(db: Session, payload: dict[str, Any]) -> TrainingPath:
    """Write a pulled ``training_path`` payload (a local path made on another device of the same
    mediator) without an outbox entry. The modules are replaced as a whole."""
    spec = replace(
        path_from_json(payload, strict=False),
        version=int(payload.get("path_version") or 1),
        origin=str(payload.get("origin") or "local"),
        status=str(payload.get("status") or "local_only"),
        withdrawn=bool(payload.get("withdrawn")),
    )
    row = write_path_spec(db, spec)
    for key in ("created_at", "updated_at", "deleted_at"):
        raw = payload.get(key)
        if isinstance(raw, str):
            setattr(row, key, dt.datetime.fromisoformat(raw.replace("Z", "+00:00")))
        elif raw is None and key == "deleted_at":
            row.deleted_at = None
    if isinstance(payload.get("version"), int):
        row.version = payload["version"]
    return row


def write_path_spec(db: Session, spec: PathSpec) -> TrainingPath:
    """Insert or update the path ``spec.id`` and replace its modules (ids kept as given)."""
    row = db.get(TrainingPath, spec.id)
    if row is None:
        row = TrainingPath(id=spec.id)
        db.add(row)
    row.title = spec.title.strip()
    row.audience = spec.audience
    row.description = spec.description.strip()
    row.path_version = spec.version
    row.origin = spec.origin
    row.status = spec.status
    row.withdrawn = spec.withdrawn
    db.flush()
    delete_modules(db, spec.id)
    for position, module in enumerate(spec.modules, start=1):
        db.add(
            TrainingModule(
                id=module.id,
                path_id=spec.id,
                position=position,
                title=module.title.strip(),
                objective=module.objective.strip(),
                expected_duration_min=module.expected_duration_min,
                themes=join_codes(list(module.themes)),
            )
        )
    db.flush()
    for module in spec.modules:
        for code, level in module.competences:
            db.add(
                TrainingModuleCompetence(module_id=module.id, competence=code, target_level=level)
            )
    db.flush()
    return row


def read_paths(
    db: Session, ids: list[str] | None = None, include_deleted: bool = False
) -> list[PathSpec]:
    """Paths with their modules and competences, in three queries, sorted by title."""
    from sqlalchemy import select

    query = select(TrainingPath)
    if ids is not None:
        if not ids:
            return []
        query = query.where(TrainingPath.id.in_(ids))
    if not include_deleted:
        query = query.where(TrainingPath.deleted_at.is_(None))
    paths = db.scalars(query).all()
    if not paths:
        return []
    path_ids = [p.id for p in paths]
    modules = db.scalars(
        select(TrainingModule)
        .where(TrainingModule.path_id.in_(path_ids))
        .order_by(TrainingModule.path_id, TrainingModule.position)
    ).all()
    competences: dict[str, list[tuple[str, int]]] = {}
    if modules:
        rows = db.execute(
            select(
                TrainingModuleCompetence.module_id,
                TrainingModuleCompetence.competence,
                TrainingModuleCompetence.target_level,
            )
            .join(TrainingModule, TrainingModule.id == TrainingModuleCompetence.module_id)
            .where(TrainingModule.path_id.in_(path_ids))
            .order_by(TrainingModuleCompetence.competence)
        ).all()
        for module_id, code, level in rows:
            competences.setdefault(module_id, []).append((code, level))
    by_path: dict[str, list[ModuleSpec]] = {}
    for m in modules:
        by_path.setdefault(m.path_id, []).append(
            ModuleSpec(
                id=m.id,
                position=m.position,
                title=m.title,
                objective=m.objective,
                expected_duration_min=m.expected_duration_min,
                themes=tuple(split_codes(m.themes)),
                competences=tuple(competences.get(m.id, ())),
            )
        )
    specs = [
        PathSpec(
            id=p.id,
            title=p.title,
            audience=p.audience,
            description=p.description,
            version=p.path_version,
            origin=p.origin,
            status=p.status,
            withdrawn=p.withdrawn,
            modules=tuple(by_path.get(p.id, ())),
        )
        for p in paths
    ]
    return sorted(specs, key=lambda s: (s.title.casefold(), s.id))


# ---- catalogue snapshot from the hub ----------------------------------------------------------


@dataclass(frozen=True)
class CatalogueUpdate:
    """What applying a snapshot changed (titles), for the sync report."""

    applied: bool  # False: same version as the one already held, nothing written but the ETag
    version: str
    inserted: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # paths skipped, each with the reason (French)


def _state(db: Session, key: str) -> str | None:
    row = db.get(SyncState, key)
    return row.value if row else None


def _set_state(db: Session, key: str, value: str) -> None:
    row = db.get(SyncState, key)
    if row is None:
        db.add(SyncState(key=key, value=value))
    else:
        row.value = value


def catalogue_state(db: Session) -> tuple[str | None, str | None]:
    """(version, ETag) of the catalogue snapshot held, or (None, None) before the first one."""
    return _state(db, CATALOGUE_VERSION_KEY), _state(db, CATALOGUE_ETAG_KEY)


def apply_catalogue_snapshot(
    db: Session, snapshot: dict[str, Any], etag: str | None
) -> CatalogueUpdate:
    """Bring the local copy of the hub's catalogue to ``snapshot``, in the caller's transaction.

    Paths are inserted or updated; a hub path missing from the snapshot (or marked
    ``withdrawn``) is only flagged withdrawn, never deleted, so progress recorded on it keeps
    reading well. A local path the hub now publishes (same id) becomes a hub path. Nothing is
    written but the ETag when the snapshot's version is the one already held.
    """
    if not isinstance(snapshot, dict) or "version" not in snapshot:
        raise PathFormatError("Catalogue reçu illisible : la version manque.")
    version = str(snapshot["version"])
    entries = snapshot.get("paths")
    if not isinstance(entries, list):
        raise PathFormatError("Catalogue reçu illisible : la liste des parcours manque.")
    held_version, held_etag = catalogue_state(db)
    if held_version == version:
        if etag and etag != held_etag:
            _set_state(db, CATALOGUE_ETAG_KEY, etag)
        return CatalogueUpdate(applied=False, version=version)

    specs: list[PathSpec] = []
    problems: list[str] = []
    seen_ids: set[str] = set()
    module_owner: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(entry_id, str) and entry_id:
            seen_ids.add(entry_id)  # a path we cannot read is kept as it is, not withdrawn
        try:
            spec = path_from_json(entry, strict=False)
        except PathFormatError as err:
            problems.append(f"Parcours n° {index} ignoré : {err.message}")
            continue
        if not spec.id or any(not m.id for m in spec.modules):
            problems.append(f"Parcours « {spec.title} » ignoré : identifiants manquants.")
            continue
        clash = [m.id for m in spec.modules if module_owner.get(m.id, spec.id) != spec.id]
        if clash:
            problems.append(f"Parcours « {spec.title} » ignoré : module en double ({clash[0]}).")
            continue
        module_owner.update({m.id: spec.id for m in spec.modules})
        specs.append(spec)

    existing = {
        spec.id: spec
        for spec in read_paths(db, include_deleted=True)
        if spec.origin == "hub" or spec.id in seen_ids
    }
    inserted: list[str] = []
    updated: list[str] = []
    withdrawn: list[str] = []
    for spec in specs:
        old = existing.get(spec.id)
        new = replace(spec, origin="hub", status="published")
        if old is None:
            inserted.append(new.title)
        elif path_to_json(old, with_header=False) == path_to_json(new, with_header=False) and (
            old.origin,
            old.status,
        ) == ("hub", "published"):
            continue
        elif new.withdrawn and not old.withdrawn:
            withdrawn.append(new.title)
        else:
            updated.append(new.title)
        written = write_path_spec(db, new)
        written.updated_at = dt.datetime.now(dt.UTC)
    gone = [s for s in existing.values() if s.id not in seen_ids and not s.withdrawn]
    for spec in gone:
        row = db.get(TrainingPath, spec.id)
        if row is not None:
            row.withdrawn = True
            row.updated_at = dt.datetime.now(dt.UTC)
        withdrawn.append(spec.title)
    _set_state(db, CATALOGUE_VERSION_KEY, version)
    if etag:
        _set_state(db, CATALOGUE_ETAG_KEY, etag)
    return CatalogueUpdate(
        applied=True,
        version=version,
        inserted=tuple(inserted),
        updated=tuple(updated),
        withdrawn=tuple(withdrawn),
        problems=tuple(problems),
    )


__all__ = [
    "CATALOGUE_ETAG_KEY",
    "CATALOGUE_VERSION_KEY",
    "CatalogueUpdate",
    "EVENT_KINDS",
    "ORIGINS",
    "SELF_SUBJECT_ID",
    "STATUSES",
    "SUBJECT_KINDS",
    "ProgressEvent",
    "TrainingModule",
    "TrainingModuleCompetence",
    "TrainingPath",
    "apply_catalogue_snapshot",
    "apply_path_payload",
    "catalogue_state",
    "delete_modules",
    "dump_levels",
    "load_levels",
    "path_payload",
    "read_paths",
    "write_path_spec",
]
